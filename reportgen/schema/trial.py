"""The trial record: ``logbook/<study_id>/trials/<trial_id>.json``, one writer per file."""

from __future__ import annotations

import datetime as dt
import math
from array import array
from bisect import bisect_left
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from reportgen.schema.columns import (
    Column,
    FloatColumn,
    IntColumn,
    all_finite,
    empty_floats,
    strictly_increasing,
)
from reportgen.schema.common import SCHEMA_VERSION, HparamName, Model, SafeId, Scalar
from reportgen.schema.source import Source


class TrialKind(StrEnum):
    SEARCH = "search"  # a point of the study's search
    RETRAIN = "retrain"  # same hyperparameters, new seeds: trial variance
    RERUN = "rerun"  # the whole search again with another sampler seed: study variance
    # an early-instability probe: the first steps of a trial (its group) at twice its learning
    # rate, evaluated every step; never ranked, scored or counted with the search
    PROBE = "probe"


class Status(StrEnum):
    COMPLETE = "complete"
    DIVERGED = "diverged"  # non-finite or exploding loss; the partial curve is kept
    FAILED = "failed"  # crashed or could not run; reason says why
    # ended early on purpose (a pruner, early stopping): the partial curve is kept; not ranked,
    # and not a failure (it does not count as infeasible)
    STOPPED = "stopped"


class Seeds(Model):
    init: int = Field(ge=0)
    data_order: int = Field(ge=0)
    sampler: int = Field(ge=0)
    dropout: int | None = Field(default=None, ge=0)


CURVE_COLUMNS = ("train_loss", "valid_loss", "valid_error", "learning_rate", "grad_norm")
# Optional per-interval statistics of the per-step gradient norm (empty in older records).
GRAD_STAT_COLUMNS = ("grad_norm_max", "grad_norm_p90", "clipped_fraction")


class Curves(Model):
    """Column-wise curves at the eval cadence. NaN and inf are data (a diverged trial)."""

    # each column is a `Column` (8 bytes per value, see schema.columns); the JSON holds lists
    step: IntColumn
    train_loss: FloatColumn
    valid_loss: FloatColumn
    valid_error: FloatColumn
    learning_rate: FloatColumn
    grad_norm: FloatColumn  # mean of the per-step (unclipped) gradient norm over the interval
    # --- gradient-norm statistics per eval interval (optional) ---
    grad_norm_max: FloatColumn = Field(default_factory=empty_floats)
    grad_norm_p90: FloatColumn = Field(default_factory=empty_floats)
    clipped_fraction: FloatColumn = Field(default_factory=empty_floats)  # steps clipped; 0 when off
    extra: dict[str, FloatColumn] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _columns(self) -> Curves:
        n = len(self.step)
        for name in CURVE_COLUMNS:
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"column {name!r} has {len(getattr(self, name))} values, 'step' has {n}"
                )
        for name in GRAD_STAT_COLUMNS:
            col = getattr(self, name)
            if col and len(col) != n:
                raise ValueError(f"column {name!r} has {len(col)} values, 'step' has {n}")
        for name, col in self.extra.items():
            if len(col) != n:
                raise ValueError(f"extra column {name!r} has {len(col)} values, 'step' has {n}")
        # per-point checks run in C (map over builtins): a logbook holds tens of millions of points
        step = self.step
        if not strictly_increasing(step):
            negative = min(step) < 0
            raise ValueError(f"steps must be {'non-negative' if negative else 'strictly increasing'}")
        if step and step[0] < 0:  # the smallest of increasing steps
            raise ValueError("steps must be non-negative")
        return self

    def index_of(self, step: int) -> int | None:
        """Position of ``step`` in the (strictly increasing) steps, or None when not recorded."""
        steps = self.step
        # a column's memoryview: the bisection's reads stay in C (Column.__getitem__ is Python)
        i = bisect_left(memoryview(steps) if isinstance(steps, array) else steps, step)
        return i if i < len(steps) and steps[i] == step else None

    def column(self, name: str) -> Column:
        if name in CURVE_COLUMNS or (name in GRAD_STAT_COLUMNS and getattr(self, name)):
            return getattr(self, name)
        if name in self.extra:
            return self.extra[name]
        known = ", ".join((*CURVE_COLUMNS, *self.extra))
        raise KeyError(f"no curve {name!r}; known: {known}")

    def __len__(self) -> int:
        return len(self.step)


class Best(Model):
    """Best value of the objective over training, and where it happened."""

    step: int = Field(ge=0)
    value: float


class CheckpointRef(Model):
    """Where a trial's best parameters were saved: a folder under the checkpoint root (outside
    the logbook and git), and the eval step they come from."""

    path: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._+-]*(/[A-Za-z0-9][A-Za-z0-9._+-]*)*$",
        description="folder relative to the checkpoint root: <study>/trials/<trial id>",
    )
    step: int = Field(ge=0, description="the eval step of the saved parameters")


class Execution(Model):
    """How the trial was executed: alone, or inside a vectorised group of trials."""

    mode: Literal["vectorised", "sequential"]
    group_id: str = ""
    group_size: int = Field(default=1, ge=1)
    device: str = "cpu"
    compile_seconds: float = Field(default=0.0, ge=0)
    # scale-out: devices the group's trial axis was sharded over, and honest times per trial
    devices: int = Field(default=1, ge=1, description="local devices the group was sharded over")
    group_wall_seconds: float | None = Field(
        default=None, ge=0, description="wall time of the whole group, compile included"
    )
    trial_share_seconds: float | None = Field(
        default=None,
        ge=0,
        description="this trial's share of the group's training time (compile excluded): "
        "comparable across vectorised, sharded and sequential execution",
    )
    resumed_from_step: int | None = Field(
        default=None,
        ge=0,
        description="the step of the checkpoint a resumed group continued from (after a kill)",
    )


class Provenance(Model):
    code_version: str = "unknown"
    packages: dict[str, str] = Field(default_factory=dict)
    created_utc: dt.datetime
    command: str = ""
    source: Source | None = None  # set when the trial was imported from another tool


class TrialRecord(Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    study_id: SafeId
    study_revision: int = Field(ge=1)
    trial_id: SafeId
    kind: TrialKind = TrialKind.SEARCH
    group: str = ""  # retrain or probe group (the source trial) or rerun id (the sampler seed)
    index: int = Field(ge=0, description="position in the sampler's sequence")
    hyperparameters: dict[HparamName, Scalar]
    unit_coords: list[float] | None = None
    seeds: Seeds
    status: Status
    status_reason: str = ""
    curves: Curves
    best: Best | None = None
    final_value: float | None = None
    test_metrics: dict[str, float] = Field(default_factory=dict)
    dataset: dict[str, Scalar] = Field(
        default_factory=dict,
        description="the data the trial trained on: dataset name, split sizes and seed, digest",
    )
    max_train_steps: int = Field(gt=0)
    eval_examples: int | None = Field(
        default=None,
        gt=0,
        description="size of the validation split the objective was computed on (its noise floor)",
    )
    wall_seconds: float = Field(ge=0)
    step_seconds: float = Field(ge=0)
    execution: Execution
    provenance: Provenance
    checkpoint: CheckpointRef | None = Field(
        default=None, description="the trial's best parameters, saved by the runner"
    )

    @model_validator(mode="after")
    def _status_consistent(self) -> TrialRecord:
        if self.status is Status.COMPLETE:
            if len(self.curves) == 0:
                raise ValueError("status is complete but the curves are empty")
            # an imported run may not have logged a training loss at all (NaN = not recorded)
            logged = self.provenance.source is None or not all(
                map(math.isnan, self.curves.train_loss)
            )
            if logged and not all_finite(self.curves.train_loss):
                raise ValueError(
                    "status is complete but train_loss has non-finite values; mark it diverged"
                )
            if self.best is None:
                raise ValueError("status is complete but 'best' is missing")
            if self.curves.step[-1] > self.max_train_steps:
                raise ValueError("curves run past max_train_steps")
        else:
            if not self.status_reason:
                raise ValueError(f"status {self.status} needs a 'status_reason'")
        if self.best is not None:
            if not math.isfinite(self.best.value):
                raise ValueError("best.value must be finite")
            if self.curves.index_of(self.best.step) is None:
                raise ValueError(f"best.step {self.best.step} is not one of the recorded steps")
        if self.checkpoint is not None and self.curves.index_of(self.checkpoint.step) is None:
            raise ValueError(
                f"checkpoint.step {self.checkpoint.step} is not one of the recorded steps"
            )
        if self.kind is not TrialKind.SEARCH and not self.group:
            raise ValueError(f"a {self.kind} trial needs its 'group'")
        return self

    @property
    def feasible(self) -> bool:
        return self.status is Status.COMPLETE

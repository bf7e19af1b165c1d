"""Trade-offs: secondary metrics a study weighs against its objective (time, examples, a second
objective), with an optional constraint each, and the results the analysis gives for them.

Spec side: ``StudySpec.trade_offs``, each a `TradeOff` naming a metric a trial record carries,
its direction and an optional `Constraint` (written ``"<= 0.05"`` in study.yaml). A metric is
one of `RECORD_METRICS` (read from the record's own fields), else a curve column (built in or
``curves.extra``), else a key of ``test_metrics``. Result side: per metric, every search trial's
objective against the metric, the Pareto front over the trials inside every constraint, and the
best trial with and without the constraints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field, field_validator, model_serializer, model_validator

from reportgen.schema.common import Model, Scalar
from reportgen.schema.objective import Direction, ObjectiveMode
from reportgen.schema.trial import CURVE_COLUMNS, GRAD_STAT_COLUMNS, TrialRecord

# what a record carries outside its curves, by the name a trade-off uses for it
RECORD_METRICS: dict[str, str] = {
    "step_seconds": "seconds per training step (the record's step_seconds)",
    "wall_seconds": "wall time of the run (a vectorised group's whole wall time)",
    "trial_seconds": "this trial's share of its group's training time "
    "(execution.trial_share_seconds; not recorded by every source)",
    "compile_seconds": "compile time (execution.compile_seconds)",
    "train_steps": "the last training step the curves record",
    "examples_seen": "train_steps times the batch size (the trial's batch_size hyperparameter, "
    "else the workload's batch_size setting)",
}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
CONSTRAINT_PATTERN = rf"^\s*(<=|>=|<|>)\s*({_NUMBER})\s*$"
_CONSTRAINT = re.compile(CONSTRAINT_PATTERN)

Op = Literal["<=", "<", ">=", ">"]


class Constraint(Model):
    """A bound on a metric, written in study.yaml as a comparison and a number: ``"<= 0.05"``."""

    op: Op
    bound: float

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        if isinstance(v, str):
            m = _CONSTRAINT.match(v)
            if m is None:
                raise ValueError(
                    f"{v!r} is not a constraint: write a comparison (<=, <, >=, >) and a number, "
                    "e.g. '<= 0.05'"
                )
            return {"op": m.group(1), "bound": float(m.group(2))}
        return v

    @field_validator("bound")
    @classmethod
    def _finite(cls, v: float) -> float:
        if not math.isfinite(v):
            raise ValueError("the bound must be a finite number")
        return v

    @model_serializer
    def _text(self) -> str:  # written back as it is read: "<= 0.05"
        return str(self)

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": CONSTRAINT_PATTERN,
            "description": "a comparison and a number, e.g. '<= 0.05'",
        }

    def __str__(self) -> str:
        return f"{self.op} {self.bound!r}"

    def allows(self, value: float) -> bool:
        """Whether ``value`` meets the constraint (NaN never does)."""
        if math.isnan(value):
            return False
        return {
            "<=": value <= self.bound,
            "<": value < self.bound,
            ">=": value >= self.bound,
            ">": value > self.bound,
        }[self.op]


class TradeOff(Model):
    """A secondary metric weighed against the objective: a cost such as ``step_seconds`` or
    ``examples_seen``, or another quality metric, with the direction that is better."""

    metric: str = Field(
        min_length=1,
        max_length=128,
        description="a record metric (step_seconds, wall_seconds, trial_seconds, "
        "compile_seconds, train_steps, examples_seen), a curve column or a test metric",
    )
    direction: Direction = Direction.MINIMIZE
    mode: ObjectiveMode = Field(
        default=ObjectiveMode.FINAL,
        description="for a curve metric: its value at the last recorded step (final) or its "
        "best over training",
    )
    constraint: Constraint | None = Field(
        default=None, description="trials outside it are marked and left off the front"
    )

    def describe(self) -> str:
        """``step_seconds <= 0.05``, or the metric alone when unconstrained."""
        return f"{self.metric} {self.constraint}" if self.constraint else self.metric


def batch_size_of(trial: TrialRecord, settings: Mapping[str, Scalar]) -> float | None:
    """The trial's batch size: its ``batch_size`` hyperparameter (namespaced or not), else the
    workload's ``batch_size`` setting; None when neither records one."""
    found = [v for k, v in trial.hyperparameters.items() if k.rsplit(".", 1)[-1] == "batch_size"]
    found.append(settings.get("batch_size"))  # type: ignore[arg-type]
    for v in found:
        if isinstance(v, int | float) and not isinstance(v, bool) and v > 0:
            return float(v)
    return None


def record_metric(
    trial: TrialRecord, name: str, settings: Mapping[str, Scalar]
) -> float | None:
    """The value of one of `RECORD_METRICS` for ``trial``; None when the record lacks it."""
    steps = float(trial.curves.step[-1]) if len(trial.curves) else None
    if name == "step_seconds":
        return trial.step_seconds
    if name == "wall_seconds":
        return trial.wall_seconds
    if name == "trial_seconds":
        return trial.execution.trial_share_seconds
    if name == "compile_seconds":
        return trial.execution.compile_seconds
    if name == "train_steps":
        return steps
    if name == "examples_seen":
        batch = batch_size_of(trial, settings)
        return steps * batch if steps is not None and batch is not None else None
    raise KeyError(f"{name!r} is not a record metric; known: {', '.join(RECORD_METRICS)}")


def carries(trial: TrialRecord, name: str, settings: Mapping[str, Scalar]) -> bool:
    """Whether ``trial`` records a value of metric ``name`` (see the module docstring)."""
    if name in RECORD_METRICS:
        return record_metric(trial, name, settings) is not None
    if name in CURVE_COLUMNS or name in trial.curves.extra:
        return True
    if name in GRAD_STAT_COLUMNS:
        return bool(getattr(trial.curves, name))
    return name in trial.test_metrics


# --- results ----------------------------------------------------------------------------------

FRONT = "Pareto front"
DOMINATED = "dominated"
OUTSIDE = "outside a constraint"
PointKind = Literal["Pareto front", "dominated", "outside a constraint"]


class TradeOffPoint(Model):
    """One search trial on one trade-off view: its objective against the metric."""

    trial_id: str
    objective: float
    value: float
    kind: PointKind
    broken: list[str] = Field(default_factory=list)  # e.g. "step_seconds 0.041 (not <= 0.03)"


class TradeOffView(Model):
    """The objective against one secondary metric."""

    metric: str
    direction: Direction
    mode: ObjectiveMode | None = None  # how a curve metric is read; None for a record or test one
    constraint: str = ""  # "<= 0.03", or empty when the metric is unconstrained
    bound: float | None = None  # the constraint's bound, in the metric's units
    points: list[TradeOffPoint]  # every search trial with both values, in trial-id order
    front: list[str]  # trial ids on the front, best metric first
    n_unrecorded: int = 0  # trials with an objective value but no value of this metric


class TradeOffTrial(Model):
    """A trial the trade-off summary names: its objective and its value of every metric."""

    trial_id: str
    objective: float
    values: dict[str, float | None]  # metric -> value (None: not recorded)
    broken: list[str] = Field(default_factory=list)


class TradeOffs(Model):
    """Every trade-off view of a study and the best trial with and without the constraints."""

    views: list[TradeOffView]
    constraints: list[str] = Field(default_factory=list)  # "step_seconds <= 0.03", ...
    best: TradeOffTrial | None = None  # best by the objective alone
    best_within: TradeOffTrial | None = None  # best among trials inside every constraint
    n_within: int = 0  # search trials with an objective inside every constraint
    n_ranked: int = 0  # search trials with an objective

"""The study spec: ``logbook/<study_id>/study.yaml``, written by a person."""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from reportgen.schema.batch_size import StepsToResult
from reportgen.schema.checkpoints import CheckpointKeep, Checkpoints  # noqa: F401  (importable)
from reportgen.schema.common import SCHEMA_VERSION, HparamName, Model, SafeId, Scalar

# Direction and ObjectiveMode live with the objective; kept importable from here
from reportgen.schema.objective import (  # noqa: F401
    CompareAt,
    Direction,
    Objective,
    ObjectiveMode,
)
from reportgen.schema.playbook import ModelInfo, Round
from reportgen.schema.policy import Policy
from reportgen.schema.replication import Replication
from reportgen.schema.source import Source
from reportgen.schema.trade_off import TradeOff


class Role(StrEnum):
    """The playbook's three kinds of hyperparameter in a study."""

    SCIENTIFIC = "scientific"
    NUISANCE = "nuisance"
    FIXED = "fixed"


class Scale(StrEnum):
    LINEAR = "linear"
    LOG = "log"
    DISCRETE = "discrete"
    CATEGORICAL = "categorical"


class Phase(StrEnum):
    EXPLORATION = "exploration"
    EXPLOITATION = "exploitation"


class Condition(Model):
    """Active only when ``parent`` (a categorical hyperparameter) takes one of ``values``."""

    parent: HparamName
    values: list[Scalar] = Field(min_length=1)


class Hyperparameter(Model):
    """One axis of the search space.

    - ``linear``/``log``: continuous between ``low`` and ``high`` (``log`` samples log-uniformly);
    - ``discrete``: ordered numeric ``values`` (e.g. depth 1, 2, 3);
    - ``categorical``: unordered ``values``;
    - role ``fixed``: held at ``value`` for the whole study.
    """

    name: HparamName
    role: Role
    scale: Scale = Scale.LINEAR
    low: float | None = None
    high: float | None = None
    values: list[Scalar] | None = None
    value: Scalar | None = None
    condition: Condition | None = None
    description: str = ""
    # a fixed value's provenance: the batch size at which it was tuned (the batch-size lint
    # warns when the study trains at another one)
    tuned_at_batch_size: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> Hyperparameter:
        if self.tuned_at_batch_size is not None and self.role is not Role.FIXED:
            raise ValueError(
                "tuned_at_batch_size records where a fixed value came from; a searched "
                "hyperparameter is tuned at the study's own batch size"
            )
        if self.role is Role.FIXED:
            if self.value is None:
                raise ValueError("a fixed hyperparameter needs 'value'")
            if self.low is not None or self.high is not None or self.values is not None:
                raise ValueError("a fixed hyperparameter takes 'value' only, not low/high/values")
            return self
        if self.value is not None:
            raise ValueError("'value' is only for fixed hyperparameters")
        if self.scale in (Scale.LINEAR, Scale.LOG):
            if self.low is None or self.high is None:
                raise ValueError(f"a {self.scale} hyperparameter needs 'low' and 'high'")
            if not (math.isfinite(self.low) and math.isfinite(self.high)):
                raise ValueError("bounds must be finite")
            if not self.low < self.high:
                raise ValueError(
                    f"bounds out of order: low={self.low} is not below high={self.high}"
                )
            if self.scale is Scale.LOG and self.low <= 0:
                raise ValueError(f"a log scale needs positive bounds, got low={self.low}")
            if self.values is not None:
                raise ValueError(f"a {self.scale} hyperparameter takes low/high, not 'values'")
        else:
            if not self.values:
                raise ValueError(f"a {self.scale} hyperparameter needs a non-empty 'values' list")
            if len(set(map(repr, self.values))) != len(self.values):
                raise ValueError("'values' holds duplicates")
            if self.scale is Scale.DISCRETE:
                if not all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in self.values
                ):
                    raise ValueError("discrete values must be numbers")
                if not all(math.isfinite(float(v)) for v in self.values):  # type: ignore[arg-type]
                    raise ValueError("discrete values must be finite")
            if self.low is not None or self.high is not None:
                raise ValueError(f"a {self.scale} hyperparameter takes 'values', not low/high")
        return self

    @property
    def varied(self) -> bool:
        return self.role is not Role.FIXED

    def contains(self, v: Scalar) -> bool:
        """Whether ``v`` is a value this hyperparameter can take."""
        if self.role is Role.FIXED:
            return _num_eq(v, self.value)
        if self.scale in (Scale.LINEAR, Scale.LOG):
            if isinstance(v, bool) or not isinstance(v, int | float):
                return False
            tol = 1e-9 * max(1.0, abs(self.high or 0.0), abs(self.low or 0.0))
            return (self.low or 0.0) - tol <= v <= (self.high or 0.0) + tol
        return any(_num_eq(v, c) for c in self.values or [])


def _num_eq(a: Scalar | None, b: Scalar | None) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


class SearchKind(StrEnum):
    QUASI_RANDOM = "quasi_random"
    GRID = "grid"
    MANUAL = "manual"
    BAYESIAN = "bayesian"


class SearchAlgorithm(Model):
    """How trials are sampled. ``seed`` is the sampler seed (scrambled Halton by default)."""

    kind: SearchKind = SearchKind.QUASI_RANDOM
    seed: int = Field(default=0, ge=0)
    points: list[dict[HparamName, Scalar]] | None = None

    @model_validator(mode="after")
    def _points(self) -> SearchAlgorithm:
        if self.kind is SearchKind.MANUAL and not self.points:
            raise ValueError("a manual search needs a non-empty 'points' list")
        if self.kind is not SearchKind.MANUAL and self.points is not None:
            raise ValueError("'points' is only for a manual search")
        return self


class Baseline(Model):
    """The incumbent: a value of a scientific hyperparameter of this study, or another study."""

    hyperparameter: HparamName | None = None
    value: Scalar | None = None
    study: SafeId | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Baseline:
        inside = self.hyperparameter is not None
        if inside == (self.study is not None):
            raise ValueError("give either 'hyperparameter' with 'value', or 'study'")
        if inside and self.value is None:
            raise ValueError("a baseline hyperparameter needs its 'value'")
        return self


class Verdict(StrEnum):
    ADOPT = "adopt"
    REJECT = "reject"
    INCONCLUSIVE = "inconclusive"


class Override(Model):
    """A human decision that stands beside the computed verdict."""

    verdict: Verdict
    reason: str = Field(min_length=1)
    by: str = ""
    date: dt.date | None = None


class ChangelogEntry(Model):
    revision: int = Field(ge=1)
    date: dt.date | None = None
    summary: str = Field(min_length=1)


class Workload(Model):
    """The workload, by ``name`` (built in or registered through the ``tuning_logbook.workloads``
    entry-point group) or by ``entry`` (an import path ``package.module:make_workload``), and its
    settings (batch size, model width, ...), validated by the workload's own settings model."""

    name: str | None = Field(default=None, min_length=1)
    entry: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$",
        description="import path 'package.module:attribute' of a workload or its factory",
    )
    settings: dict[str, Scalar] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_source(self) -> Workload:
        if (self.name is None) == (self.entry is None):
            raise ValueError("give either 'name' or 'entry' (package.module:make_workload)")
        return self

    @property
    def label(self) -> str:
        """How pages name the workload."""
        return self.name or self.entry or ""


class StudySpec(Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    study_id: SafeId
    title: str = Field(min_length=1)
    goal: str = Field(min_length=1)
    phase: Phase = Phase.EXPLORATION
    workload: Workload
    objective: Objective = Field(default_factory=Objective)
    trade_offs: list[TradeOff] = Field(
        default_factory=list,
        description="secondary metrics weighed against the objective (costs such as "
        "step_seconds or examples_seen), each with a direction and an optional constraint",
    )
    search_space: list[Hyperparameter] = Field(min_length=1)
    search: SearchAlgorithm = Field(default_factory=SearchAlgorithm)
    trial_budget: int = Field(gt=0)
    max_train_steps: int = Field(gt=0)
    eval_every: int = Field(gt=0)
    baseline: Baseline | None = None
    candidate: Scalar | None = None
    policy: Policy = Field(default_factory=Policy)
    revision: int = Field(default=1, ge=1)
    records_from: int | None = Field(
        default=None,
        ge=1,
        description="a revision that re-decides revision N's records: it has no runs of its own "
        "design and reads the trials recorded under N (and whatever N reads), plus any recorded "
        "under this revision (reruns, retrains); N's spec must hold the same experiment",
    )
    changelog: list[ChangelogEntry] = Field(default_factory=list)
    override: Override | None = None
    notes: str = ""
    # --- playbook coverage: rounds, model, task, chance level (all optional) ---
    round: Round | None = None
    model: ModelInfo = Field(default_factory=ModelInfo)
    task: str = Field(
        default="supervised classification", description="the playbook assumes supervised learning"
    )
    chance_level: float | None = Field(
        default=None, description="objective value of a model that guesses (e.g. 0.9 error on 10 classes)"
    )
    grid_override: str = Field(
        default="",
        description="reason to run grid search in more than two dimensions, or a Bayesian phase "
        "before the exploration checks pass",
    )
    source: Source | None = None  # set when the study was imported from another tool
    # the target every batch size races to (a batch-size study), fixed before it runs
    steps_to_result: StepsToResult | None = None
    replication: Replication | None = None  # the published result this study replicates
    checkpoints: Checkpoints | None = Field(
        default=None,
        description="save training states and each trial's best parameters (Orbax, outside git)",
    )

    @field_validator("search_space")
    @classmethod
    def _unique_names(cls, v: list[Hyperparameter]) -> list[Hyperparameter]:
        seen: set[str] = set()
        for hp in v:
            if hp.name in seen:
                raise ValueError(f"hyperparameter name {hp.name!r} appears more than once")
            seen.add(hp.name)
        return v

    @field_validator("trade_offs")
    @classmethod
    def _distinct_metrics(cls, v: list[TradeOff], info: ValidationInfo) -> list[TradeOff]:
        objective = info.data.get("objective")
        seen: set[str] = set()
        for i, t in enumerate(v):
            if objective is not None and t.metric == objective.metric:
                raise ValueError(f"entry {i}: {t.metric!r} is the objective itself")
            if t.metric in seen:
                raise ValueError(f"entry {i}: {t.metric!r} is named twice")
            seen.add(t.metric)
        return v

    @field_validator("records_from")
    @classmethod
    def _earlier(cls, v: int | None, info: ValidationInfo) -> int | None:
        revision = info.data.get("revision")
        if v is not None and revision is not None and v >= revision:
            raise ValueError(f"{v} is not an earlier revision than this one ({revision})")
        return v

    @model_validator(mode="after")
    def _cross_fields(self) -> StudySpec:
        by_name = {hp.name: hp for hp in self.search_space}
        for hp in self.search_space:
            if hp.condition is None:
                continue
            parent = by_name.get(hp.condition.parent)
            if parent is None:
                raise ValueError(
                    f"{hp.name}: condition parent {hp.condition.parent!r} is not in the search space"
                )
            if parent.scale is not Scale.CATEGORICAL and parent.role is not Role.FIXED:
                raise ValueError(f"{hp.name}: condition parent {parent.name!r} must be categorical")
            for val in hp.condition.values:
                if not parent.contains(val):
                    raise ValueError(
                        f"{hp.name}: condition value {val!r} is not a value of {parent.name!r}"
                    )
        if self.eval_every > self.max_train_steps:
            raise ValueError("eval_every is larger than max_train_steps")
        if self.baseline is not None and self.baseline.hyperparameter is not None:
            hp = by_name.get(self.baseline.hyperparameter)
            if hp is None:
                raise ValueError(
                    f"baseline hyperparameter {self.baseline.hyperparameter!r} is not in the search space"
                )
            if hp.role is not Role.SCIENTIFIC:
                raise ValueError(
                    f"baseline hyperparameter {hp.name!r} is {hp.role}, not scientific"
                )
            if not hp.contains(self.baseline.value):  # type: ignore[arg-type]
                raise ValueError(
                    f"baseline value {self.baseline.value!r} is not a value of {hp.name!r}"
                )
        for entry in self.changelog:
            if entry.revision > self.revision:
                raise ValueError(
                    f"changelog names revision {entry.revision}, above the study's revision {self.revision}"
                )
        if self.search.points:
            for i, point in enumerate(self.search.points):
                for name, val in point.items():
                    hp = by_name.get(name)
                    if hp is None:
                        raise ValueError(f"search.points[{i}]: {name!r} is not in the search space")
                    if not hp.contains(val):
                        raise ValueError(f"search.points[{i}]: {name}={val!r} is outside its range")
        return self

    def hyperparameter(self, name: str) -> Hyperparameter:
        for hp in self.search_space:
            if hp.name == name:
                return hp
        known = ", ".join(hp.name for hp in self.search_space)
        raise KeyError(f"no hyperparameter {name!r}; known: {known}")

    def by_role(self, role: Role) -> list[Hyperparameter]:
        return [hp for hp in self.search_space if hp.role is role]

    @property
    def sampler_recorded(self) -> bool:
        """Whether ``search`` says how the trials were sampled: always for studies run here; an
        imported study's spec only says so when its ``search`` was written in, not defaulted."""
        return self.source is None or "search" in self.model_fields_set

    @property
    def varied(self) -> list[Hyperparameter]:
        return [hp for hp in self.search_space if hp.varied]

    @property
    def batch_sizes(self) -> list[int]:
        """The batch sizes it trains at, sorted: its batch_size values, else the setting's."""
        found = {int(v) for hp in self.search_space if hp.name.rsplit(".", 1)[-1] == "batch_size"
                 for v in (hp.values if hp.values is not None else [hp.value])
                 if isinstance(v, int | float) and not isinstance(v, bool)}  # fmt: skip
        setting = self.workload.settings.get("batch_size")
        if not found and isinstance(setting, int | float) and not isinstance(setting, bool):
            found.add(int(setting))
        return sorted(found)

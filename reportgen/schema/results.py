"""Results passed from the analysis layer to charts, pages and the CLI (never persisted as records).

These are the contract between layers: analysis returns them, charts and pages only read them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from reportgen.schema.common import Model, Scalar
from reportgen.schema.playbook import PlaybookExtras
from reportgen.schema.policy import Policy
from reportgen.schema.study import Direction, Objective, Override, Verdict
from reportgen.schema.trial import Status, TrialKind

Evidence = dict[str, Scalar | None | list[Scalar | None]]


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    PROBLEM = "problem"


class Finding(Model):
    """One check's outcome, with its numbers and the playbook section it comes from."""

    key: str
    severity: Severity
    message: str
    anchor: str
    subject: str = ""  # hyperparameter name, trial id or scientific value the finding is about
    evidence: Evidence = Field(default_factory=dict)


class TrialPoint(Model):
    """A trial reduced to what the study-level views need."""

    trial_id: str
    kind: TrialKind
    group: str = ""
    status: Status
    status_reason: str = ""
    hyperparameters: dict[str, Scalar]
    value: float | None  # objective (best over training or final); None when infeasible
    best_step: int | None = None
    rank: int | None = None  # 1 = best feasible trial
    index: int | None = None  # position in the sampler's sequence


class Summary(Model):
    n_trials: int
    by_status: dict[str, int]
    by_reason: dict[str, int]
    infeasible_fraction: float
    best: TrialPoint | None
    top: list[TrialPoint]
    points: list[TrialPoint]
    # best objective so far after each search trial, in sampler order (None until one is feasible)
    best_so_far: list[float | None] = Field(default_factory=list)
    # the smallest step the objective can take (1 / validation examples for a rate metric):
    # pages show values to the precision it supports; None when not known
    resolution: float | None = None


class IsolationPoint(Model):
    label: str
    value: Scalar | None = None  # the scientific value (categorical/discrete)
    low: float | None = None  # bucket bounds (continuous)
    high: float | None = None
    best_value: float | None
    best_trial_id: str | None
    n_trials: int
    n_feasible: int


class Isolation(Model):
    """Best trial per scientific value (or bucket), nuisance hyperparameters optimised away."""

    hyperparameter: str
    bucketed: bool
    points: list[IsolationPoint]


class RetrainGroup(Model):
    """Trial variance: one configuration retrained with new seeds."""

    group: str
    label: str
    trial_ids: list[str]
    values: list[float]
    n: int
    n_infeasible: int = 0
    mean: float | None
    std: float | None
    ci_low: float | None
    ci_high: float | None


class StudyVariance(Model):
    """Spread of best-of-study across sampler seeds: measured from reruns, else bootstrapped."""

    source: str  # "reruns" or "bootstrap"
    n: int
    values: list[float]
    mean: float | None
    std: float | None
    label: str
    # central (1 - 2 * false_adopt_rate) range of the values, drawn as the study's interval
    low: float | None = None
    high: float | None = None


class ExpectedBest(Model):
    k: int
    mean: float
    low: float
    high: float


class Variance(Model):
    trial: list[RetrainGroup]
    study: StudyVariance | None
    expected_best: list[ExpectedBest]
    pooled_trial_std: float | None = None


class Estimand(Model):
    """The one score every number of the decision uses: each arm's value in each retrain, search
    and rerun, the retrain table, the isolation and the variance chart."""

    metric: str
    direction: Direction
    score: Literal["best_over_training", "final", "late_half_mean"]
    label: str  # e.g. "valid_error, best over training (lower is better)"
    reason: str = ""  # why this score and not the objective's own mode, when they differ


class SeedRow(Model):
    """One sampler seed of the decision: each arm's score and their difference."""

    seed: str  # "this search" or the rerun group
    candidate: float
    baseline: float
    difference: float  # positive = candidate better
    source: str  # "mean of n retrains" or "best search trial"


class ArmComparison(Model):
    """One scientific value against the baseline, at the family-wise level of its step."""

    candidate_label: str
    effect: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    se: float | None = None
    df: float | None = None
    level: float | None = None  # one-sided level the interval is drawn at
    n_candidate: int = 0  # feasible retrains in the look
    n_baseline: int = 0
    verdict: Verdict = Verdict.INCONCLUSIVE
    seeds: list[SeedRow] = Field(default_factory=list)


class PlanCost(Model):
    """What the rest of the decision plan can still ask for, announced with the first 'Next:'."""

    retrains: int  # retrains still to run (all arms, up to the plan's last look)
    reruns: int  # reruns still to run (each a whole search of ``trial_budget`` trials)
    trials: int  # retrains + reruns x trial budget
    accelerator_hours: float | None = None  # from the study's own median trial wall time
    seconds_per_trial: float | None = None


class Decision(Model):
    verdict: Verdict
    candidate_label: str
    baseline_label: str
    candidate: RetrainGroup | None = None
    baseline: RetrainGroup | None = None
    effect: float | None = None  # improvement of candidate over baseline, positive is better
    ci_low: float | None = None
    ci_high: float | None = None
    retrains_needed: int | None = None
    reason: str
    next_step: str
    override: Override | None = None
    policy: Policy
    # The decision rule in one sentence a reader can check (shown on the policy page and card).
    procedure: str = ""
    # Plain-text limits of this verdict (e.g. nuisance-tuning luck not covered without reruns);
    # the summary card lists them beside the verdict.
    caveats: list[str] = Field(default_factory=list)
    # the score of every number of the decision (metric, how each trial is scored, direction)
    estimand: Estimand | None = None
    # every value compared with the baseline (one row with two arms), the decided one first
    comparisons: list[ArmComparison] = Field(default_factory=list)
    family: int = 1  # comparisons the family-wise level covers (Holm)
    plan: PlanCost | None = None


class CheckScope(Model):
    """What one question of the "before you conclude" checklist looked at, and whether it could
    answer: a check is only ticked where it ran and could have failed.

    ``state``: ``ran`` (looked and found nothing wrong unless a finding says so), ``not_run``
    (nothing it could judge: no tick), ``partial`` (part of what it covers was not judged, said
    in ``not_judged``), ``open`` (it ran and the answer is not yet yes, said in ``not_judged``).
    """

    topic: str  # the checklist topic id: stability, design, boundaries, density, ...
    looked_at: str
    state: Literal["ran", "not_run", "partial", "open"] = "ran"
    not_judged: str = ""


class StudyAnalysis(Model):
    study_id: str
    revision: int
    objective: Objective
    summary: Summary
    findings: list[Finding]
    isolation: list[Isolation]
    variance: Variance
    decision: Decision
    policy: Policy
    extras: PlaybookExtras = Field(default_factory=PlaybookExtras)
    scopes: list[CheckScope] = Field(default_factory=list)

"""Spec fields and analysis results for the playbook chapters beyond the core checks.

Spec side (grouped into ``StudySpec`` with defaults so older specs stay valid): the tuning
round as a fraction of the production step budget, the model family and its reference, the
task type and the chance level of the objective. Result side: the training regime, the rounds
view, gradient-norm statistics, loss-spike episodes, learning-rate schedules and warmup,
the budget card, hyperparameter importance, the sanity card, resources and provenance.
"""

from __future__ import annotations

from pydantic import Field

from reportgen.schema.batch_size import BatchSizeView
from reportgen.schema.common import Model, SafeId
from reportgen.schema.replication import ReplicationResult
from reportgen.schema.trade_off import TradeOffs

# --- spec -------------------------------------------------------------------------------------


class Round(Model):
    """Where a study sits in a multi-round plan for compute-bound training."""

    index: int = Field(default=1, ge=1, description="1 = the first (short) round")
    fraction: float = Field(
        default=1.0,
        gt=0,
        le=1,
        description="max_train_steps as a fraction of the production run's step budget",
    )
    planned_rounds: int = Field(default=2, ge=1, le=5, description="rounds in the plan")
    previous: SafeId | None = Field(
        default=None,
        description="study id of the previous (shorter) round, whose configurations this round "
        "trains again for longer: the page then answers whether the short round's ranking held",
    )


class ModelInfo(Model):
    """The architecture family a study tunes and the published setup it starts from."""

    family: str = ""
    reference: str = Field(default="", description="paper or reference model being reproduced")


# --- results ----------------------------------------------------------------------------------


class Regime(Model):
    """Whether training is limited by the step budget, judged from the search trials' curves."""

    label: str  # "compute-bound", "not compute-bound" or "unclear"
    n_diagnosed: int
    n_improving: int
    n_saturated: int
    reason: str


class RoundsView(Model):
    index: int
    planned_rounds: int
    fraction: float
    max_train_steps: int
    production_steps: int
    proposed_next_steps: int | None
    proposal: str
    transfer: list[tuple[str, str]] = Field(default_factory=list)  # (hyperparameter, likelihood)


class ScheduleExtension(Model):
    """The best round-1 schedule extended to the next round's budget (round 2 helper)."""

    trial_id: str
    family: str
    how: str
    old_share_high: float  # share of steps at >= half the peak rate
    new_share_high: float
    stretched_share_high: float
    points: list[tuple[str, int, float]]  # (schedule, step, learning rate) to draw


class GradNormStats(Model):
    """Gradient-norm statistics of one trial over all recorded eval intervals."""

    trial_id: str
    mean: float | None
    max: float | None
    p90: float | None  # mean over intervals of the per-interval 90th percentile
    clip: float  # the trial's clip threshold (0 = off)
    clipped_fraction: float | None
    # the 90th percentile of every step's norm: only where the record keeps every step (an
    # evaluation each step); otherwise None and the range of the per-interval 90th percentiles
    suggested_clip: float | None
    outlier_steps: list[int] = Field(default_factory=list)
    interval_stats: bool = True  # False: an older record with interval means only
    interval_p90_low: float | None = None
    interval_p90_high: float | None = None


class SpikeEpisode(Model):
    trial_id: str
    start_step: int
    end_step: int
    peak_ratio: float  # peak smoothed loss / running minimum before it
    phase: str  # "early" or "mid-training"


EARLY_PROBE_LR_FACTOR = 2.0  # (playbook) the probe trains at twice the best learning rate


def early_probe_steps(max_train_steps: int) -> int:
    """Steps of an early-instability probe: the first tenth of the study's budget, at least 20
    and at most 500, never more than the budget (a 100-step study gets a 20-step probe, not a
    500-step one). The runners size the probe with it and the analysis suggests it."""
    return min(max_train_steps, max(20, min(500, max_train_steps // 10)))


class EarlyProbe(Model):
    """What an early-instability probe showed: the first steps of a trial at twice its learning
    rate, evaluated every step."""

    trial_id: str
    source_trial: str  # the trial whose first steps the probe repeats (its group)
    learning_rate: float | None  # the probe's rate (twice the source's); None when not recorded
    steps: int  # steps the probe ran (its max_train_steps)
    outcome: str  # "stable", "spiked and recovered", "spiked, not recovered" or "diverged"
    episodes: list[SpikeEpisode] = Field(default_factory=list)
    diverged_step: int | None = None  # last recorded step of a diverged probe


class FitRow(Model):
    """One learning rate of a constant-rate sweep: the first evaluation where the training set
    was fit (training error at most the policy's threshold)."""

    trial_id: str
    learning_rate: float
    fit_step: int | None  # None: never fit within the trial's steps
    last_train_error: float | None  # the last recorded training error (None: not recorded)
    status: str  # the trial's status


class InitialSteps(Model):
    """The initial max_train_steps read from a constant-learning-rate sweep (playbook)."""

    learning_rate_name: str
    fit_threshold: float
    eval_every: int  # the fit step is known to within this many steps
    rows: list[FitRow] = Field(default_factory=list)  # by learning rate
    suggested_steps: int | None = None  # None: refused (see reason)
    fastest_trial: str | None = None
    reason: str = ""  # why nothing is suggested
    # what stopped a suggestion: "" (none), "schedule" (not a constant rate), "regularised",
    # "unrecorded" (no training error), "no_fit" (no rate fit in time), "boundary" (the fastest
    # rate is at an end of the grid, or the grid is too small to tell)
    refusal: str = ""


class WarmupRow(Model):
    base_learning_rate: str  # bucket label
    shortest_feasible_warmup: int | None
    warmups_tried: list[int]


class Importance(Model):
    method: str
    available: bool
    message: str = ""
    values: dict[str, float] = Field(default_factory=dict)  # hyperparameter -> share
    top_pair: list[str] = Field(default_factory=list)


class InteractionCell(Model):
    """Best objective in one cell of the grid over the two most important hyperparameters."""

    x: str
    y: str
    best: float | None
    n: int
    n_feasible: int


class ParallelPoint(Model):
    """One trial on one axis of the parallel-coordinates chart (sampling coordinates, 0..1)."""

    trial_id: str
    hyperparameter: str
    coordinate: float
    value: float | None
    rank: int | None


class Checkpoint(Model):
    """Retrospective checkpoint selection of one trial: best against final evaluation."""

    trial_id: str
    best_step: int | None
    best_value: float | None
    final_value: float | None
    gap: float | None  # final minus best, in objective units (how much the last step lost)


class BudgetCard(Model):
    n_scientific_values: int
    trials_per_value: dict[str, int]
    nuisance_widths: dict[str, str]  # name -> "2.0 decades" / "[0, 1]" / "3 values"
    n_search_trials: int
    trial_budget: int
    sampler: str
    grid_dimensions: int


class SanityCard(Model):
    chance_level: float | None
    best_value: float | None
    margin: float | None  # improvement of the best over chance, in objective units
    simple_start: list[tuple[str, str]] = Field(default_factory=list)  # (check, status)


class Resources(Model):
    device: str
    total_accelerator_hours: float  # device-hours: each trial's share of its group times devices
    per_trial_hours: float | None
    mean_step_seconds: float | None
    compile_seconds: float
    devices: str = ""  # devices per group as recorded ("1", "1 to 8"), or "not recorded"


class Provenance(Model):
    task: str
    model_family: str
    model_reference: str
    variance_sources: list[tuple[str, str]]  # (source, "varied" / "fixed" / "not recorded")
    data_splits: list[str]
    optimizer_rules: list[tuple[str, str]] = Field(default_factory=list)  # (optimizer, rule)
    convention: str = ""  # which implementation convention produced the numbers
    # what the records and the spec say about how the trials were made (framework, sampler,
    # pruner), each "not recorded" where nothing carries it
    setup: list[tuple[str, str]] = Field(default_factory=list)


class TransferRow(Model):
    """One configuration trained in both rounds: its objective and rank in each."""

    label: str
    previous_trial: str
    trial: str
    previous_value: float
    previous_rank: int
    value: float
    rank: int


class RoundTransfer(Model):
    """Whether the previous (shorter) round's ranking held in this (longer) round."""

    previous_study: str
    previous_steps: int
    steps: int
    matched: int  # configurations trained in both rounds (feasible in both)
    spearman: float | None = None  # rank correlation of the matched configurations
    winner_kept: bool = False  # the previous round's best matched configuration is best here
    previous_winner_rank: int | None = None  # its rank in this round
    rows: list[TransferRow] = Field(default_factory=list)


class PlaybookExtras(Model):
    """Everything the extra page sections show; default-empty so older analyses still validate."""

    regime: Regime | None = None
    rounds: RoundsView | None = None
    schedule_extension: ScheduleExtension | None = None
    grad_norms: list[GradNormStats] = Field(default_factory=list)
    spikes: list[SpikeEpisode] = Field(default_factory=list)
    unstable_trials: list[str] = Field(default_factory=list)  # LRs just above the best
    fix_menu: list[str] = Field(default_factory=list)
    warmup: list[WarmupRow] = Field(default_factory=list)
    warmup_share: dict[str, float] = Field(default_factory=dict)
    importance: Importance | None = None
    budget: BudgetCard | None = None
    sanity: SanityCard | None = None
    resources: Resources | None = None
    provenance: Provenance | None = None
    best_per_value: dict[str, str] = Field(default_factory=dict)  # scientific value -> trial id
    interaction: list[InteractionCell] = Field(default_factory=list)
    parallel: list[ParallelPoint] = Field(default_factory=list)
    best_step_fractions: dict[str, float] = Field(default_factory=dict)  # trial id -> fraction
    checkpoints: list[Checkpoint] = Field(default_factory=list)  # top trials
    eval_settings: list[tuple[str, str]] = Field(default_factory=list)  # (metric, setting)
    transfer: RoundTransfer | None = None  # the previous round's ranking against this round's
    batch_size: BatchSizeView | None = None  # throughput and steps to result per batch size
    replication: ReplicationResult | None = None  # whether the study agrees with its paper
    # the objective against each secondary metric the spec names (None when it names none)
    trade_offs: TradeOffs | None = None
    early_probes: list[EarlyProbe] = Field(default_factory=list)  # probes run on this revision
    initial_steps: InitialSteps | None = None  # set when the study is a learning-rate sweep

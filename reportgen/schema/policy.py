"""The decision policy: every threshold the analysis uses, in one object that pages print.

Numbers the playbook gives are marked (playbook); the rest are this tool's defaults, which the
playbook leaves open, and a study may override any of them in its spec under ``policy:``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from reportgen.schema.common import Model


class Policy(Model):
    # launch decision
    false_adopt_rate: float = Field(
        default=0.05,
        gt=0,
        lt=0.5,
        description="one-sided level of the adopt rule; held on A/A comparisons",
    )
    min_effect: float = Field(
        default=0.0,
        ge=0,
        description="smallest improvement (objective units) that pays for the added complexity",
    )
    min_retrains: int = Field(
        default=3, ge=2, description="retrains per arm before a verdict other than inconclusive"
    )
    max_retrains_suggested: int = Field(
        default=50, ge=2, description="cap on the 'run N more retrains' advice"
    )
    target_power: float = Field(
        default=0.8,
        gt=0,
        lt=1,
        description="power the 'run N more retrains' advice aims for at the observed effect",
    )
    look_sizes: list[int] = Field(
        default_factory=lambda: [3, 5, 10],
        min_length=1,
        description="planned looks: retrains per arm at which the verdict may change "
        "(group-sequential, Lan–DeMets alpha spending over the looks, the last one ending the "
        "plan); retrains beyond the last look reached wait",
    )
    spending: Literal["obrien_fleming", "pocock"] = Field(
        default="obrien_fleming",
        description="Lan–DeMets spending function of the planned looks: O'Brien–Fleming type "
        "keeps almost all of the error rate for the last look, Pocock type spreads it evenly",
    )
    eval_noise_ratio: float = Field(
        default=1.5,
        gt=1,
        description="arms' evaluation noise differing by more than this ratio: the decision "
        "scores retrains by the mean of their late evaluations instead of best over training",
    )
    nuisance_reruns: int = Field(
        default=4,
        ge=1,
        description="reruns (other sampler seeds) the plan uses to cover nuisance-tuning luck: "
        "with nuisance hyperparameters the verdict waits for them; later ones are not used",
    )
    # search-space boundaries
    top_k: int = Field(
        default=5, ge=1, description="trials counted as 'the best' for boundary and edge checks"
    )
    boundary_fraction: float = Field(
        default=0.1,
        gt=0,
        lt=0.5,
        description="edge zone as a fraction of the range in sampling coordinates",
    )
    boundary_z: float = Field(
        default=2.0,
        ge=0,
        description="the edge's best must beat the interior's best by this many standard "
        "deviations of the local trial-to-trial noise",
    )
    stability_min_diverged: int = Field(
        default=2,
        ge=1,
        description="diverged trials above the highest feasible learning rate that make a stability edge",
    )
    stability_edge_rank: int = Field(
        default=2,
        ge=1,
        description="the best trial is 'at the stability edge' when its learning rate is among this many highest that trained",
    )
    # infeasible trials
    infeasible_alarm: float = Field(
        default=0.2, ge=0, le=1, description="infeasible fraction that raises a finding"
    )
    # sampling density
    near_best_tolerance: float = Field(
        default=0.05,
        gt=0,
        description="relative distance to the best value that counts as 'near the best'",
    )
    near_best_sds: float = Field(
        default=3.0,
        gt=0,
        description="trial standard deviations (or evaluation noise) from the best that count as near it",
    )
    min_trials_near_best: int = Field(
        default=3, ge=1, description="fewer trials than this near the best means sparse sampling"
    )
    coverage_ratio: float = Field(
        default=1.5,
        ge=1,
        description="most/fewest trials per scientific value above this counts as uneven coverage",
    )
    late_best_so_far_fraction: float = Field(
        default=0.25,
        gt=0,
        lt=1,
        description="best trial found in this last fraction of the search: not levelled off",
    )
    adam_tiers: list[int] = Field(
        default_factory=lambda: [10, 25, 100],
        min_length=3,
        max_length=3,
        description="(playbook: 10, 25, 'substantially more than 25') trials before tuning "
        "Adam's beta1, epsilon and beta2 beyond the learning rate",
    )
    # training curves
    early_best_fraction: float = Field(
        default=0.10,
        gt=0,
        lt=1,
        description="(playbook) best step in the first 10% of training: too many steps",
    )
    late_best_fraction: float = Field(
        default=0.25,
        gt=0,
        lt=1,
        description="(playbook) best step in the last 25%: may gain from longer training",
    )
    overfit_rise: float = Field(
        default=0.05,
        ge=0,
        description="rise after the best, as a fraction of the curve's range, that counts as "
        "overfitting (besides exceeding the noise)",
    )
    noise_z: float = Field(
        default=3.0,
        gt=0,
        description="a curve change counts when it exceeds this many standard errors of the "
        "measured evaluation noise",
    )
    late_window_fraction: float = Field(
        default=0.2, gt=0, le=1, description="fraction of evals at the end used for noise and trend"
    )
    noise_ratio: float = Field(
        default=0.5,
        gt=0,
        description="late step-to-step noise above this fraction of the compared gap is flagged",
    )
    still_improving: float = Field(
        default=0.01,
        ge=0,
        description="improvement over the late window, as a fraction of the curve's range, that "
        "counts as still improving (besides exceeding the noise)",
    )
    saturated_fraction: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description="reaching the best level (within the noise) before this fraction of training is saturating early",
    )
    fit_train_error: float = Field(
        default=0.0,
        ge=0,
        lt=1,
        description="(tool default) a learning-rate sweep's trial fits the training set at the "
        "first evaluation whose training error (on the batches sampled since the last one) is "
        "at most this; the fastest fit is the suggested initial max_train_steps",
    )
    # instability, gradient norms, warmup (playbook coverage)
    spike_rise: float = Field(
        default=0.10,
        gt=0,
        description="(tool default) smoothed training loss this far above its running minimum, as a "
        "share of the loss scale (running minimum or first value, the larger), is a spike",
    )
    spike_min_fraction: float = Field(
        default=0.01,
        gt=0,
        lt=1,
        description="(tool default) a spike must last at least this fraction of the steps",
    )
    clip_aggressive: float = Field(
        default=0.5, gt=0, le=1, description="(playbook) clipped fraction above this: cut the LR"
    )
    grad_outlier_ratio: float = Field(
        default=3.0,
        gt=1,
        description="(tool default) interval max norm this many times the median interval max is an outlier",
    )
    warmup_max_share: float = Field(
        default=0.10,
        gt=0,
        lt=1,
        description="(playbook) warmup above this share of the steps is too long",
    )
    compute_bound_share: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="(tool default) share of diagnosed trials still improving that labels a study compute-bound",
    )
    # isolation and variance
    isolation_buckets: int = Field(
        default=5, ge=2, description="buckets for a continuous scientific hyperparameter"
    )
    isolation_min_feasible: int = Field(
        default=3,
        ge=1,
        description="(tool default) feasible trials each scientific value needs before its best "
        "counts as tuned, when nuisance hyperparameters are searched",
    )
    bootstrap_samples: int = Field(
        default=2000, ge=100, description="resamples for bootstrap estimates"
    )
    random_seed: int = Field(default=0, ge=0, description="seed of every bootstrap in the analysis")

    @field_validator("look_sizes")
    @classmethod
    def _increasing(cls, v: list[int]) -> list[int]:
        if v[0] < 2 or any(b <= a for a, b in zip(v, v[1:], strict=False)):
            raise ValueError("look sizes must be strictly increasing and at least 2")
        return v

    def looks(self) -> tuple[int, ...]:
        """The planned looks at or above ``min_retrains``."""
        kept = tuple(n for n in self.look_sizes if n >= self.min_retrains)
        return kept or (self.min_retrains,)

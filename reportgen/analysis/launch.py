"""Launch decision: every compared scientific value against the baseline, at planned looks.

The rule (``launch_text.procedure`` states it in one paragraph):

- **One estimand** (``estimand``): every arm is scored the same way everywhere (its retrains,
  its best trial in every rerun), so the effect is a difference on one stated scale.
- **Planned looks** (``sequential``): the verdict may change only at ``policy.looks()`` retrains
  per arm, from the first retrains of each arm up to the last look reached, at the nominal level
  of a Lan–DeMets spending plan that ends at the last planned look.
- **Both sources of variance** (``effect_model``): seed noise within a configuration (the
  retrains) and nuisance-tuning luck across sampler seeds (the reruns). A study with nuisance
  hyperparameters gets no verdict, neither adopt nor reject, until the plan's
  ``policy.nuisance_reruns`` reruns are in; it then uses those reruns and no later ones.
- **Feasibility**: diverged or failed retrains count against their arm; a candidate failing
  more often than the baseline beyond chance (one-sided Fisher exact test) is rejected.
- **Several values** (``family``): each value with retrains is compared with the baseline; Holm's
  step-down keeps the family-wise error rate, and the verdict names the comparison it decided.
- Adopt when the lower bound clears ``policy.min_effect``; reject when the upper bound is below
  it; a search budget favouring one arm withholds the verdict it favours.

Only the retrains count for this search, not the search trial they copy: that trial was selected
for being good, so its value is biased; fresh seeds are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from reportgen.analysis import effect_model as em
from reportgen.analysis.noise import paired_floor
from reportgen.schema import ArmComparison, RetrainGroup, SeedRow, Verdict


@dataclass(frozen=True)
class Draw:
    """One retrain of an arm: its score on the decision's estimand (NaN when infeasible)."""

    trial_id: str
    value: float
    reason: str = ""  # status reason of an infeasible retrain


@dataclass(frozen=True)
class Arm:
    """One side of a comparison: label, the source trial to retrain, its retrain group, the
    retrains in retrain order, how many search trials tuned it and its best search value per
    rerun group (value on the decision's estimand; "" is this search)."""

    label: str
    source_trial: str | None
    group: RetrainGroup | None
    draws: tuple[Draw, ...] = ()
    n_search: int = 0
    seed_bests: dict[str, float] = field(default_factory=dict)
    study_id: str = ""  # the study whose retrains these are ("" = the analysed study)


@dataclass(frozen=True)
class Setting:
    """What the decision needs to know about the study besides the arms."""

    study_id: str
    metric: str = "valid_error"
    eval_examples: int | None = None
    has_nuisance: bool = True
    late_score: bool = False  # the estimand is the late-half mean (arms' eval noise differs)
    baseline_study: str | None = None  # the other study holding the baseline arm, if any
    external: bool = False  # trained by the user's own loop: commands name `reportgen suggest`
    trial_budget: int = 0
    reruns_done: int = 0  # rerun groups of this study
    seconds_per_trial: float | None = None  # the study's median trial wall time


@dataclass
class Compared:
    """One candidate against the baseline at a look: its evidence and, once levelled, verdict."""

    candidate: Arm
    n: int
    effect: float | None = None
    se: float | None = None
    df: float | None = None
    retrain_var: float = 0.0
    seed_var: float = 0.0
    floor: float | None = None
    n_c: int = 0
    n_b: int = 0
    bad_c: list[Draw] = field(default_factory=list)
    bad_b: list[Draw] = field(default_factory=list)
    fail_p: float = 1.0
    seeds: list[SeedRow] = field(default_factory=list)
    reruns_used: int = 0
    level: float = 0.0
    low: float | None = None
    high: float | None = None
    verdict: Verdict = Verdict.INCONCLUSIVE
    blocked: str = ""  # why a verdict the interval supports is withheld
    constant: bool = False  # every retrain value identical: no noise to measure

    def comparison(self) -> ArmComparison:
        return ArmComparison(
            candidate_label=self.candidate.label,
            effect=self.effect,
            ci_low=self.low,
            ci_high=self.high,
            se=self.se,
            df=self.df,
            level=self.level,
            n_candidate=self.n_c,
            n_baseline=self.n_b,
            verdict=self.verdict,
            seeds=self.seeds,
        )


def _natural(name: str) -> tuple[str, int]:
    head = name.rstrip("0123456789")
    tail = name[len(head) :]
    return head, int(tail) if tail else -1


def rerun_seeds(candidate: Arm, baseline: Arm) -> list[str]:
    """Rerun groups where both arms have a best value, in sampler-seed order."""
    common = (set(candidate.seed_bests) & set(baseline.seed_bests)) - {""}
    return sorted(common, key=_natural)


def model_of(setting: Setting) -> str:
    if not setting.has_nuisance:
        return "retrains"
    return "retrains+spread" if setting.late_score else "seeds"


def evidence(
    candidate: Arm, baseline: Arm, n: int, sign: float, setting: Setting, reruns: int
) -> Compared:
    """The comparison's effect, standard error and degrees of freedom at the look of ``n``
    retrains per arm, using the first ``reruns`` reruns both arms have (0: retrains only)."""
    out = Compared(candidate, n)
    c_draws, b_draws = candidate.draws[:n], baseline.draws[:n]
    out.bad_c = [d for d in c_draws if not math.isfinite(d.value)]
    out.bad_b = [d for d in b_draws if not math.isfinite(d.value)]
    if len(out.bad_c) > len(out.bad_b):
        from scipy import stats  # lazily, and only here: slow to import

        bc, bb = len(out.bad_c), len(out.bad_b)
        out.fail_p = float(
            stats.fisher_exact([[bc, n - bc], [bb, n - bb]], alternative="greater").pvalue
        )
    c = np.array([sign * d.value for d in c_draws if math.isfinite(d.value)])
    b = np.array([sign * d.value for d in b_draws if math.isfinite(d.value)])
    out.n_c, out.n_b = c.size, b.size
    if min(c.size, b.size) < 2:
        return out
    seeds = rerun_seeds(candidate, baseline)[:reruns]
    cr = np.array([sign * candidate.seed_bests[s] for s in seeds])
    br = np.array([sign * baseline.seed_bests[s] for s in seeds])
    model = model_of(setting) if seeds else "retrains"
    est = em.estimate(c[None], b[None], cr[None], br[None], model)
    out.effect, out.se, out.df = float(est.effect[0]), float(est.se[0]), float(est.df[0])
    out.retrain_var, out.seed_var = float(est.retrain_var[0]), float(est.seed_var[0])
    out.reruns_used = len(seeds)
    floor = paired_floor(setting.metric, out.effect, setting.eval_examples)
    if floor is not None and out.se < floor:
        out.se, out.floor = floor, floor
    scale = max(1.0, float(np.abs(c).max()), float(np.abs(b).max()))
    out.constant = out.se <= 1e-12 * scale
    out.seeds = [
        SeedRow(
            seed="this search",
            candidate=float(sign * c.mean()),
            baseline=float(sign * b.mean()),
            difference=float(est.retrain_effect[0]),
            source=f"mean of {c.size} and {b.size} retrains",
        )
    ] + [
        SeedRow(
            seed=s,
            candidate=candidate.seed_bests[s],
            baseline=baseline.seed_bests[s],
            difference=float(br[i] - cr[i]),
            source="best search trial of each arm",
        )
        for i, s in enumerate(seeds)
    ]
    return out


def levelled(compared: list[Compared], level: float, min_effect: float) -> list[Compared]:
    """Holm's step-down over the comparisons at family-wise one-sided ``level``: the smallest
    p-value is tested at level / m, the next at level / (m - 1), ...; once one fails, the rest
    are drawn at the failing step's level (so no interval shown clears the minimum effect
    without having been adopted). Each comparison gets its level and interval."""
    usable = [x for x in compared if x.effect is not None and not x.constant]
    m = len(usable)
    ps = {
        id(x): float(
            em.adopt_p(np.array([x.effect]), np.array([x.se]), np.array([x.df]), min_effect)[0]
        )
        for x in usable
    }
    failed_at: float | None = None
    for j, x in enumerate(sorted(usable, key=lambda x: (ps[id(x)], x.candidate.label))):
        step = level / (m - j)
        if failed_at is None and ps[id(x)] > step:
            failed_at = step
        x.level = failed_at if failed_at is not None else step
        lo, hi = em.bounds(np.array([x.effect]), np.array([x.se]), np.array([x.df]), x.level)
        x.low, x.high = float(lo[0]), float(hi[0])
    return compared


def verdict_of(x: Compared, min_effect: float, ratio: float, baseline: Arm) -> None:
    """The comparison's own verdict from its interval, feasibility and search budgets."""
    fail_reject = x.fail_p < x.level
    if x.low is None or x.high is None:
        x.verdict = Verdict.REJECT if fail_reject else Verdict.INCONCLUSIVE
        return
    v = Verdict.INCONCLUSIVE
    if x.low > min_effect:
        v = Verdict.ADOPT
    elif x.high < min_effect:
        v = Verdict.REJECT
    c = x.candidate
    if v is Verdict.ADOPT and len(x.bad_c) > len(x.bad_b):
        x.blocked = (
            f"{c.label} diverged or failed in {len(x.bad_c)} of {x.n} retrains against "
            f"{len(x.bad_b)} of {x.n} for {baseline.label}"
        )
    elif v is Verdict.ADOPT and c.n_search > ratio * max(baseline.n_search, 1):
        x.blocked = (
            f"{c.label} was tuned with {c.n_search} search trials against {baseline.n_search} "
            f"for {baseline.label}; the better-tuned arm is favoured"
        )
    elif v is Verdict.REJECT and baseline.n_search > ratio * max(c.n_search, 1):
        x.blocked = (
            f"{baseline.label} was tuned with {baseline.n_search} search trials against "
            f"{c.n_search} for {c.label}; the better-tuned arm is favoured"
        )
    if x.blocked:
        v = Verdict.INCONCLUSIVE
    x.verdict = Verdict.REJECT if fail_reject else v

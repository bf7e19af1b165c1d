"""Launch decision: candidate against baseline, each from its retrain group, at planned looks.

The rule (``Decision.procedure`` states it in one sentence):

- **Planned looks** (``sequential``): the verdict may change only at ``policy.looks()`` retrains
  per arm. At the last look reached, the first n retrains of each arm (in retrain order) are
  compared; later retrains wait for the next look. Each look is tested at Pocock's nominal level,
  so the false-adopt rate over every look of the plan is ``policy.false_adopt_rate`` however
  often the study is analysed as retrains accumulate.
- **Feasibility**: diverged or failed retrains count against their arm. A candidate that fails
  more often than the baseline is never adopted; it is rejected when the difference is beyond
  chance (one-sided Fisher exact test at the look's level).
- **Effect and interval**: difference of retrain means (positive = candidate better), Welch
  standard error. With reruns, the effect is the mean over sampler seeds of the arms'
  difference (this search's from the retrains, each rerun's from the arms' best search values)
  with a one-sample t interval from their spread, so nuisance-tuning luck is averaged and
  counted; without reruns, a study with nuisance hyperparameters is never adopted (it may be
  rejected): the verdict names the reruns to run.
  The standard error is never below the paired-proportion floor of the gap on the validation
  set (``noise.paired_floor``).
- **Objective noise**: when the arms' evaluation noise differs by more than
  ``policy.eval_noise_ratio``, "best over training" favours the noisier arm; the retrains are
  then scored by the mean of their late evaluations instead, and the verdict says so.
- Adopt when the lower bound clears ``policy.min_effect``; reject when the upper bound is below
  it; otherwise inconclusive with the next planned look to reach.

Only the retrains count, not the search trial they copy: that trial was selected for being good,
so its value is biased; fresh seeds are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from reportgen.analysis.commands import rerun_command, retrain_command
from reportgen.analysis.findings import fmt
from reportgen.analysis.noise import paired_floor
from reportgen.analysis.sequential import look_reached, pocock_level
from reportgen.schema import Decision, Override, Policy, RetrainGroup, Verdict


@dataclass(frozen=True)
class Comparison:
    effect: float
    ci_low: float
    ci_high: float
    se: float
    df: float


def welch_bounds(
    mean_c: np.ndarray,
    var_c: np.ndarray,
    n_c: np.ndarray,
    mean_b: np.ndarray,
    var_b: np.ndarray,
    n_b: np.ndarray,
    sign: float,
    alpha: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Effect (positive = candidate better) and its one-sided-alpha bounds, vectorised (one look).

    ``sign`` is +1 when lower is better, -1 when higher is better.
    """
    a, b = var_c / n_c, var_b / n_b
    se = np.sqrt(a + b)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(se > 0, (a + b) ** 2 / (a**2 / (n_c - 1) + b**2 / (n_b - 1)), n_c + n_b - 2)
    df = np.where(np.isfinite(df) & (df > 0), df, n_c + n_b - 2)
    half = stats.t.ppf(1 - alpha, df) * se
    effect = -sign * (mean_c - mean_b)
    return effect, effect - half, effect + half


def compare(
    c: np.ndarray, b: np.ndarray, sign: float, level: float, floor: float | None = None
) -> Comparison:
    """Welch comparison of two samples at one-sided ``level``; ``floor`` bounds the standard
    error from below."""
    va, vb = c.var(ddof=1) / c.size, b.var(ddof=1) / b.size
    denom = va**2 / (c.size - 1) + vb**2 / (b.size - 1)
    df = (va + vb) ** 2 / denom if denom > 0 else float(c.size + b.size - 2)
    se = math.sqrt(va + vb)
    if floor is not None and se < floor:
        se = floor
    effect = -sign * float(c.mean() - b.mean())
    half = float(stats.t.isf(level, df)) * se
    return Comparison(effect, effect - half, effect + half, se, float(df))


def verdict_of(low: float, high: float, min_effect: float) -> Verdict:
    if low > min_effect:
        return Verdict.ADOPT
    if high < min_effect:
        return Verdict.REJECT
    return Verdict.INCONCLUSIVE


@dataclass(frozen=True)
class Draw:
    """One retrain of an arm: its objective, the mean of its late evaluations, its eval noise."""

    trial_id: str
    value: float  # NaN when infeasible
    late_mean: float = math.nan
    noise: float = math.nan
    reason: str = ""  # status reason of an infeasible retrain


@dataclass(frozen=True)
class Arm:
    """One side of the comparison: label, the source trial to retrain, its retrain group, the
    retrains in retrain order, how many search trials tuned it and its best search value per
    sampler seed (this search and each rerun)."""

    label: str
    source_trial: str | None
    group: RetrainGroup | None
    draws: tuple[Draw, ...] = ()
    n_search: int = 0
    seed_bests: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Setting:
    """What the decision needs to know about the study besides the arms."""

    study_id: str
    metric: str = "valid_error"
    best_over_training: bool = True
    eval_examples: int | None = None
    has_nuisance: bool = True
    baseline_study: str | None = None  # the other study holding the baseline arm, if any
    external: bool = False  # trained by the user's own loop: commands name `reportgen suggest`


def procedure(policy: Policy) -> str:
    looks = policy.looks()
    level = pocock_level(looks, policy.false_adopt_rate)
    return (
        f"Group-sequential Welch comparison with a Pocock boundary: the verdict is computed only "
        f"at {', '.join(map(str, looks))} retrains per arm, from the first retrains of each arm "
        f"up to the last of these looks reached, with a one-sided level of {level:.2%} at every "
        f"look so that the false-adopt rate over all looks is "
        f"{policy.false_adopt_rate:.0%}; diverged or failed retrains count against their arm, "
        f"with reruns the effect is averaged over sampler seeds with a t interval from their "
        f"spread (nuisance-tuning luck) and without reruns a study with nuisance "
        f"hyperparameters is not adopted, the standard "
        f"error is never below that of the gap's examples on the validation set; adopt when the "
        f"lower bound exceeds the minimum effect {fmt(policy.min_effect)}, reject when the "
        f"upper bound is below it."
    )


def _retrain_cmd(study_id: str, arm: Arm, seeds: int, setting: Setting) -> str:
    return retrain_command(study_id, arm.source_trial or "best", seeds, setting.external)


def _next_look(
    looks: tuple[int, ...], k: int, effect: float, var_sum: float, level: float, policy: Policy
) -> int:
    """The smallest later look at which the observed effect would likely clear the boundary."""
    distance = abs(effect - policy.min_effect)
    z = stats.norm.isf(level) + stats.norm.ppf(policy.target_power)
    want = math.inf if distance == 0 else z**2 * var_sum / distance**2
    later = looks[k + 1 :]
    return next((n for n in later if n >= want), later[-1])


def _rerun_differences(candidate: Arm, baseline: Arm, sign: float) -> list[float]:
    """Per-sampler-seed difference of the arms' best search values (positive = candidate
    better), for the reruns only (this search's seed is represented by the retrains)."""
    seeds = sorted((set(candidate.seed_bests) & set(baseline.seed_bests)) - {""})
    return [-sign * (candidate.seed_bests[s] - baseline.seed_bests[s]) for s in seeds]


def _nuisance_caveat(setting: Setting, policy: Policy, n_seeds: int) -> list[str]:
    if n_seeds >= 2:
        return [
            f"Nuisance-tuning luck is covered by {n_seeds} sampler seeds (this search and "
            f"{n_seeds - 1} rerun(s)): the effect is the mean over seeds of the arms' "
            f"difference (the retrains' difference for this search, the best values' difference "
            f"for each rerun) and its interval comes from their spread."
        ]
    if not setting.has_nuisance:
        return []
    return [
        "Nuisance-tuning luck is not covered: the interval counts the seed noise of the two "
        "retrained configurations only, and either arm's nuisance hyperparameters may have "
        "landed nearer their optimum by chance. Run "
        f"{rerun_command(setting.study_id, policy.nuisance_reruns, setting.external)} "
        "to cover it."
    ]


def across_seeds(retrain: Comparison, reruns: list[float], level: float) -> Comparison:
    """Mean over sampler seeds of the arms' difference: this search's from its retrains, one per
    rerun from the best values; one-sample t interval with as many degrees of freedom as reruns,
    never narrower than the retrains' own standard error."""
    values = np.array([retrain.effect, *reruns])
    se = max(float(values.std(ddof=1)) / math.sqrt(values.size), retrain.se)
    df = float(values.size - 1)
    effect = float(values.mean())
    half = float(stats.t.isf(level, df)) * se
    return Comparison(effect, effect - half, effect + half, se, df)


def decide(
    candidate: Arm | None,
    baseline: Arm | None,
    sign: float,
    policy: Policy,
    setting: Setting,
    override: Override | None,
) -> Decision:
    looks = policy.looks()
    level = pocock_level(looks, policy.false_adopt_rate)
    rule = procedure(policy)

    def result(verdict: Verdict, reason: str, next_step: str, **kw: object) -> Decision:
        return Decision(
            verdict=verdict,
            candidate_label=candidate.label if candidate else "none",
            baseline_label=baseline.label if baseline else "none",
            candidate=candidate.group if candidate else None,
            baseline=baseline.group if baseline else None,
            reason=reason,
            next_step=next_step,
            override=override,
            policy=policy,
            procedure=rule,
            **kw,  # type: ignore[arg-type]
        )

    if baseline is None:
        return result(
            Verdict.INCONCLUSIVE,
            "The study names no baseline to compare against.",
            "Name the incumbent in study.yaml: 'baseline' with a scientific value, or another study.",
        )
    if candidate is None:
        return result(
            Verdict.INCONCLUSIVE,
            f"No feasible candidate other than the baseline ({baseline.label}).",
            "Run trials of the scientific values to compare with the baseline.",
        )
    arms = (candidate, baseline)
    n_have = min(len(a.draws) for a in arms)
    k = look_reached(n_have, looks)
    if k is None:
        wants = ", ".join(f"{a.label} ({len(a.draws)} retrain(s))" for a in arms)
        shown: dict[str, float] = {}
        c_ok = np.array([d.value for d in candidate.draws if math.isfinite(d.value)])
        b_ok = np.array([d.value for d in baseline.draws if math.isfinite(d.value)])
        if min(c_ok.size, b_ok.size) >= 2:  # too few to decide, enough to show the effect so far
            early = compare(c_ok, b_ok, sign, level)
            shown = {"effect": early.effect, "ci_low": early.ci_low, "ci_high": early.ci_high}
        return result(
            Verdict.INCONCLUSIVE,
            f"Trial variance is not characterised: fewer than {looks[0]} retrains (the first "
            f"planned look) for {wants}.",
            f"Run {_retrain_cmd(setting.study_id, candidate, looks[0], setting)} and "
            f"{_retrain_cmd(setting.baseline_study or setting.study_id, baseline, looks[0], setting)}, "
            f"then analyse again.",
            retrains_needed=looks[0] - n_have,
            **shown,
        )
    n = looks[k]
    c_draws, b_draws = candidate.draws[:n], baseline.draws[:n]
    waiting = sum(len(a.draws) - n for a in arms)
    caveats: list[str] = []
    if waiting:
        caveats.append(
            f"{waiting} retrain(s) beyond the look at {n} per arm wait for the next planned look "
            f"({looks[k + 1]} per arm)."
            if k + 1 < len(looks)
            else f"{waiting} retrain(s) beyond the last planned look ({n} per arm) are not used."
        )

    # feasibility: failed retrains count against their arm
    bad_c = [d for d in c_draws if not math.isfinite(d.value)]
    bad_b = [d for d in b_draws if not math.isfinite(d.value)]
    feasibility = ""
    withhold = ""
    fail_reject = False
    if bad_c or bad_b:
        feasibility = (
            f" Infeasible retrains: {candidate.label} {len(bad_c)} of {n}"
            + (f" ({', '.join(d.trial_id for d in bad_c)})" if bad_c else "")
            + f", {baseline.label} {len(bad_b)} of {n}"
            + (f" ({', '.join(d.trial_id for d in bad_b)})" if bad_b else "")
            + "."
        )
        if len(bad_c) > len(bad_b):
            p = stats.fisher_exact(
                [[len(bad_c), n - len(bad_c)], [len(bad_b), n - len(bad_b)]],
                alternative="greater",
            ).pvalue
            fail_reject = bool(p < level)
            withhold = (
                f"{candidate.label} diverged or failed in {len(bad_c)} of {n} retrains against "
                f"{len(bad_b)} of {n} for {baseline.label}"
            )
    c_ok = [d for d in c_draws if math.isfinite(d.value)]
    b_ok = [d for d in b_draws if math.isfinite(d.value)]
    if min(len(c_ok), len(b_ok)) < 2:
        return result(
            Verdict.REJECT if fail_reject else Verdict.INCONCLUSIVE,
            f"Fewer than 2 feasible retrains in an arm at the look of {n} per arm.{feasibility}",
            "Find out why the retrains fail before comparing; the trial ids are listed above.",
            caveats=caveats,
        )

    # objective noise: best over training favours the noisier arm
    estimand = "best over training"
    noise = [float(np.sqrt(np.nanmean([d.noise**2 for d in ok]))) for ok in (c_ok, b_ok)]
    ratio = max(noise) / min(noise) if min(noise) > 0 else (math.inf if max(noise) > 0 else 1.0)
    use_late = setting.best_over_training and ratio > policy.eval_noise_ratio
    if use_late:
        estimand = "mean of the late half of the evaluations"
        noisier = candidate.label if noise[0] > noise[1] else baseline.label
        caveats.append(
            f"Evaluation noise differs between the arms ({fmt(noise[0])} vs {fmt(noise[1])}, "
            f"ratio {ratio:.1f} > {policy.eval_noise_ratio:g}): best over training would favour "
            f"the noisier arm ({noisier}), so each retrain is scored by the mean of the late "
            f"half of its evaluations instead."
        )
    pick = (lambda d: d.late_mean) if use_late else (lambda d: d.value)
    c = np.array([pick(d) for d in c_ok])
    b = np.array([pick(d) for d in b_ok])

    reruns = _rerun_differences(candidate, baseline, sign)
    caveats += _nuisance_caveat(setting, policy, len(reruns) + 1)
    floor = paired_floor(setting.metric, -sign * float(c.mean() - b.mean()), setting.eval_examples)
    cmp = compare(c, b, sign, level, floor=floor)
    if reruns and cmp.se > 1e-12:
        cmp = across_seeds(cmp, reruns, level)
    scale = max(1.0, float(np.abs(c).max()), float(np.abs(b).max()))
    if cmp.se <= 1e-12 * scale:  # identical values (up to rounding): nothing measures the noise
        return result(
            Verdict.INCONCLUSIVE,
            f"All retrain values are identical ({fmt(float(c[0]))} and {fmt(float(b[0]))}): "
            f"there is no spread to measure noise with, and the validation set size is not "
            f"recorded.{feasibility}",
            "Check that the retrains really use new seeds, and record `eval_examples` so the "
            "validation set's resolution bounds the interval.",
            effect=cmp.effect,
            caveats=caveats,
        )
    floor_binds = floor is not None and cmp.se == floor
    if floor_binds:
        caveats.append(
            f"The interval is set by the validation set's resolution: a gap of "
            f"{fmt(abs(cmp.effect))} over {setting.eval_examples} examples has a standard error "
            f"of at least {fmt(floor)} however many retrains agree."
        )
    verdict = verdict_of(cmp.ci_low, cmp.ci_high, policy.min_effect)
    budget = ""
    if candidate.n_search > policy.coverage_ratio * max(baseline.n_search, 1):
        budget = (
            f"{candidate.label} was tuned with {candidate.n_search} search trials against "
            f"{baseline.n_search} for {baseline.label}; the better-tuned arm is favoured"
        )
    luck = ""
    if not reruns and setting.has_nuisance:
        luck = (
            "nuisance-tuning luck is not covered (no reruns with other sampler seeds), so an "
            "arm whose nuisance hyperparameters landed nearer their optimum by chance would "
            "look better"
        )
    if verdict is Verdict.ADOPT and (withhold or budget or luck):
        verdict = Verdict.INCONCLUSIVE
    if fail_reject:
        verdict = Verdict.REJECT

    evidence = (
        f"effect {fmt(cmp.effect)} (positive = candidate better), interval "
        f"[{fmt(cmp.ci_low)}, {fmt(cmp.ci_high)}] at the look of {n} retrains per arm "
        f"({len(c)} vs {len(b)} feasible, {estimand}, one-sided level {level:.2%} of the "
        f"sequential plan), minimum effect {fmt(policy.min_effect)}"
    )
    needed = None
    if verdict is Verdict.ADOPT:
        reason = f"{candidate.label} beats {baseline.label}: {evidence}; the lower bound clears the minimum effect.{feasibility}"
        next_step = f"Adopt {candidate.label} as the new baseline and record the decision."
    elif verdict is Verdict.REJECT:
        why = (
            f"{withhold}, beyond chance at the look's level"
            if fail_reject
            else "the upper bound is below the minimum effect"
        )
        reason = f"{candidate.label} does not pay off against {baseline.label}: {evidence}; {why}.{feasibility}"
        next_step = f"Keep {baseline.label}; drop the change or rethink it."
    elif withhold or budget or (luck and cmp.ci_low > policy.min_effect):
        blocked = "; ".join(x for x in (withhold, budget, luck) if x)
        reason = (
            f"{candidate.label} is not adopted although its interval clears the minimum effect "
            f"({evidence}): {blocked}.{feasibility}"
            if cmp.ci_low > policy.min_effect
            else f"Cannot tell {candidate.label} from {baseline.label} yet: {evidence}; "
            f"also {blocked}.{feasibility}"
        )
        next_step = (
            "Find out why the candidate's retrains fail (the trial ids are listed) before "
            "comparing again."
            if withhold
            else f"Give {baseline.label} the same search budget as {candidate.label} (or compare "
            "values searched with equal budgets), then retrain and analyse again."
            if budget
            else f"Run {rerun_command(setting.study_id, policy.nuisance_reruns, setting.external)}"
            " to repeat the search with other sampler seeds, then "
            "analyse again: adopting waits for the reruns."
        )
    elif k + 1 >= len(looks):
        reason = (
            f"No difference above the minimum effect was found by the last planned look: "
            f"{evidence}.{feasibility}"
        )
        next_step = (
            f"The sequential plan is spent at {n} retrains per arm: keep {baseline.label}; more "
            f"retrains of the same arms would not keep the stated error rate."
        )
    else:
        var_sum = float(c.var(ddof=1) + b.var(ddof=1))
        target = _next_look(looks, k, cmp.effect, var_sum, level, policy)
        needed = target - n
        reason = (
            f"Cannot tell {candidate.label} from {baseline.label} yet: {evidence}; the "
            f"interval straddles the minimum effect.{feasibility}"
        )
        next_step = (
            f"Bring both arms to the planned look of {target} retrains per arm ({needed} more "
            f"each): {_retrain_cmd(setting.study_id, candidate, target, setting)} and "
            f"{_retrain_cmd(setting.baseline_study or setting.study_id, baseline, target, setting)}, "
            f"then analyse again."
        )
    return result(
        verdict,
        reason,
        next_step,
        effect=cmp.effect,
        ci_low=cmp.ci_low,
        ci_high=cmp.ci_high,
        retrains_needed=needed,
        caveats=caveats,
    )

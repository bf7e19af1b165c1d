"""Launch decision: candidate against baseline, each from its retrain group.

The effect is the difference of retrain means, signed so that positive means the candidate is
better. Its interval is a Welch t-interval whose bounds are one-sided at ``policy.false_adopt_rate``.
Adopt when the lower bound exceeds ``policy.min_effect``; reject when the upper bound is below it;
otherwise inconclusive, with the retrains per arm that would likely settle it.

Only the retrains count, not the search trial they copy: that trial was selected for being good,
so its value is biased; fresh seeds are not. This is why choosing the candidate as the best value
of the search does not inflate the false-adopt rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from reportgen.analysis.findings import fmt
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
    """Effect (positive = candidate better) and its one-sided-alpha bounds, vectorised.

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
    candidate: RetrainGroup, baseline: RetrainGroup, sign: float, alpha: float
) -> Comparison:
    c, b = np.asarray(candidate.values), np.asarray(baseline.values)
    args = (c.mean(), c.var(ddof=1), c.size, b.mean(), b.var(ddof=1), b.size)
    effect, low, high = welch_bounds(*(np.asarray(x, dtype=float) for x in args), sign, alpha)
    va, vb = args[1] / c.size, args[4] / b.size
    se = math.sqrt(va + vb)
    df = (
        (va + vb) ** 2 / (va**2 / (c.size - 1) + vb**2 / (b.size - 1))
        if se > 0
        else c.size + b.size - 2
    )
    return Comparison(float(effect), float(low), float(high), se, float(df))


def verdict_of(low: float, high: float, min_effect: float) -> Verdict:
    if low > min_effect:
        return Verdict.ADOPT
    if high < min_effect:
        return Verdict.REJECT
    return Verdict.INCONCLUSIVE


def retrains_needed(
    comparison: Comparison, n_now: int, var_sum: float, min_effect: float, policy: Policy
) -> int:
    """Extra retrains per arm for the interval to clear ``min_effect`` at the observed effect,
    with probability ``policy.target_power`` (normal approximation), capped by the policy."""
    distance = abs(comparison.effect - min_effect)
    z = stats.norm.ppf(1 - policy.false_adopt_rate) + stats.norm.ppf(policy.target_power)
    if distance == 0:
        return policy.max_retrains_suggested
    total = math.ceil(z**2 * var_sum / distance**2)
    return int(min(policy.max_retrains_suggested, max(1, total - n_now)))


@dataclass(frozen=True)
class Arm:
    """One side of the comparison: its label, the source trial to retrain and its retrain group."""

    label: str
    source_trial: str | None
    group: RetrainGroup | None


def decide(
    candidate: Arm | None,
    baseline: Arm | None,
    sign: float,
    policy: Policy,
    study_id: str,
    override: Override | None,
) -> Decision:
    def inconclusive(reason: str, next_step: str, **kw: object) -> Decision:
        return Decision(
            verdict=Verdict.INCONCLUSIVE,
            candidate_label=candidate.label if candidate else "none",
            baseline_label=baseline.label if baseline else "none",
            candidate=candidate.group if candidate else None,
            baseline=baseline.group if baseline else None,
            reason=reason,
            next_step=next_step,
            override=override,
            policy=policy,
            **kw,  # type: ignore[arg-type]
        )

    if baseline is None:
        return inconclusive(
            "The study names no baseline to compare against.",
            "Name the incumbent in study.yaml: 'baseline' with a scientific value, or another study.",
        )
    if candidate is None:
        return inconclusive(
            f"No feasible candidate other than the baseline ({baseline.label}).",
            "Run trials of the scientific values to compare with the baseline.",
        )
    short = [
        arm
        for arm in (candidate, baseline)
        if arm.group is None or arm.group.n < policy.min_retrains
    ]
    if short:
        wants = ", ".join(
            f"{a.label} ({a.group.n if a.group else 0} retrain(s)"
            + (f", source trial {a.source_trial})" if a.source_trial else ")")
            for a in short
        )
        trial = short[0].source_trial or "best"
        shown: dict[str, float] = {}
        c_group, b_group = candidate.group, baseline.group
        if c_group is not None and b_group is not None and min(c_group.n, b_group.n) >= 2:
            # too few retrains to decide, but enough to show the effect so far
            early = compare(c_group, b_group, sign, policy.false_adopt_rate)
            shown = {"effect": early.effect, "ci_low": early.ci_low, "ci_high": early.ci_high}
        return inconclusive(
            f"Trial variance is not characterised: fewer than {policy.min_retrains} feasible "
            f"retrains for {wants}.",
            f"Run `reportgen retrain {study_id} --trial {trial} --seeds {policy.min_retrains + 2}` "
            f"for each arm below {policy.min_retrains} retrains, then analyse again.",
            **shown,
        )
    assert candidate.group is not None and baseline.group is not None
    cmp = compare(candidate.group, baseline.group, sign, policy.false_adopt_rate)
    verdict = verdict_of(cmp.ci_low, cmp.ci_high, policy.min_effect)
    level = 1 - 2 * policy.false_adopt_rate
    evidence = (
        f"effect {fmt(cmp.effect)} (positive = candidate better), {level:.0%} interval "
        f"[{fmt(cmp.ci_low)}, {fmt(cmp.ci_high)}] from {candidate.group.n} vs "
        f"{baseline.group.n} retrains (Welch t), minimum effect {fmt(policy.min_effect)}"
    )
    needed = None
    if verdict is Verdict.ADOPT:
        reason = f"{candidate.label} beats {baseline.label}: {evidence}; the lower bound clears the minimum effect."
        next_step = f"Adopt {candidate.label} as the new baseline and record the decision."
    elif verdict is Verdict.REJECT:
        reason = f"{candidate.label} does not pay off against {baseline.label}: {evidence}; the upper bound is below the minimum effect."
        next_step = f"Keep {baseline.label}; drop the change or rethink it."
    else:
        var_sum = (candidate.group.std or 0.0) ** 2 + (baseline.group.std or 0.0) ** 2
        needed = retrains_needed(
            cmp, min(candidate.group.n, baseline.group.n), var_sum, policy.min_effect, policy
        )
        reason = f"Cannot tell {candidate.label} from {baseline.label} yet: {evidence}; the interval straddles the minimum effect."
        next_step = (
            f"Run about {needed} more retrains per arm"
            + (
                " (the cap; the effect may be too small to matter)"
                if needed >= policy.max_retrains_suggested
                else ""
            )
            + f": `reportgen retrain {study_id} --trial {candidate.source_trial} --seeds {needed}` "
            f"and the same for {baseline.source_trial}."
        )
    return Decision(
        verdict=verdict,
        candidate_label=candidate.label,
        baseline_label=baseline.label,
        candidate=candidate.group,
        baseline=baseline.group,
        effect=cmp.effect,
        ci_low=cmp.ci_low,
        ci_high=cmp.ci_high,
        retrains_needed=needed,
        reason=reason,
        next_step=next_step,
        override=override,
        policy=policy,
    )

"""The decision's estimand: one score for every arm, every retrain, every search and every rerun.

The score is the objective's own mode ("best over training" or the final evaluation), except
when "best over training" would favour one arm: the minimum of a noisy curve is lower the noisier
the curve, so when the retrained arms' evaluation noise differs by more than
``policy.eval_noise_ratio`` every trial is scored by the mean of the late half of its evaluations
instead, for both arms and everywhere (retrain table, isolation, variance, decision). The choice
is made once per study from the retrain groups, before any arm is compared, so it cannot change
with the effect it measures.
"""

from __future__ import annotations

import math

import numpy as np

from reportgen.analysis.findings import fmt
from reportgen.analysis.noise import eval_noise, late_half
from reportgen.analysis.objective import ScoredTrials
from reportgen.analysis.sequential import look_reached
from reportgen.schema import Direction, Estimand, Objective, ObjectiveMode, Policy

_MODE_WORDS = {
    "best_over_training": "best over training",
    "final": "final evaluation",
    "late_half_mean": "mean of the late half of the evaluations",
}


def label(objective: Objective, score: str) -> str:
    better = "lower" if objective.direction is Direction.MINIMIZE else "higher"
    return f"{objective.metric}, {_MODE_WORDS[score]} ({better} is better)"


def _natural(trial_id: str) -> tuple[str, int]:
    head = trial_id.rstrip("0123456789")
    tail = trial_id[len(head) :]
    return head, int(tail) if tail else -1


def group_noise(retrains: ScoredTrials, looks: tuple[int, ...]) -> dict[str, float]:
    """Root-mean-square evaluation noise of the late half of each retrain group's curves, over the
    first retrains of each group up to the last planned look every group has reached (so the
    choice changes only at a look, like the verdict)."""
    members: dict[str, list[int]] = {}
    for i, t in enumerate(retrains.trials):
        members.setdefault(t.group, []).append(i)
    if not members:
        return {}
    smallest = min(len(v) for v in members.values())
    k = look_reached(smallest, looks)
    n = looks[k] if k is not None else smallest
    out: dict[str, float] = {}
    for g, idx in sorted(members.items()):
        idx = sorted(idx, key=lambda i: _natural(retrains.trials[i].trial_id))[:n]
        sq = [
            eval_noise(late_half(y)) ** 2
            for i in idx
            if retrains.feasible[i] and (y := retrains.scored_curve(i)) is not None
        ]
        if sq:
            out[g] = math.sqrt(float(np.mean(sq)))
    return out


def choose(
    objective: Objective, retrains: ScoredTrials, policy: Policy, labels: dict[str, str]
) -> Estimand:
    """The study's score: its objective mode, or the late-half mean when the retrain groups'
    evaluation noise differs by more than ``policy.eval_noise_ratio`` (``labels``: group ->
    what the group retrains, for the reason)."""
    own = "best_over_training" if objective.mode is ObjectiveMode.BEST_OVER_TRAINING else "final"
    noise = group_noise(retrains, policy.looks())
    if own != "best_over_training" or len(noise) < 2:
        return Estimand(
            metric=objective.metric, direction=objective.direction, score=own,
            label=label(objective, own),
        )  # fmt: skip
    hi = max(noise, key=lambda g: (noise[g], g))
    lo = min(noise, key=lambda g: (noise[g], g))
    ratio = noise[hi] / noise[lo] if noise[lo] > 0 else (math.inf if noise[hi] > 0 else 1.0)
    if ratio <= policy.eval_noise_ratio:
        return Estimand(
            metric=objective.metric, direction=objective.direction, score=own,
            label=label(objective, own),
        )  # fmt: skip
    reason = (
        f"Evaluation noise differs between the retrained arms ({labels.get(hi, hi)} "
        f"{fmt(noise[hi])} against {labels.get(lo, lo)} {fmt(noise[lo])}, ratio "
        f"{'inf' if math.isinf(ratio) else f'{ratio:.1f}'} > {policy.eval_noise_ratio:g}): the best "
        f"of a noisier curve is lower by chance, so every trial of every arm is scored by the mean "
        f"of the late half of its evaluations instead of best over training."
    )
    return Estimand(
        metric=objective.metric,
        direction=objective.direction,
        score="late_half_mean",
        label=label(objective, "late_half_mean"),
        reason=reason,
    )


def rescored(scored: ScoredTrials, estimand: Estimand) -> ScoredTrials:
    """``scored`` with each feasible trial's value replaced by the estimand's score (the same
    trials when the estimand is the objective's own mode)."""
    if estimand.score != "late_half_mean":
        return scored
    values = np.full(len(scored), np.nan)
    for i in range(len(scored)):
        y = scored.scored_curve(i)
        if not scored.feasible[i] or y is None:
            continue
        late = late_half(y)
        if late.size:
            values[i] = scored.sign * float(late.mean())
    scores = np.where(np.isfinite(values), scored.sign * values, np.inf)
    return ScoredTrials(
        scored.trials,
        values,
        scores,
        scored.best_steps,
        scored.sign,
        scored.score_curves,
        scored.finite_curves,
        scored.limits,
    )

"""Search-space boundary check: the best trials crowd one end of a varied hyperparameter's range.

Positions are measured in sampling coordinates (log units for log scales, position in the sorted
values for discrete ones). A side is flagged when the best trials crowd it:

- the best trial, or at least half of the top k, lies in the outer ``policy.boundary_fraction``
  of the range on that side (the playbook's picture of a bad boundary), and
- the top k sit nearer that side than k trials drawn at random from this study would (a
  permutation z test of their mean position, exact in its mean and variance for sampling
  without replacement), at a level of ``policy.false_adopt_rate`` shared by every side of every
  checked hyperparameter (Bonferroni), so that a flat objective raises it on at most that share
  of studies. Trials tied with the k-th best count among the top.

Trial-to-trial noise does not silence the finding: when the edge's best is not better than the
interior's best beyond ``policy.boundary_z`` standard deviations of the local noise, the finding
says so and is softened to a note (the best trials may crowd the edge by chance of the noise,
but the range still does not show where the objective turns). Nuisance and continuous
scientific hyperparameters are checked; a discrete scientific list is the question itself.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

from reportgen.analysis.distributions import norm_isf
from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import coordinates, is_ordered, span
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Policy, Role, Scale, Severity, StudySpec


def local_noise(u: np.ndarray, scores: np.ndarray, ranked: list[int]) -> float:
    """Trial-to-trial scatter of the objective between neighbours along one axis: a robust
    standard deviation (scaled MAD) of successive differences, over sqrt 2. Blind to a constant
    added to the metric; a real trend along the axis only makes it larger (conservative)."""
    order = sorted(ranked, key=lambda i: u[i])
    d = np.diff(scores[order])
    if d.size < 3:
        return 0.0
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2))


def edge_advantage(
    u: np.ndarray, scores: np.ndarray, ranked: list[int], side: str, zone: float
) -> tuple[float | None, float]:
    """How much better the best trial in the edge zone is than the best trial inside the range
    (None when every trial is in the zone), and the local noise it is judged against."""
    idx = np.array(ranked)
    edge = u[idx] <= zone if side == "lower" else u[idx] >= 1 - zone
    noise = local_noise(u, scores, ranked)
    if edge.all() or not edge.any():
        return None, noise
    return float(scores[idx[~edge]].min() - scores[idx[edge]].min()), noise


def crowding_z(u: np.ndarray, ranked: list[int], top: list[int], side: str) -> float:
    """How much nearer ``side`` the ``top`` trials sit than a random subset of as many of the
    ``ranked`` trials would (z of their mean position, sampling without replacement)."""
    pop = u[np.array(ranked)]
    if side == "lower":
        pop, mine = 1 - pop, 1 - u[np.array(top)]
    else:
        mine = u[np.array(top)]
    n, k = pop.size, len(top)
    if k >= n:
        return 0.0
    sd = float(pop.std()) * math.sqrt((n - k) / (n - 1) / k)
    return float((mine.mean() - pop.mean()) / sd) if sd > 0 else 0.0


def _top(search: ScoredTrials, ranked: list[int], k: int) -> list[int]:
    """The best k of ``ranked``, and every trial tied with the k-th."""
    if len(ranked) <= k:
        return list(ranked)
    cut = search.scores[ranked[k - 1]]
    return [i for i in ranked if search.scores[i] <= cut]


def check_boundaries(
    spec: StudySpec,
    search: ScoredTrials,
    policy: Policy,
    skip_upper: Collection[str] = (),
) -> list[Finding]:
    """One finding per (hyperparameter, side) where the best trials crowd the edge.

    ``skip_upper`` names hyperparameters whose upper edge is explained by a stability edge.
    """

    out: list[Finding] = []
    ranking = search.ranking()
    checked = [
        hp
        for hp in spec.search_space
        if is_ordered(hp) and not (hp.role is Role.SCIENTIFIC and hp.scale is Scale.DISCRETE)
    ]
    level = policy.false_adopt_rate / max(1, 2 * len(checked))
    z_needed = float(norm_isf(level))
    for hp in checked:
        u = coordinates(hp, search.trials)
        ranked = [i for i in ranking if np.isfinite(u[i])]
        if len(ranked) < 2:
            continue
        top = _top(search, ranked, policy.top_k)
        zone = policy.boundary_fraction
        u_top = u[top]
        best_score = search.scores[top[0]]
        for side, in_zone, direction in (
            ("lower", u_top <= zone, "downward"),
            ("upper", u_top >= 1 - zone, "upward"),
        ):
            if side == "upper" and hp.name in skip_upper:
                continue
            n_in = int(in_zone.sum())
            best_in = bool(np.any(in_zone & (search.scores[top] == best_score)))
            if not (best_in or 2 * n_in >= len(top)):
                continue
            z = crowding_z(u, ranked, top, side)
            if z < z_needed:
                continue  # no nearer the edge than a random handful of this study's trials
            advantage, noise = edge_advantage(u, search.scores, ranked, side, zone)
            within_noise = advantage is not None and (
                advantage <= policy.boundary_z * noise * math.sqrt(2)
            )
            best = search.trials[top[0]]
            bound = hp.low if side == "lower" else hp.high
            if hp.scale is Scale.DISCRETE:
                ordered = sorted(float(v) for v in hp.values or [])  # type: ignore[arg-type]
                bound = ordered[0] if side == "lower" else ordered[-1]
            scale = f"{hp.scale} scale"
            soft = (
                " The edge's best is within the trial-to-trial noise of the interior's best, so "
                "the crowding may be partly luck; widen the range when the budget allows."
                if within_noise
                else ""
            )
            severity = Severity.WARNING if hp.role is Role.NUISANCE else Severity.INFO
            out.append(
                finding(
                    "search_space.boundary",
                    Severity.INFO if within_noise else severity,
                    f"{hp.name}: {n_in} of the {len(top)} best trials (the best among them: "
                    f"{hp.name}={fmt(float(best.hyperparameters[hp.name]))}) are in the "
                    f"{side} {zone:.0%} of the range ({scale}, {side} bound {fmt(bound)}); "
                    f"expand the range {direction}.{soft}",
                    subject=hp.name,
                    side=side,
                    bound=bound,
                    best_value=float(best.hyperparameters[hp.name]),  # type: ignore[arg-type]
                    best_coordinate=float(u_top[0]),
                    top_in_zone=n_in,
                    top_k=len(top),
                    zone=zone,
                    range_width=span(hp),
                    crowding_z=z,
                    edge_advantage=advantage,
                    noise=noise,
                )
            )
    return out

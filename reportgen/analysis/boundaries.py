"""Search-space boundary check: the best trials crowd one end of a varied hyperparameter's range.

Positions are measured in sampling coordinates (log units for log scales, position in the sorted
values for discrete ones). A side is flagged when the best trial, or at least half of the top k,
lies in the outer ``policy.boundary_fraction`` of the range on that side, and the best trial in
that zone beats the best trial inside the range by more than ``policy.boundary_z`` standard
deviations of the difference (from the local trial-to-trial noise along the axis): an edge is
flagged when it is better beyond noise, not merely when the best trial happens to sit there.
Nuisance and continuous
scientific hyperparameters are checked; a discrete scientific list is the question itself.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np

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


def check_boundaries(
    spec: StudySpec,
    search: ScoredTrials,
    policy: Policy,
    skip_upper: Collection[str] = (),
) -> list[Finding]:
    """One finding per (hyperparameter, side) where the best trials sit at the edge.

    ``skip_upper`` names hyperparameters whose upper edge is explained by a stability edge.
    """
    out: list[Finding] = []
    ranking = search.ranking()
    for hp in spec.search_space:
        if not is_ordered(hp) or (hp.role is Role.SCIENTIFIC and hp.scale is Scale.DISCRETE):
            continue  # a discrete scientific list is the study's question, not a range to widen
        u = coordinates(hp, search.trials)
        ranked = [i for i in ranking if np.isfinite(u[i])]
        if len(ranked) < 2:
            continue
        top = ranked[: policy.top_k]
        zone = policy.boundary_fraction
        u_top = u[top]
        for side, in_zone, direction in (
            ("lower", u_top <= zone, "downward"),
            ("upper", u_top >= 1 - zone, "upward"),
        ):
            if side == "upper" and hp.name in skip_upper:
                continue
            n_in = int(in_zone.sum())
            if not (in_zone[0] or 2 * n_in >= len(top)):
                continue
            advantage, noise = edge_advantage(u, search.scores, ranked, side, zone)
            if advantage is not None and advantage <= policy.boundary_z * noise * math.sqrt(2):
                continue  # the edge is not better than the interior beyond the noise
            best = search.trials[top[0]]
            bound = hp.low if side == "lower" else hp.high
            if hp.scale is Scale.DISCRETE:
                ordered = sorted(float(v) for v in hp.values or [])  # type: ignore[arg-type]
                bound = ordered[0] if side == "lower" else ordered[-1]
            scale = f"{hp.scale} scale"
            out.append(
                finding(
                    "search_space.boundary",
                    Severity.WARNING if hp.role is Role.NUISANCE else Severity.INFO,
                    f"{hp.name}: {n_in} of the {len(top)} best trials (the best among them: "
                    f"{hp.name}={fmt(float(best.hyperparameters[hp.name]))}) are in the "
                    f"{side} {zone:.0%} of the range ({scale}, {side} bound {fmt(bound)}); "
                    f"expand the range {direction}.",
                    subject=hp.name,
                    side=side,
                    bound=bound,
                    best_value=float(best.hyperparameters[hp.name]),  # type: ignore[arg-type]
                    best_coordinate=float(u_top[0]),
                    top_in_zone=n_in,
                    top_k=len(top),
                    zone=zone,
                    range_width=span(hp),
                    edge_advantage=advantage,
                    noise=noise,
                )
            )
    return out

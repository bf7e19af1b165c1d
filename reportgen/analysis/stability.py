"""Stability-edge pattern: every trial above some learning rate diverged and the best sit at that edge.

This points to warmup and gradient clipping rather than to a wider range: instability, not the
range, keeps the learning rate from going higher.
"""

from __future__ import annotations

import numpy as np

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import coordinate, is_learning_rate
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Policy, Scale, Severity, Status, StudySpec


def check_stability_edge(spec: StudySpec, search: ScoredTrials, policy: Policy) -> list[Finding]:
    out: list[Finding] = []
    ranking = search.ranking()
    if len(ranking) == 0:
        return out
    for hp in spec.search_space:
        if not (hp.varied and hp.scale in (Scale.LINEAR, Scale.LOG) and is_learning_rate(hp.name)):
            continue
        lr = np.array(
            [float(t.hyperparameters.get(hp.name, np.nan)) for t in search.trials], dtype=float
        )
        has = np.isfinite(lr)
        feasible = search.feasible & has
        if not feasible.any():
            continue
        edge_low = float(lr[feasible].max())
        above = has & (lr > edge_low)
        diverged = np.array([t.status is Status.DIVERGED for t in search.trials])
        n_above = int(above.sum())
        if n_above < policy.stability_min_diverged or not diverged[above].all():
            continue
        ranked = [i for i in ranking if has[i]]
        best = ranked[0]
        gap = coordinate(hp, edge_low) - coordinate(hp, lr[best])
        if gap > policy.boundary_fraction:
            continue
        edge_high = float(lr[above].min())
        out.append(
            finding(
                "search_space.stability_edge",
                Severity.WARNING,
                f"{hp.name}: all {n_above} trials above {fmt(edge_low)} diverged and the best "
                f"trial ({hp.name}={fmt(lr[best])}) sits at that edge; instability caps the "
                f"learning rate, so try warmup or gradient clipping before widening the range.",
                subject=hp.name,
                highest_feasible=edge_low,
                lowest_diverged_above=edge_high,
                n_diverged_above=n_above,
                best_value=float(lr[best]),
                distance_to_edge=gap,
            )
        )
    return out

"""Stability-edge pattern: every trial above some learning rate diverged and the best sit at that edge.

This points to warmup and gradient clipping rather than to a wider range: instability, not the
range, keeps the learning rate from going higher.
"""

from __future__ import annotations

import numpy as np

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import coordinate, is_learning_rate
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Policy, Role, Scale, Severity, Status, StudySpec


def _groups(spec: StudySpec, search: ScoredTrials) -> list[tuple[str, np.ndarray]]:
    """Trials split by their scientific values (the edge can move with them, e.g. with warmup)."""
    names = [
        hp.name
        for hp in spec.by_role(Role.SCIENTIFIC)
        if hp.scale in (Scale.CATEGORICAL, Scale.DISCRETE)
    ]
    if not names:
        return [("", np.ones(len(search), dtype=bool))]
    labels = [", ".join(f"{n}={t.hyperparameters.get(n)}" for n in names) for t in search.trials]
    order = list(dict.fromkeys(labels))
    if len(order) == 1:
        return [("", np.ones(len(search), dtype=bool))]
    return [(label, np.array([x == label for x in labels])) for label in order]


def check_stability_edge(spec: StudySpec, search: ScoredTrials, policy: Policy) -> list[Finding]:
    """One finding per learning rate whose range is capped by divergence.

    The whole study is checked first; when it shows no edge, each scientific value is checked on
    its own, because the edge can move with it (warmup, for one, pushes it up).

    The edge is the highest learning rate that trained; it counts when every trial above it
    diverged (at least ``stability_min_diverged`` of them) and the best trial sits at the edge:
    within ``boundary_fraction`` of it in sampling coordinates, or among the
    ``stability_edge_rank`` highest learning rates that trained.
    """
    pooled = _edges(spec, search, policy, "")
    if pooled:
        return pooled
    out: list[Finding] = []
    for label, mask in _groups(spec, search):
        if label:
            out += _edges(spec, search.subset(mask), policy, label)
    return out


def _edges(spec: StudySpec, search: ScoredTrials, policy: Policy, label: str) -> list[Finding]:
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
        highest = np.unique(lr[feasible])[::-1][: policy.stability_edge_rank]
        if gap > policy.boundary_fraction and lr[best] not in highest:
            continue
        edge_high = float(lr[above].min())
        where = f" ({label})" if label else ""
        out.append(
            finding(
                "search_space.stability_edge",
                Severity.WARNING,
                f"{hp.name}{where}: all {n_above} trials above {fmt(edge_low)} diverged and the best "
                f"trial ({hp.name}={fmt(lr[best])}) sits at that edge; instability caps the "
                f"learning rate, so try warmup or gradient clipping before widening the range.",
                subject=hp.name if not label else f"{hp.name} ({label})",
                highest_feasible=edge_low,
                lowest_diverged_above=edge_high,
                n_diverged_above=n_above,
                best_value=float(lr[best]),
                distance_to_edge=gap,
            )
        )
    return out

"""Trade-offs: the objective against each secondary metric the spec names (``trade_offs``).

For each metric, every search trial with an objective value and a value of the metric is a
point; the trials inside every constraint form the candidates, and the Pareto front is the
candidates no other candidate beats on both (at least as good on each, better on one). The best
trial by the objective alone is set beside the best trial inside every constraint, and a finding
says so when the first breaks a constraint: its objective is then not one the study can use.

Everything is compared on scores where lower is better (``sign * value``, as `objective`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.objective import ScoredTrials, direction_sign
from reportgen.schema import (
    CURVE_COLUMNS,
    GRAD_STAT_COLUMNS,
    Finding,
    Objective,
    ObjectiveMode,
    Scalar,
    Severity,
    TrialRecord,
)
from reportgen.schema.trade_off import (
    DOMINATED,
    FRONT,
    OUTSIDE,
    RECORD_METRICS,
    TradeOff,
    TradeOffPoint,
    TradeOffs,
    TradeOffTrial,
    TradeOffView,
    record_metric,
)


def pareto_front(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask of the points no other point dominates, both scores lower-is-better: a point is
    dominated when another is at least as low on both and lower on one. Points equal on both
    are all kept. O(n log n): sorted by ``a`` then ``b``, a point is on the front when it has
    the lowest ``b`` of its ``a`` and that ``b`` is below every ``b`` at a lower ``a``."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    out = np.zeros(a.size, dtype=bool)
    order = np.lexsort((b, a))
    best_before = math.inf  # lowest b among points of strictly lower a
    i = 0
    while i < order.size:
        j = i
        while j < order.size and a[order[j]] == a[order[i]]:
            j += 1
        group = order[i:j]
        low = b[group[0]]  # sorted by b within equal a
        if low < best_before:
            out[group[b[group] == low]] = True
            best_before = low
        i = j
    return out


def metric_value(
    trial: TrialRecord, t: TradeOff, settings: Mapping[str, Scalar]
) -> float | None:
    """The trial's value of the trade-off metric: a record metric, else a curve (at its last
    recorded step, or its best over training by ``t.direction``), else a test metric."""
    if t.metric in RECORD_METRICS:
        v = record_metric(trial, t.metric, settings)
    else:
        try:
            col = np.asarray(trial.curves.column(t.metric), dtype=float)
        except KeyError:
            v = trial.test_metrics.get(t.metric)
        else:
            if col.size == 0:
                v = None
            elif t.mode is ObjectiveMode.FINAL:
                v = float(col[-1])
            else:
                finite = col[np.isfinite(col)]
                sign = direction_sign(t.direction)
                v = float(sign * np.min(sign * finite)) if finite.size else None
    return v if v is not None and math.isfinite(v) else None


def _is_curve(metric: str, trials: Sequence[TrialRecord]) -> bool:
    if metric in RECORD_METRICS:
        return False
    return metric in CURVE_COLUMNS or any(metric in t.curves.extra for t in trials) or any(
        metric in GRAD_STAT_COLUMNS and getattr(t.curves, metric) for t in trials
    )


def _broken(t: TradeOff, v: float | None) -> str | None:
    """Why ``v`` is outside ``t``'s constraint, or None when it is inside (or unconstrained)."""
    if t.constraint is None:
        return None
    if v is None:
        return f"{t.metric} not recorded (cannot meet {t.constraint})"
    if t.constraint.allows(v):
        return None
    return f"{t.metric} {fmt(v)} (not {t.constraint})"


def trade_off_views(
    wanted: Sequence[TradeOff],
    settings: Mapping[str, Scalar],
    search: ScoredTrials,
) -> TradeOffs | None:
    """The trade-off views of the search trials (None when the spec names no trade-off)."""
    if not wanted:
        return None
    ranked = np.flatnonzero(search.feasible)
    values = {
        t.metric: np.array(
            [
                np.nan if (v := metric_value(search.trials[i], t, settings)) is None else v
                for i in ranked
            ],
            dtype=float,
        )
        for t in wanted
    }
    broken: list[list[str]] = [[] for _ in ranked]
    for t in wanted:
        for k, v in enumerate(values[t.metric]):
            why = _broken(t, None if np.isnan(v) else float(v))
            if why is not None:
                broken[k].append(why)
    inside = np.array([not b for b in broken], dtype=bool)
    obj = search.values[ranked]
    obj_score = search.scores[ranked]
    views = []
    for t in wanted:
        v = values[t.metric]
        has = np.isfinite(v)
        cand = has & inside
        front = np.zeros(ranked.size, dtype=bool)
        idx = np.flatnonzero(cand)
        front[idx] = pareto_front(obj_score[idx], direction_sign(t.direction) * v[idx])
        points = [
            TradeOffPoint(
                trial_id=search.trials[ranked[k]].trial_id,
                objective=float(obj[k]),
                value=float(v[k]),
                kind=FRONT if front[k] else (DOMINATED if inside[k] else OUTSIDE),
                broken=broken[k],
            )
            for k in np.flatnonzero(has)
        ]
        order = sorted(np.flatnonzero(front), key=lambda k: (direction_sign(t.direction) * v[k],
                                                              obj_score[k]))
        views.append(
            TradeOffView(
                metric=t.metric,
                direction=t.direction,
                mode=t.mode if _is_curve(t.metric, search.trials) else None,
                constraint=str(t.constraint) if t.constraint else "",
                bound=t.constraint.bound if t.constraint else None,
                points=points,
                front=[search.trials[ranked[k]].trial_id for k in order],
                n_unrecorded=int((~has).sum()),
            )
        )

    def named(k: int) -> TradeOffTrial:
        return TradeOffTrial(
            trial_id=search.trials[ranked[k]].trial_id,
            objective=float(obj[k]),
            values={m: (None if np.isnan(x[k]) else float(x[k])) for m, x in values.items()},
            broken=broken[k],
        )

    # best first, ties by trial id (as `ScoredTrials.ranking`)
    order = sorted(
        range(ranked.size), key=lambda k: (obj_score[k], search.trials[ranked[k]].trial_id)
    )
    within = [k for k in order if inside[k]]
    return TradeOffs(
        views=views,
        constraints=[t.describe() for t in wanted if t.constraint is not None],
        best=named(order[0]) if order else None,
        best_within=named(within[0]) if within else None,
        n_within=len(within),
        n_ranked=int(ranked.size),
    )


def check_trade_offs(result: TradeOffs | None, objective: Objective) -> list[Finding]:
    """A warning when the best trial by the objective breaks a constraint (and no trial inside
    every constraint ties it)."""
    if result is None or result.best is None or not result.best.broken:
        return []
    b, w = result.best, result.best_within
    if w is not None and w.objective == b.objective:
        return []
    m = objective.metric
    head = (
        f"The best trial by {m}, {b.trial_id} ({fmt(b.objective)}), is outside the "
        f"constraints: {'; '.join(b.broken)}."
    )
    if w is None:
        tail = (
            f" None of the {result.n_ranked} ranked trials meets every constraint "
            f"({', '.join(result.constraints)}): relax a constraint or search where it holds "
            "before reading a best configuration off this study."
        )
    else:
        tail = (
            f" Inside every constraint the best is {w.trial_id} ({m} {fmt(w.objective)}, "
            f"{fmt(abs(w.objective - b.objective))} worse than the unconstrained best); that is "
            "the best configuration the constraints allow."
        )
    return [
        finding(
            "trade_offs.best_violates",
            Severity.WARNING,
            head + tail,
            subject=b.trial_id,
            best=b.objective,
            best_within=w.objective if w else None,
            best_within_trial=w.trial_id if w else None,
            n_within=result.n_within,
            n_ranked=result.n_ranked,
        )
    ]

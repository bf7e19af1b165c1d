"""Prepare what the charts draw: downsampled curve series and the chart specs of one revision."""

from __future__ import annotations

import numpy as np

from reportgen.analysis.robust_range import robust_range
from reportgen.charts import (
    AxisDensity,
    CurveSeries,
    DensityCell,
    InfeasibleColumn,
    axis_density_plot,
    axis_plot,
    expected_best_plot,
    isolation_plot,
    retrains_at,
    training_curve_bands,
    training_curves,
    variance_plot,
)
from reportgen.charts.trade_offs import trade_off_plot
from reportgen.pages import StudyCharts
from reportgen.schema import (
    Hyperparameter,
    Objective,
    Role,
    Scalar,
    Scale,
    StudyAnalysis,
    StudySpec,
    TrialKind,
    TrialPoint,
    TrialRecord,
    Variance,
)
from reportgen.schema.trade_off import FRONT, TradeOffs
from reportgen.site.chart_numbers import DENSE_TRIALS, DIGITS, is_dense, round_sig
from reportgen.site.curve_series import (
    BUCKETS,
    TOP_N,
    bands_caption,
    curve_band_series,
    curve_series,
)

__all__ = ["DENSE_TRIALS", "DIGITS", "is_dense", "round_sig", "study_charts"]

AXIS_GRID = (32, 20)  # columns × rows of a dense axis plot's count grid


def axis_density(
    hp: Hyperparameter,
    points: list[TrialPoint],
    span: tuple[float, float] | None,
) -> AxisDensity:
    """Feasible trials of ``points`` counted in a grid over ``hp`` (sampling coordinates: equal
    steps of log10 units on a log scale, one column per value on an ordinal axis) and the
    objective (``span``, as the plain axis plot draws it; values beyond it count in the edge
    cells), infeasible trials counted per column, and the top trials as they are."""
    ordinal = hp.scale in (Scale.CATEGORICAL, Scale.DISCRETE)
    log = hp.scale is Scale.LOG
    kept = [p for p in points if hp.name in p.hyperparameters]  # conditional: active trials only
    values = np.array([np.nan if p.value is None else p.value for p in kept], dtype=float)
    feasible = np.isfinite(values)
    fin = values[feasible]
    lo, hi = span if span else ((float(fin.min()), float(fin.max())) if fin.size else (0.0, 1.0))
    if not lo < hi:
        lo, hi = lo - 1, hi + 1
    n_rows = AXIS_GRID[1]
    y_edges = np.linspace(lo, hi, n_rows + 1)
    y_row = np.clip(np.searchsorted(y_edges, np.clip(fin, lo, hi), side="right") - 1, 0, n_rows - 1)
    n_out = int(((fin < lo) | (fin > hi)).sum())
    cells: list[DensityCell] = []
    infeasible: list[InfeasibleColumn] = []
    if ordinal:
        listed = [str(v) for v in hp.values or []]
        labels = [_ordinal_label(p.hyperparameters[hp.name], hp.values or []) for p in kept]
        order = listed + sorted({x for x in labels if x not in listed})
        col = np.array([order.index(x) for x in labels], dtype=int)
        n_cols = len(order)
        x_of = [(x, None) for x in order]
        centre: list[Scalar] = list(order)
        units = "categories"
    else:
        x = np.array([float(p.hyperparameters[hp.name]) for p in kept], dtype=float)
        u = np.log10(x) if log else x
        if hp.low is not None and hp.high is not None:
            a, b = float(hp.low), float(hp.high)
            a, b = (np.log10(a), np.log10(b)) if log else (a, b)
        else:
            a, b = (float(u.min()), float(u.max())) if u.size else (0.0, 1.0)
        if not a < b:
            a, b = a - 0.5, b + 0.5
        n_cols = AXIS_GRID[0]
        edges = np.linspace(a, b, n_cols + 1)
        col = np.clip(np.searchsorted(edges, np.clip(u, a, b), side="right") - 1, 0, n_cols - 1)
        back = (lambda e: 10.0**e) if log else (lambda e: e)
        shown = round_sig([back(e) for e in edges]).tolist()
        x_of = [(shown[k], shown[k + 1]) for k in range(n_cols)]
        centre = round_sig([back((edges[k] + edges[k + 1]) / 2) for k in range(n_cols)]).tolist()
        units = "log10 units" if log else "units"
    counts = np.zeros((n_cols, n_rows), dtype=int)
    np.add.at(counts, (col[feasible], y_row), 1)
    y_shown = round_sig(y_edges).tolist()
    for c, r in zip(*np.nonzero(counts), strict=True):
        x0, x1 = x_of[c]
        cells.append(DensityCell(x0, x1, y_shown[r], y_shown[r + 1], int(counts[c, r])))
    bad = np.bincount(col[~feasible], minlength=n_cols)
    infeasible = [InfeasibleColumn(centre[c], int(bad[c])) for c in np.flatnonzero(bad)]
    top = sorted(
        (p for p in kept if p.rank is not None and p.rank <= TOP_N), key=lambda p: p.rank or 0
    )
    return AxisDensity(
        cells=cells,
        infeasible=infeasible,
        top=top,
        y_low=lo,
        y_high=hi,
        n_feasible=int(feasible.sum()),
        n_outliers=n_out,
        grid=(n_cols, n_rows),
        x_units=units,
    )


def _ordinal_label(x: object, listed: list) -> str:
    """The text of a listed value on the ordinal axis (``16.0`` in a trial matches ``16``)."""
    for v in listed:
        if v == x and isinstance(v, bool) == isinstance(x, bool):
            return str(v)
    return str(x)


def retrain_labels(
    spec: StudySpec, variance: Variance, trials: list[TrialRecord]
) -> dict[str, str]:
    """A short name per retrain group: its scientific values (``width=16``), else nothing."""
    scientific = [hp.name for hp in spec.by_role(Role.SCIENTIFIC)]
    by_id = {t.trial_id: t for t in trials}
    out = {}
    for g in variance.trial:
        first = next((by_id[i] for i in g.trial_ids if i in by_id), None)
        if first is None or not scientific:
            continue
        hps = first.hyperparameters
        shown = ", ".join(f"{h}={hps[h]}" for h in scientific if h in hps)
        if shown:
            out[g.group] = shown
    return out


def _group_values(
    variance: Variance, by_id: dict[str, TrialRecord], name: str
) -> dict[str, Scalar]:
    """Each retrain group's value of hyperparameter ``name`` (from its first trial)."""
    out = {}
    for g in variance.trial:
        first = next((by_id[i] for i in g.trial_ids if i in by_id), None)
        if first is not None and name in first.hyperparameters:
            out[g.group] = first.hyperparameters[name]
    return out


def _positive(series: list[CurveSeries]) -> bool:
    """Whether every drawn value is above zero (a log axis can show them all)."""
    drawn = [v for s in series for v in s.values if v is not None]
    return bool(drawn) and min(drawn) > 0


def _curve_charts(
    searched: list[TrialRecord], ranks: dict[str, int | None], metrics: list[str]
) -> tuple[list[tuple[str, dict]], str]:
    """One chart per metric drawing every trial (downsampled), and the caption saying how."""
    curves = []
    reduced = 0
    for metric in metrics:
        try:
            series, n = curve_series(searched, ranks, metric)
        except KeyError:
            continue  # a metric no trial recorded
        if not any(v is not None for ser in series for v in ser.values):
            continue  # recorded as NaN only (an imported run that never logged it)
        reduced = max(reduced, n)
        title = f"{metric} of every trial"
        curves.append(
            (
                title,
                training_curves(series, metric, log_y=_positive(series), top_n=TOP_N, title=title),
            )
        )
    caption = (
        f"The top {TOP_N} trials are drawn at full resolution; {reduced} other trial(s) were "
        f"reduced to the smallest and largest value in each of {BUCKETS} buckets of steps."
        if reduced
        else "Every trial is drawn at full resolution."
    )
    return curves, caption


def _band_charts(
    searched: list[TrialRecord], ranks: dict[str, int | None], metrics: list[str]
) -> tuple[list[tuple[str, dict]], str]:
    """One chart per metric of quantile bands over every trial plus the top trials."""
    curves = []
    coverage = []
    for metric in metrics:
        try:
            bands, top, cov = curve_band_series(searched, ranks, metric)
        except KeyError:
            continue
        drawn = [v for v in bands.q50 if v is not None]
        if not drawn:
            continue  # recorded as NaN only
        coverage.append(cov)
        title = f"{metric}: bands over all {cov.trials} trials, top {TOP_N} in colour"
        low = [v for v in bands.q10 if v is not None] + [v for s in top for v in s.values if v is not None]
        curves.append(
            (
                title,
                training_curve_bands(bands, top, metric, log_y=min(low) > 0, title=title),
            )
        )
    return curves, bands_caption(coverage) if coverage else ""


def study_charts(
    spec: StudySpec, analysis: StudyAnalysis, trials: list[TrialRecord]
) -> StudyCharts:
    """Every chart spec of the page of one revision."""
    from reportgen.site.playbook_charts import playbook_charts
    points = analysis.summary.points
    scientific = [h.name for h in spec.by_role(Role.SCIENTIFIC)]
    span = robust_range([p.value for p in points if p.value is not None])
    searched = [t for t in trials if t.kind not in (TrialKind.RETRAIN, TrialKind.PROBE)]
    dense = is_dense(len(searched))
    axis = tuple(
        (
            hp.name,
            axis_density_plot(hp, axis_density(hp, list(points), span),
                              analysis.objective)
            if dense
            else axis_plot(
                hp,
                list(points),
                analysis.objective,
                color_by=next((name for name in scientific if name != hp.name), None),
                span=span,
            ),
        )
        for hp in spec.varied
    )
    ranks = {p.trial_id: p.rank for p in points}
    metrics = ["train_loss"]
    if analysis.objective.metric != "train_loss":
        metrics.append(analysis.objective.metric)
    curves, caption = (_band_charts if dense else _curve_charts)(searched, ranks, metrics)
    v = analysis.variance
    by_id = {t.trial_id: t for t in trials}
    isolation = tuple(
        (
            iso.hyperparameter,
            isolation_plot(
                iso,
                analysis.objective,
                retrains_at(iso, v.trial, _group_values(v, by_id, iso.hyperparameter)),
            ),
        )
        for iso in analysis.isolation
        # a value is drawn at its retrains' mean or its search best: with neither anywhere (no
        # feasible trial) there is nothing to draw, and an empty chart makes Vega warn
        if any(pt.best_value is not None for pt in iso.points) or v.trial
    )
    var_chart = (
        variance_plot(v, analysis.objective, retrain_labels(spec, v, trials))
        if (v.trial or v.study)
        else None
    )
    eb_chart = expected_best_plot(v, analysis.objective) if v.expected_best else None
    return StudyCharts(
        axis=axis,
        curves=tuple(curves),
        isolation=isolation,
        variance=var_chart,
        expected_best=eb_chart,
        curves_caption=caption,
        extra=playbook_charts(analysis, trials, dense=dense),
        trade_offs=trade_off_charts(analysis.extras.trade_offs, analysis.objective, dense),
    )


TRADE_OFF_SAMPLE = 300  # a dense study's trade-off chart: its front, and a sample of the others
TRADE_OFF_SEED = 0


def trade_off_charts(
    t: TradeOffs | None, objective: Objective, dense: bool
) -> tuple[tuple[str, dict], ...]:
    """One chart per trade-off view with points (an empty one makes Vega warn). A dense
    study's chart draws the front, the best trial and a seeded sample of the other trials,
    and says so; values are rounded to the chart's digits."""
    out = []
    best = t.best.trial_id if t and t.best else None
    for v in t.views if t else []:
        if not v.points:
            continue
        keep = [p for p in v.points if p.kind == FRONT or p.trial_id == best]
        kept = {p.trial_id for p in keep}
        others = [p for p in v.points if p.trial_id not in kept]
        note = ""
        if dense and len(others) > TRADE_OFF_SAMPLE:
            rng = np.random.default_rng(TRADE_OFF_SEED)
            chosen = set(rng.choice(len(others), size=TRADE_OFF_SAMPLE, replace=False).tolist())
            others = [p for i, p in enumerate(others) if i in chosen]
            note = (
                f"drawn: the {len(keep)} trials of the front and the best, and a random sample "
                f"of {TRADE_OFF_SAMPLE} of the other {len(v.points) - len(keep)} (seed "
                f"{TRADE_OFF_SEED})"
            )
        shown = {p.trial_id for p in keep + others}
        drawn = [p for p in v.points if p.trial_id in shown]
        x = round_sig([p.value for p in drawn]).tolist()
        y = round_sig([p.objective for p in drawn]).tolist()
        drawn = [p.model_copy(update={"value": a, "objective": b})
                 for p, a, b in zip(drawn, x, y, strict=True)]
        out.append((v.metric, trade_off_plot(v, objective, drawn, note)))
    return tuple(out)

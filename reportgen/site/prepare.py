"""Prepare what the charts draw: downsampled curve series and the chart specs of one revision."""

from __future__ import annotations

import math

import numpy as np

from reportgen.analysis.downsample import downsample_curves
from reportgen.charts import (
    CurveSeries,
    axis_plot,
    expected_best_plot,
    isolation_plot,
    training_curves,
    variance_plot,
)
from reportgen.pages import StudyCharts
from reportgen.schema import Role, StudyAnalysis, StudySpec, TrialKind, TrialRecord, Variance

TOP_N = 3  # trials drawn in colour and at full resolution
BUCKETS = 50  # min/max buckets for every other trial (at most about 200 points each)
DIGITS = 5  # significant digits kept in chart data


def round_sig(values: list[float], digits: int = DIGITS) -> list[float]:
    """Values rounded to ``digits`` significant digits (chart data only; NaN stays NaN)."""
    if not values:
        return []
    return [float(s) for s in np.char.mod(f"%.{digits}g", np.asarray(values, dtype=float))]


def curve_series(
    trials: list[TrialRecord], ranks: dict[str, int | None], metric: str
) -> tuple[list[CurveSeries], int]:
    """One series per trial of ``metric``; returns the series and how many were downsampled."""
    out = []
    reduced = 0
    for t in trials:
        rank = ranks.get(t.trial_id)
        col = t.curves.column(metric)
        full = rank is not None and rank <= TOP_N
        if full:
            steps, values = list(t.curves.step), list(col)
        else:
            d = downsample_curves(t.curves.step, {metric: col}, BUCKETS)
            steps, values = d.step, d.columns[metric]
            reduced += len(steps) < len(col)
        out.append(CurveSeries(t.trial_id, rank, str(t.status), steps, round_sig(values), full))
    return out, reduced


def retrain_labels(spec: StudySpec, variance: Variance, trials: list[TrialRecord]) -> dict[str, str]:
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


def _positive(series: list[CurveSeries]) -> bool:
    vals = [v for s in series for v in s.values if math.isfinite(v)]
    return bool(vals) and min(vals) > 0


def study_charts(
    spec: StudySpec, analysis: StudyAnalysis, trials: list[TrialRecord]
) -> StudyCharts:
    """Every chart spec of the page of one revision."""
    points = analysis.summary.points
    axis = tuple((hp.name, axis_plot(hp, list(points), analysis.objective)) for hp in spec.varied)
    ranks = {p.trial_id: p.rank for p in points}
    searched = [t for t in trials if t.kind is not TrialKind.RETRAIN]
    curves = []
    reduced = 0
    metrics = ["train_loss"]
    if analysis.objective.metric != "train_loss":
        metrics.append(analysis.objective.metric)
    for metric in metrics:
        try:
            series, n = curve_series(searched, ranks, metric)
        except KeyError:
            continue  # a metric no trial recorded
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
    isolation = tuple(
        (iso.hyperparameter, isolation_plot(iso, analysis.objective)) for iso in analysis.isolation
    )
    v = analysis.variance
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
    )

"""Prepare what the charts draw: downsampled curve series and the chart specs of one revision."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reportgen.analysis.downsample import minmax_mask
from reportgen.analysis.robust_range import robust_range
from reportgen.charts import (
    CurveSeries,
    axis_plot,
    expected_best_plot,
    isolation_plot,
    retrains_at,
    training_curves,
    variance_plot,
)
from reportgen.pages import StudyCharts
from reportgen.schema import (
    Role,
    Scalar,
    StudyAnalysis,
    StudySpec,
    TrialKind,
    TrialRecord,
    Variance,
)

TOP_N = 3  # trials drawn in colour and at full resolution
BUCKETS = 50  # min/max buckets for every other trial (at most about 200 points each)
DIGITS = 5  # significant digits kept in chart data


def round_sig(values: Sequence[float] | np.ndarray, digits: int = DIGITS) -> np.ndarray:
    """Values rounded to ``digits`` significant digits (chart data only; NaN and inf stay).

    Vectorised: scale by a power of ten, round, scale back by an exact power of ten, so each
    result is the double nearest to its short decimal and JSON writes it short.
    """
    a = np.asarray(values, dtype=float)
    out = a.copy()
    ok = np.isfinite(a) & (a != 0)
    x = a[ok]
    d = (digits - 1 - np.floor(np.log10(np.abs(x)))).astype(int)
    r = np.empty_like(x)
    small = d >= 0  # divide by 10**d (exact up to 10**22)
    exact = small & (d <= 22)
    p = 10.0 ** d[exact]
    r[exact] = np.round(x[exact] * p) / p
    q = 10.0 ** (-d[~small])
    r[~small] = np.round(x[~small] / q) * q
    scaled = np.where(small, x * 10.0 ** np.clip(d, 0, 22), x / 10.0 ** np.clip(-d, 0, None))
    # values below 1e-18, and near-ties (the scaled value's fraction close to one half, where
    # scaling can round either way), are done one by one as printf does them
    tie = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
    slow = (small & ~exact) | tie
    r[slow] = [float(f"{v:.{digits}g}") for v in x[slow].tolist()]
    out[ok] = r
    return out


def _json_values(a: np.ndarray) -> list[float | None]:
    """A float array as chart data: NaN and infinities become ``None`` (where a line stops)."""
    if np.isfinite(a).all():
        return a.tolist()
    obj = a.astype(object)
    obj[~np.isfinite(a)] = None
    return obj.tolist()


def curve_series(
    trials: list[TrialRecord], ranks: dict[str, int | None], metric: str
) -> tuple[list[CurveSeries], int]:
    """One series per trial of ``metric``; returns the series and how many were downsampled.

    Trials with curves of one length are downsampled together (one array per length).
    """
    raw: list[list[float]] = []
    for t in trials:
        try:
            raw.append(list(t.curves.column(metric)))
        except KeyError:
            raw.append([])  # a trial that never evaluated (failed at once) has no column
    if trials and not any(raw):
        trials[0].curves.column(metric)  # no trial recorded it: the KeyError names the known ones
    by_len: dict[int, list[int]] = {}
    for i, col in enumerate(raw):
        by_len.setdefault(len(col), []).append(i)
    rows: list[np.ndarray] = [np.empty(0)] * len(trials)
    kept: list[list[int] | None] = [None] * len(trials)
    for members in by_len.values():
        block = np.array([raw[i] for i in members], dtype=float)
        reduce = [k for k, i in enumerate(members) if not _top(ranks.get(trials[i].trial_id))]
        if block.shape[1] == 0:
            reduce = []  # nothing evaluated: nothing to downsample
        mask = minmax_mask(block[reduce], BUCKETS) if reduce else None
        for k, i in enumerate(members):
            rows[i] = block[k]
        for m, k in enumerate(reduce):
            kept[members[k]] = np.flatnonzero(mask[m]).tolist()
    picked: list[tuple[list[int], np.ndarray, bool]] = []
    reduced = 0
    for i, t in enumerate(trials):
        idx = kept[i]
        if idx is None:  # a top trial, at full resolution (no steps when it has no column)
            picked.append((list(t.curves.step) if len(rows[i]) else [], rows[i], True))
        else:
            step = t.curves.step
            picked.append(([step[j] for j in idx], rows[i][idx], False))
            reduced += len(idx) < len(step)
    # round every kept value at once, then cut the flat list back into series
    flat = _json_values(round_sig(np.concatenate([v for _, v, _ in picked]))) if picked else []
    out = []
    start = 0
    for t, (steps, values, full) in zip(trials, picked, strict=True):
        end = start + len(values)
        out.append(
            CurveSeries(
                t.trial_id, ranks.get(t.trial_id), str(t.status), steps, flat[start:end], full
            )
        )
        start = end
    return out, reduced


def _top(rank: int | None) -> bool:
    return rank is not None and rank <= TOP_N


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


def study_charts(
    spec: StudySpec, analysis: StudyAnalysis, trials: list[TrialRecord]
) -> StudyCharts:
    """Every chart spec of the page of one revision."""
    from reportgen.site.playbook_charts import playbook_charts
    points = analysis.summary.points
    scientific = [h.name for h in spec.by_role(Role.SCIENTIFIC)]
    span = robust_range([p.value for p in points if p.value is not None])
    axis = tuple(
        (
            hp.name,
            axis_plot(
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
        extra=playbook_charts(analysis, trials),
    )

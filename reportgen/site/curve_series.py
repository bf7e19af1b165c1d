"""Training curves as chart data: one downsampled series per trial, or, for a dense study,
bands over the trials with the top few drawn at full resolution."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reportgen.analysis.curve_bands import curve_bands
from reportgen.analysis.downsample import minmax_mask
from reportgen.charts import BandSeries, CurveSeries
from reportgen.schema import TrialRecord
from reportgen.site.chart_numbers import DENSE_TRIALS, round_sig

TOP_N = 3  # trials drawn in colour and at full resolution
BUCKETS = 50  # min/max buckets for every other trial (at most about 200 points each)


def in_top(rank: int | None) -> bool:
    """Whether a trial of this rank is drawn in colour and at full resolution."""
    return rank is not None and rank <= TOP_N

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
    raw: list[np.ndarray] = []
    for t in trials:
        try:
            raw.append(np.asarray(t.curves.column(metric), dtype=float))  # a view, no copy
        except KeyError:
            raw.append(np.empty(0))  # a trial that never evaluated (failed at once) has no column
    if trials and not any(len(col) for col in raw):
        trials[0].curves.column(metric)  # no trial recorded it: the KeyError names the known ones
    by_len: dict[int, list[int]] = {}
    for i, col in enumerate(raw):
        by_len.setdefault(len(col), []).append(i)
    rows: list[np.ndarray] = [np.empty(0)] * len(trials)
    kept: list[np.ndarray | None] = [None] * len(trials)
    for members in by_len.values():
        block = np.stack([raw[i] for i in members])
        reduce = [k for k, i in enumerate(members) if not in_top(ranks.get(trials[i].trial_id))]
        if block.shape[1] == 0:
            reduce = []  # nothing evaluated: nothing to downsample
        mask = minmax_mask(block[reduce], BUCKETS) if reduce else None
        for k, i in enumerate(members):
            rows[i] = block[k]
        for m, k in enumerate(reduce):
            kept[members[k]] = np.flatnonzero(mask[m])
    picked: list[tuple[list[int], np.ndarray, bool]] = []
    reduced = 0
    for i, t in enumerate(trials):
        idx = kept[i]
        if idx is None:  # a top trial, at full resolution (no steps when it has no column)
            picked.append((t.curves.step.tolist() if len(rows[i]) else [], rows[i], True))
        else:
            step = t.curves.step
            picked.append((np.asarray(step)[idx].tolist(), rows[i][idx], False))
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


@dataclass(frozen=True)
class BandCoverage:
    """How many trials the quantile bands of one metric cover."""

    metric: str
    trials: int  # searched trials
    covered: int  # trials with a finite value at one step or more
    at_last_step: int  # trials with a finite value at the last step


def curve_band_series(
    trials: list[TrialRecord], ranks: dict[str, int | None], metric: str
) -> tuple[BandSeries, list[CurveSeries], BandCoverage]:
    """Quantile bands of ``metric`` over every trial, and the top trials at full resolution.

    Raises ``KeyError`` when no trial recorded ``metric`` (as `curve_series` does).
    """
    steps: list[Sequence[int]] = []
    cols: list[Sequence[float]] = []
    for t in trials:
        try:
            col = t.curves.column(metric)
        except KeyError:
            col = []
        cols.append(col)
        steps.append(t.curves.step if len(col) else [])
    if trials and not any(len(c) for c in cols):
        trials[0].curves.column(metric)  # no trial recorded it: the KeyError names the known ones
    b = curve_bands(steps, cols)
    q = [_json_values(round_sig(row)) for row in b.values]
    bands = BandSeries(b.step.tolist(), *q, n=b.n_finite.tolist())
    top = sorted(
        (i for i, t in enumerate(trials) if in_top(ranks.get(t.trial_id)) and len(cols[i])),
        key=lambda i: ranks[trials[i].trial_id],
    )
    top_series = [
        CurveSeries(
            trials[i].trial_id,
            ranks.get(trials[i].trial_id),
            str(trials[i].status),
            list(steps[i]),
            _json_values(round_sig(np.asarray(cols[i], dtype=float))),
            True,
        )
        for i in top
    ]
    coverage = BandCoverage(
        metric, len(trials), b.n_curves, int(b.n_finite[-1]) if len(b.n_finite) else 0
    )
    return bands, top_series, coverage


def bands_caption(coverage: list[BandCoverage]) -> str:
    """What the curve charts of a dense study draw, and how many trials their bands cover."""
    n = coverage[0].trials
    per_metric = "; ".join(
        f"{c.metric}: {c.covered} of {c.trials} trials have a finite value, "
        f"{c.at_last_step} at the last step"
        for c in coverage
    )
    return (
        f"{n} searched trials are too many to draw one line each (above {DENSE_TRIALS}). "
        "The grey bands are the 10–90 % and 25–75 % ranges of the trials' values at each "
        "step and the dashed line their median, taken over the trials with a finite value at "
        "that step: a trial that diverged counts until its values stop being finite, so late "
        f"steps cover only the trials still running ({per_metric}). The top {TOP_N} trials are "
        "drawn in colour at full resolution."
    )

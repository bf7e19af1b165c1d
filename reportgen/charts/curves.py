"""Training curves of every trial for one metric, in "flatten" form (one row per trial).

The series come prepared (downsampled, best trials at full resolution); the chart only draws
them: other trials thin and grey, the top trials in colour on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from reportgen.charts.spec import HEIGHT, WIDTH, from_template, placeholder, slot

if TYPE_CHECKING:  # altair loads when a chart template is built (`spec.cached`)
    import altair as alt


@dataclass(frozen=True)
class CurveSeries:
    """One trial's curve of one metric, ready to draw (``None`` marks where the line stops)."""

    trial_id: str
    rank: int | None  # 1 = best feasible trial; None when infeasible
    status: str
    step: list[int]
    values: list[float | None]
    full_resolution: bool


def training_curves(
    series: list[CurveSeries], metric: str, *, log_y: bool, top_n: int, title: str
) -> dict[str, Any]:
    """A Vega-Lite spec of ``metric`` against step for every series."""
    rows = [
        {
            "trial": s.trial_id,
            "top": s.rank is not None and s.rank <= top_n,
            "label": f"#{s.rank} {s.trial_id}" if s.rank is not None else s.trial_id,
            "status": s.status,
            "step": s.step,
            "v": s.values,
        }
        for s in series
    ]
    values = {"metric": metric, "title": title}
    # a layer is drawn only if it has rows (an empty layer makes Vega warn "Infinite extent")
    others, top = any(not r["top"] for r in rows), any(r["top"] for r in rows)
    return from_template(
        ("curves", log_y, others, top), lambda: _template(log_y, others, top), values, rows
    )


def _template(log_y: bool, with_others: bool = True, with_top: bool = True) -> alt.TopLevelMixin:
    """The curves chart with slots for its metric and title."""
    import altair as alt

    y = alt.Y(
        "v:Q",
        title=slot("metric"),
        scale=alt.Scale(type="log") if log_y else alt.Scale(zero=False),
    )
    x = alt.X("step:Q", title="step")
    base = alt.Chart(placeholder()).transform_flatten(["step", "v"])
    others = (
        base.mark_line(strokeWidth=1, opacity=0.35, color="#9e9e9e")
        .encode(x=x, y=y, detail="trial:N", tooltip=["trial:N", "status:N"])
        .transform_filter("!datum.top")
    )
    top = (
        base.mark_line(strokeWidth=2.2)
        .encode(
            x=x,
            y=y,
            color=alt.Color("label:N", title="top trials", sort="ascending"),
            tooltip=["label:N", "step:Q", alt.Tooltip("v:Q", title=slot("metric"))],
        )
        .transform_filter("datum.top")
    )
    layers = [layer for layer, on in ((others, with_others), (top, with_top)) if on]
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=slot("title"))
    return chart


@dataclass(frozen=True)
class BandSeries:
    """Prepared quantile bands of many trials' curves (``None`` where a step has no band)."""

    step: list[int]
    q10: list[float | None]
    q25: list[float | None]
    q50: list[float | None]
    q75: list[float | None]
    q90: list[float | None]
    n: list[int]  # trials with a finite value at each step


def training_curve_bands(
    bands: BandSeries, top: list[CurveSeries], metric: str, *, log_y: bool, title: str
) -> dict[str, Any]:
    """A Vega-Lite spec of ``metric`` against step: the 10–90 % and 25–75 % bands and the
    median of every trial (prepared), with the ``top`` trials drawn in colour on top."""
    rows: list[dict[str, Any]] = [
        {
            "band": True,
            "step": bands.step,
            "q10": bands.q10,
            "q25": bands.q25,
            "q50": bands.q50,
            "q75": bands.q75,
            "q90": bands.q90,
            "n": bands.n,
        }
    ]
    rows += [
        {
            "band": False,
            "label": f"#{s.rank} {s.trial_id}" if s.rank is not None else s.trial_id,
            "status": s.status,
            "step": s.step,
            "v": s.values,
        }
        for s in top
    ]
    values = {"metric": metric, "title": title}
    with_top = bool(top)
    return from_template(
        ("curve-bands", log_y, with_top), lambda: _bands_template(log_y, with_top), values, rows
    )


def _bands_template(log_y: bool, with_top: bool) -> alt.TopLevelMixin:
    import altair as alt

    scale = alt.Scale(type="log") if log_y else alt.Scale(zero=False)
    x = alt.X("step:Q", title="step")
    fields = ["step", "q10", "q25", "q50", "q75", "q90", "n"]
    band = alt.Chart(placeholder()).transform_filter("datum.band").transform_flatten(fields)
    tooltip = [
        alt.Tooltip("step:Q"),
        alt.Tooltip("q50:Q", title="median"),
        alt.Tooltip("q25:Q", title="25 %"),
        alt.Tooltip("q75:Q", title="75 %"),
        alt.Tooltip("q10:Q", title="10 %"),
        alt.Tooltip("q90:Q", title="90 %"),
        alt.Tooltip("n:Q", title="trials with a finite value"),
    ]
    outer = band.mark_area(opacity=0.25, color="#9e9e9e").encode(
        x=x, y=alt.Y("q10:Q", title=slot("metric"), scale=scale), y2="q90:Q"
    )
    inner = band.mark_area(opacity=0.35, color="#757575").encode(
        x=x, y=alt.Y("q25:Q", title=slot("metric"), scale=scale), y2="q75:Q"
    )
    median = band.mark_line(strokeWidth=1.5, color="#424242", strokeDash=[5, 3]).encode(
        x=x, y=alt.Y("q50:Q", title=slot("metric"), scale=scale), tooltip=tooltip
    )
    layers: list[Any] = [outer, inner, median]
    if with_top:
        layers.append(
            alt.Chart(placeholder())
            .transform_filter("!datum.band")
            .transform_flatten(["step", "v"])
            .mark_line(strokeWidth=2.2)
            .encode(
                x=x,
                y=alt.Y("v:Q", title=slot("metric"), scale=scale),
                color=alt.Color("label:N", title="top trials", sort="ascending"),
                tooltip=["label:N", "step:Q", alt.Tooltip("v:Q", title=slot("metric"))],
            )
        )
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=slot("title"))

"""Training curves of every trial for one metric, in "flatten" form (one row per trial).

The series come prepared (downsampled, best trials at full resolution); the chart only draws
them: other trials thin and grey, the top trials in colour on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt

from reportgen.charts.spec import HEIGHT, PLACEHOLDER, WIDTH, from_template, slot


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
    y = alt.Y(
        "v:Q",
        title=slot("metric"),
        scale=alt.Scale(type="log") if log_y else alt.Scale(zero=False),
    )
    x = alt.X("step:Q", title="step")
    base = alt.Chart(PLACEHOLDER).transform_flatten(["step", "v"])
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

"""Trade-off chart: every search trial's objective against one secondary metric, the Pareto
front drawn as a line through its points, trials outside a constraint marked, and the
constraint's bound as a rule. The kinds of point come from the analysis (`TradeOffView`);
nothing here computes a statistic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from reportgen.charts.spec import (
    HEIGHT,
    WIDTH,
    finite_or_none,
    from_template,
    placeholder,
    slot,
    subtitle_lines,
)
from reportgen.schema import Objective
from reportgen.schema.trade_off import DOMINATED, FRONT, OUTSIDE, TradeOffPoint, TradeOffView

if TYPE_CHECKING:  # altair loads when a chart template is built (`spec.cached`)
    import altair as alt

KINDS = [FRONT, DOMINATED, OUTSIDE]
SHAPES = ["diamond", "circle", "cross"]
COLOURS = ["#e6550d", "#3f51b5", "#9e9e9e"]


def trade_off_plot(
    view: TradeOffView,
    objective: Objective,
    points: Sequence[TradeOffPoint] | None = None,
    note: str = "",
) -> dict[str, Any]:
    """The objective (y) against ``view.metric`` (x), with the bound of the metric's own
    constraint as a vertical rule when it has one. ``points`` are the points drawn (default:
    every point of the view) and ``note`` says which, as the subtitle."""
    drawn = view.points if points is None else points
    rows = [
        {
            "trial": p.trial_id,
            "x": finite_or_none(p.value),
            "y": finite_or_none(p.objective),
            "kind": p.kind,
            "broken": "; ".join(p.broken) or "none",
        }
        for p in drawn
    ]
    title: str | dict[str, Any] = f"{objective.metric} against {view.metric}"
    if note:
        title = {"text": title, "subtitle": subtitle_lines(note)}
    bound = view.bound
    ruled = bound is not None
    values = {
        "title": title,
        "x_title": f"{view.metric} ({view.direction})",
        "y_title": f"{objective.metric} ({objective.mode}, {objective.direction})",
        "metric": view.metric,
        "objective": objective.metric,
        "rule": [{"r": bound, "label": f"constraint {view.metric} {view.constraint}"}]
        if ruled
        else [],
    }
    fronted = any(p.kind == FRONT for p in drawn)
    return from_template(("trade-off", ruled, fronted), lambda: _template(ruled, fronted),
                         values, rows)


def _template(ruled: bool, fronted: bool) -> alt.TopLevelMixin:
    import altair as alt

    x = alt.X("x:Q", title=slot("x_title"), scale=alt.Scale(zero=False, nice=True))
    y = alt.Y("y:Q", title=slot("y_title"), scale=alt.Scale(zero=False, nice=True))
    # one field, one title and one legend for colour and shape: a single legend names each
    # kind of point, and the front's line takes the front's colour from the same scale
    color = alt.Color("kind:N", title="trial", scale=alt.Scale(domain=KINDS, range=COLOURS),
                      legend=alt.Legend(orient="bottom"))
    shape = alt.Shape("kind:N", title="trial", scale=alt.Scale(domain=KINDS, range=SHAPES),
                      legend=alt.Legend(orient="bottom"))
    base = alt.Chart(placeholder()).transform_filter("datum.x != null && datum.y != null")
    points = base.mark_point(size=70, filled=True, opacity=0.85).encode(
        x=x, y=y, color=color, shape=shape,
        tooltip=[alt.Tooltip("trial:N"), alt.Tooltip("kind:N", title="point"),
                 alt.Tooltip("x:Q", title=slot("metric")),
                 alt.Tooltip("y:Q", title=slot("objective")),
                 alt.Tooltip("broken:N", title="outside")],
    )
    layers = []
    if fronted:
        layers.append(
            base.transform_filter(f"datum.kind == '{FRONT}'").mark_line(
                strokeWidth=1.5, interpolate="linear"
            ).encode(x=x, y=y, color=color, order=alt.Order("x:Q"))
        )
    layers.append(points)
    if ruled:
        layers.append(
            alt.Chart(alt.InlineData(values=slot("rule"))).mark_rule(strokeWidth=1.5).encode(
                x=alt.X("r:Q"),
                strokeDash=alt.StrokeDash("label:N", title=None,
                                          legend=alt.Legend(orient="bottom")),
                color=alt.value("#d32f2f"),
                tooltip=[alt.Tooltip("label:N"), alt.Tooltip("r:Q", title="bound")],
            )
        )
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=slot("title"))

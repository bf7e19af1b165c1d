"""Axis plot: the objective of every trial against one varied hyperparameter.

Feasible trials are dots, infeasible ones red crosses along the top edge, the top trials are
ringed and the search-space bounds are drawn as dashed rules. Discrete and categorical
hyperparameters get an ordinal axis of their listed values, in the spec's order.
"""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts.spec import HEIGHT, PLACEHOLDER, WIDTH, finite_or_none, from_template, slot
from reportgen.schema import Hyperparameter, Objective, Scale, TrialPoint

TOP_N = 3
ONE_ROW = alt.Data(values=[{}])  # a bound is drawn once, not once per trial


def axis_plot(hp: Hyperparameter, points: list[TrialPoint], objective: Objective) -> dict[str, Any]:
    """A Vega-Lite spec of the objective against ``hp`` over ``points``."""
    # categorical and discrete values are points of an ordinal axis, in the spec's order
    ordinal = hp.scale in (Scale.CATEGORICAL, Scale.DISCRETE)
    listed = list(hp.values or [])
    rows = []
    for p in points:
        if hp.name not in p.hyperparameters:
            continue  # conditional hyperparameter not active in this trial
        x = p.hyperparameters[hp.name]
        rows.append(
            {
                "trial": p.trial_id,
                "x": _label(x, listed) if ordinal else x,
                "y": finite_or_none(p.value),
                "status": str(p.status),
                "reason": p.status_reason,
                "rank": p.rank,
            }
        )
    log = hp.scale is Scale.LOG
    bounded = not ordinal and hp.low is not None and hp.high is not None
    values = {
        "hp": hp.name,
        "x_title": hp.name if hp.scale is Scale.CATEGORICAL else f"{hp.name} ({hp.scale})",
        "y_title": f"{objective.metric} ({objective.mode}, {objective.direction})",
        "metric": objective.metric,
        "title": f"Objective against {hp.name}",
        "sort": [str(v) for v in listed],
        "low": hp.low,
        "high": hp.high,
    }
    key = ("axis", ordinal, log, bounded)
    return from_template(key, lambda: _template(ordinal, log, bounded), values, rows)


def _label(x: object, listed: list) -> str:
    """The text of a listed value on the ordinal axis (``16.0`` in a trial matches ``16``)."""
    for v in listed:
        if v == x and isinstance(v, bool) == isinstance(x, bool):
            return str(v)
    return str(x)


def _template(ordinal: bool, log: bool, bounded: bool) -> alt.TopLevelMixin:
    """The axis plot with slots for its titles, category order and bounds."""
    if ordinal:
        x_enc = alt.X(
            "x:O",
            title=slot("x_title"),
            sort=slot("sort"),
            scale=alt.Scale(type="point", padding=0.5),
            axis=alt.Axis(labelAngle=0),
        )
    else:
        scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
        x_enc = alt.X("x:Q", title=slot("x_title"), scale=scale)
    y_title = slot("y_title")
    x_type = "O" if ordinal else "Q"
    tooltip = [
        alt.Tooltip("trial:N"),
        alt.Tooltip(f"x:{x_type}", title=slot("hp")),
        alt.Tooltip("y:Q", title=slot("metric")),
    ]
    base = alt.Chart(PLACEHOLDER)
    feasible = (
        base.mark_circle(size=45, opacity=0.75)
        .encode(
            x=x_enc, y=alt.Y("y:Q", title=y_title, scale=alt.Scale(zero=False)), tooltip=tooltip
        )
        .transform_filter("datum.y != null")
    )
    top = (
        base.mark_point(size=170, shape="circle", strokeWidth=2, color="black")
        .encode(x=x_enc, y="y:Q", tooltip=tooltip)
        .transform_filter(f"datum.rank != null && datum.rank <= {TOP_N}")
    )
    top_labels = (
        base.mark_text(dy=-13, fontWeight="bold")
        .encode(x=x_enc, y="y:Q", text=alt.Text("label:N"))
        .transform_filter(f"datum.rank != null && datum.rank <= {TOP_N}")
        .transform_calculate(label="'#' + datum.rank")
    )
    infeasible = (
        base.mark_point(shape="cross", color="#d62728", filled=True, size=90)
        .encode(
            x=x_enc,
            y=alt.value(6),
            tooltip=[
                alt.Tooltip("trial:N"),
                alt.Tooltip(f"x:{x_type}", title=slot("hp")),
                "status:N",
                "reason:N",
            ],
        )
        .transform_filter("datum.y == null")
    )
    layers = [feasible, top, top_labels, infeasible]
    if bounded:
        for bound in (slot("low"), slot("high")):
            layers.append(
                alt.Chart(ONE_ROW)
                .mark_rule(strokeDash=[4, 4], color="gray")
                .encode(x=alt.datum(bound))
            )
    chart = alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=slot("title"))
    return chart

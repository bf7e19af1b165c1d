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


def axis_plot(
    hp: Hyperparameter,
    points: list[TrialPoint],
    objective: Objective,
    color_by: str | None = None,
    span: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """A Vega-Lite spec of the objective against ``hp`` over ``points``, coloured by the value
    of the scientific hyperparameter ``color_by`` when given. ``span`` is the y range (from
    `reportgen.analysis.robust_range`): values beyond it are drawn at its edge as open
    triangles and counted in the title; infeasible trials are crosses along the top edge."""
    # categorical and discrete values are points of an ordinal axis, in the spec's order
    ordinal = hp.scale in (Scale.CATEGORICAL, Scale.DISCRETE)
    listed = list(hp.values or [])
    kept = [p for p in points if hp.name in p.hyperparameters]  # conditional: active trials only
    finite = [v for p in kept if (v := finite_or_none(p.value)) is not None]
    lo, hi = span if span else ((min(finite), max(finite)) if finite else (0.0, 1.0))
    worst_top = objective.direction == "minimize"
    rows = []
    n_out = 0
    for p in kept:
        x = p.hyperparameters[hp.name]
        y = finite_or_none(p.value)
        if y is None:
            state, shown = "infeasible", hi if worst_top else lo
        elif y > hi or y < lo:
            state, shown = "outlier (drawn at the edge)", min(max(y, lo), hi)
            n_out += 1
        else:
            state, shown = "feasible", y
        group = p.hyperparameters.get(color_by, "—") if color_by else ""
        rows.append(
            {
                "trial": p.trial_id,
                "x": _label(x, listed) if ordinal else x,
                "y": y,
                "shown": shown,
                "state": state,
                "group": str(group),
                "status": str(p.status),
                "reason": p.status_reason,
                "rank": p.rank,
                "top": f"#{p.rank}" if p.rank is not None and p.rank <= TOP_N else "",
            }
        )
    log = hp.scale is Scale.LOG
    bounded = not ordinal and hp.low is not None and hp.high is not None
    out_note = f" ({n_out} outlier(s) drawn at the edge)" if n_out else ""
    values = {
        "hp": hp.name,
        "x_title": hp.name if hp.scale is Scale.CATEGORICAL else f"{hp.name} ({hp.scale})",
        "y_title": f"{objective.metric} ({objective.mode}, {objective.direction})",
        "metric": objective.metric,
        "title": f"Objective against {hp.name}{out_note}",
        "sort": [str(v) for v in listed],
        "low": hp.low,
        "high": hp.high,
        "y_low": lo if lo < hi else lo - 1,
        "y_high": hi if lo < hi else hi + 1,
        "color_title": color_by or "",
    }
    key = ("axis", ordinal, log, bounded, bool(color_by))
    return from_template(key, lambda: _template(ordinal, log, bounded, bool(color_by)), values, rows)


def _label(x: object, listed: list) -> str:
    """The text of a listed value on the ordinal axis (``16.0`` in a trial matches ``16``)."""
    for v in listed:
        if v == x and isinstance(v, bool) == isinstance(x, bool):
            return str(v)
    return str(x)


def _template(ordinal: bool, log: bool, bounded: bool, colored: bool) -> alt.TopLevelMixin:
    """The axis plot with slots for its titles, category order, bounds and y range.

    Every layer draws every row (top-trial rings and labels by opacity and text, not by a
    filter), so no layer is ever empty: an empty layer makes Vega warn "Infinite extent".
    """
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
    x_type = "O" if ordinal else "Q"
    y_enc = alt.Y(
        "shown:Q", title=slot("y_title"), scale=alt.Scale(zero=False, domain=[slot("y_low"), slot("y_high")])
    )
    tooltip = [
        alt.Tooltip("trial:N"),
        alt.Tooltip(f"x:{x_type}", title=slot("hp")),
        alt.Tooltip("y:Q", title=slot("metric")),
        alt.Tooltip("state:N"),
        alt.Tooltip("reason:N"),
    ]
    shape = alt.Shape(
        "state:N",
        title=None,
        scale=alt.Scale(
            domain=["feasible", "outlier (drawn at the edge)", "infeasible"],
            range=["circle", "triangle-up", "cross"],
        ),
        legend=alt.Legend(orient="bottom"),
    )
    encoding: dict[str, Any] = {"x": x_enc, "y": y_enc, "shape": shape, "tooltip": tooltip}
    if colored:
        encoding["color"] = alt.Color(
            "group:N", title=slot("color_title"), legend=alt.Legend(orient="right")
        )
    else:
        encoding["color"] = alt.condition(
            "datum.state == 'infeasible'", alt.value("#d62728"), alt.value("#3f51b5")
        )
    base = alt.Chart(PLACEHOLDER)
    trials = base.mark_point(size=45, opacity=0.8, filled=True).encode(**encoding)
    top = base.mark_point(size=170, shape="circle", strokeWidth=2, color="black").encode(
        x=x_enc, y=y_enc, opacity=alt.condition("datum.top != ''", alt.value(1), alt.value(0))
    )
    # labels of the top trials at three different offsets, so close trials do not overprint
    labels = [
        base.mark_text(fontWeight="bold", dx=dx, dy=dy, align=align).encode(
            x=x_enc, y=y_enc, text=alt.Text("label:N")
        ).transform_calculate(label=f"datum.top == '#{k}' ? datum.top : ''")
        for k, dx, dy, align in ((1, 0, -14, "center"), (2, 12, 0, "left"), (3, 0, 16, "center"))
    ]
    layers = [trials, top, *labels]
    if bounded:
        for bound in (slot("low"), slot("high")):
            layers.append(
                alt.Chart(ONE_ROW)
                .mark_rule(strokeDash=[4, 4], color="gray")
                .encode(x=alt.datum(bound))
            )
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=slot("title"))

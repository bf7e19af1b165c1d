"""Axis plot: the objective of every trial against one varied hyperparameter.

Feasible trials are dots, infeasible ones red crosses along the top edge, the top trials are
ringed and the search-space bounds are drawn as dashed rules. Discrete and categorical
hyperparameters get an ordinal axis of their listed values, in the spec's order.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from reportgen.schema import Hyperparameter, Objective, Scalar, Scale, TrialPoint

if TYPE_CHECKING:  # altair loads when a chart template is built (`spec.cached`)
    import altair as alt

TOP_N = 3
# parameters the trial table's filter sets (reportgen/assets/js/charts.js): whether a filter is
# typed, and the ids of the trials it shows
FILTERING = "table_filtering"
SHOWN = "table_trials"


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
    import altair as alt

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
    base = alt.Chart(placeholder())
    # drag to pan, wheel to zoom (along y only when x is a list of values)
    zoom = alt.selection_interval(bind="scales", encodings=["y"] if ordinal else ["x", "y"])
    # the trial table's filter (charts.js) sets these: trials it hides are drawn faint here
    encoding["opacity"] = alt.condition(
        f"!{FILTERING} || indexof({SHOWN}, datum.trial) >= 0", alt.value(0.8), alt.value(0.08)
    )
    trials = base.mark_point(size=45, filled=True).encode(**encoding).add_params(zoom)
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
        layers += _bound_rules(slot)
    return (
        alt.layer(*layers)
        .add_params(alt.param(name=FILTERING, value=False), alt.param(name=SHOWN, value=[]))
        .properties(width=WIDTH, height=HEIGHT, title=slot("title"))
    )


@dataclass(frozen=True)
class DensityCell:
    """Feasible trials counted in one cell: x from ``x0`` to ``x1`` in the hyperparameter's
    units (``x0`` is the category and ``x1`` None on an ordinal axis), y from ``y0`` to ``y1``."""

    x0: Scalar
    x1: float | None
    y0: float
    y1: float
    n: int


@dataclass(frozen=True)
class InfeasibleColumn:
    """Infeasible trials counted in one column of the grid, drawn at ``x`` (its centre)."""

    x: Scalar
    n: int


@dataclass(frozen=True)
class AxisDensity:
    """An axis plot's data for a study with too many trials to draw one mark each (prepared)."""

    cells: list[DensityCell]
    infeasible: list[InfeasibleColumn]
    top: list[TrialPoint]  # drawn as points, ringed and labelled
    y_low: float
    y_high: float
    n_feasible: int
    n_outliers: int  # feasible trials beyond the y range, counted in the edge cells
    grid: tuple[int, int]  # columns × rows of the grid
    x_units: str  # what the columns are equal steps of ("log10 units", "units", "categories")


def axis_density_plot(
    hp: Hyperparameter, density: AxisDensity, objective: Objective
) -> dict[str, Any]:
    """A Vega-Lite spec of the objective against ``hp`` as counts per cell: feasible trials
    counted in a grid (colour), infeasible ones as red crosses (one per column, with its
    count) along the worst edge, the top trials as ringed, labelled points."""
    ordinal = hp.scale in (Scale.CATEGORICAL, Scale.DISCRETE)
    listed = list(hp.values or [])
    worst = density.y_high if objective.direction == "minimize" else density.y_low
    # on an ordinal axis cells sit at their category, ``x`` as for the points (one field, so
    # the axis keeps the spec's order of values)
    rows: list[dict[str, Any]] = [
        {"kind": "cell", "x": c.x0, "y0": c.y0, "y1": c.y1, "n": c.n}
        if ordinal
        else {"kind": "cell", "x0": c.x0, "x1": c.x1, "y0": c.y0, "y1": c.y1, "n": c.n}
        for c in density.cells
    ]
    rows += [{"kind": "infeasible", "x": c.x, "y": worst, "n": c.n} for c in density.infeasible]
    for p in density.top:
        y = finite_or_none(p.value)
        x = p.hyperparameters[hp.name]
        rows.append(
            {
                "kind": "top",
                "trial": p.trial_id,
                "x": _label(x, listed) if ordinal else x,
                "y": y,
                "shown": min(max(y, density.y_low), density.y_high) if y is not None else worst,
                "top": f"#{p.rank}",
            }
        )
    log = hp.scale is Scale.LOG
    bounded = not ordinal and hp.low is not None and hp.high is not None
    n_inf = sum(c.n for c in density.infeasible)
    out_note = (
        f"; {density.n_outliers} beyond the y range counted in the edge cells"
        if density.n_outliers
        else ""
    )
    cols, rows_n = density.grid
    subtitle = subtitle_lines(
        f"{density.n_feasible} feasible trials counted in a grid of {cols} × {rows_n} cells "
        f"(columns equal in {density.x_units}){out_note};",
        f"{n_inf} infeasible trials as red crosses on the worst edge, one per column; "
        f"the top {len(density.top)} trials ringed",
    )
    values = {
        "hp": hp.name,
        "x_title": hp.name if hp.scale is Scale.CATEGORICAL else f"{hp.name} ({hp.scale})",
        "y_title": f"{objective.metric} ({objective.mode}, {objective.direction})",
        "metric": objective.metric,
        "title": {"text": f"Objective against {hp.name}", "subtitle": subtitle},
        "sort": [str(v) for v in listed],
        "low": hp.low,
        "high": hp.high,
        "y_low": density.y_low,
        "y_high": density.y_high,
    }
    layers = (bool(density.infeasible), bool(density.top))
    key = ("axis-density", ordinal, log, bounded, *layers)
    return from_template(
        key, lambda: _density_template(ordinal, log, bounded, *layers), values, rows
    )


def _density_template(
    ordinal: bool, log: bool, bounded: bool, with_infeasible: bool, with_top: bool
) -> alt.TopLevelMixin:
    """The density axis plot; each layer draws the rows of one ``kind``."""
    import altair as alt

    y_scale = alt.Scale(zero=False, domain=[slot("y_low"), slot("y_high")])
    if ordinal:
        x_scale = alt.Scale(type="band", paddingInner=0.15)

        def x_enc(field: str) -> alt.X:
            return alt.X(f"{field}:O", title=slot("x_title"), sort=slot("sort"),
                         scale=x_scale, axis=alt.Axis(labelAngle=0))
        cell_x: dict[str, Any] = {"x": x_enc("x")}
    else:
        x_scale = alt.Scale(type="log") if log else alt.Scale(zero=False)

        def x_enc(field: str) -> alt.X:
            return alt.X(f"{field}:Q", title=slot("x_title"), scale=x_scale)
        cell_x = {"x": x_enc("x0"), "x2": "x1:Q"}
    base = alt.Chart(placeholder())
    cells = base.transform_filter("datum.kind == 'cell'").mark_rect().encode(
        **cell_x,
        y=alt.Y("y0:Q", title=slot("y_title"), scale=y_scale),
        y2="y1:Q",
        color=alt.Color("n:Q", title="trials per cell",
                        scale=alt.Scale(type="log", scheme="blues"),
                        legend=alt.Legend(orient="right")),
        tooltip=[alt.Tooltip("n:Q", title="feasible trials"),
                 alt.Tooltip("y0:Q", title="from"), alt.Tooltip("y1:Q", title="to")],
    )
    layers: list[Any] = [cells]
    y_enc = alt.Y("y:Q", title=slot("y_title"), scale=y_scale)
    if with_infeasible:
        layers.append(
            base.transform_filter("datum.kind == 'infeasible'")
            .mark_point(shape="cross", color="#d62728", filled=True, size=80)
            .encode(x=x_enc("x"), y=y_enc,
                    tooltip=[alt.Tooltip("n:Q", title="infeasible trials")])
        )
    if with_top:
        top = base.transform_filter("datum.kind == 'top'")
        shown = alt.Y("shown:Q", title=slot("y_title"), scale=y_scale)
        tooltip = [alt.Tooltip("trial:N"), alt.Tooltip("top:N", title="rank"),
                   alt.Tooltip("y:Q", title=slot("metric"))]
        layers.append(top.mark_point(size=45, filled=True, color="#ff6f00", opacity=1).encode(
            x=x_enc("x"), y=shown, tooltip=tooltip))
        layers.append(top.mark_point(size=170, shape="circle", strokeWidth=2, color="black")
                      .encode(x=x_enc("x"), y=shown))
        layers += [
            top.transform_filter(f"datum.top == '#{k}'")
            .mark_text(fontWeight="bold", dx=dx, dy=dy, align=align)
            .encode(x=x_enc("x"), y=shown, text=alt.Text("top:N"))
            for k, dx, dy, align in ((1, 0, -14, "center"), (2, 12, 0, "left"), (3, 0, 16, "center"))
        ]
    if bounded:
        layers += _bound_rules(slot)
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=slot("title"))


def _bound_rules(slot):  # type: ignore[no-untyped-def]
    """The search space's low and high bounds as dashed rules (values from the params)."""
    import altair as alt

    one_row = alt.Data(values=[{}])  # a bound is drawn once, not once per trial
    return [
        alt.Chart(one_row).mark_rule(strokeDash=[4, 4], color="gray").encode(x=alt.datum(bound))
        for bound in (slot("low"), slot("high"))
    ]

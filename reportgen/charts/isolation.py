"""Isolation plot: each scientific value (or bucket) at its best, nuisance optimised away, with
the retrain interval where retrains exist and the search-best, marked as such, where not."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from reportgen.charts.spec import HEIGHT, WIDTH, finite_or_none, from_template, placeholder, slot
from reportgen.schema import Isolation, IsolationPoint, Objective, RetrainGroup, Scalar

if TYPE_CHECKING:  # altair loads when a chart template is built (`spec.cached`)
    import altair as alt

RETRAINED = "mean of retrains, with interval"
SEARCH_BEST = "search best (no retrains)"


def _holds(p: IsolationPoint, value: Scalar) -> bool:
    if p.low is not None and p.high is not None:
        return isinstance(value, int | float) and p.low <= float(value) <= p.high
    return p.value == value


def retrains_at(
    isolation: Isolation, groups: list[RetrainGroup], value_of: Mapping[str, Scalar]
) -> dict[str, RetrainGroup]:
    """The retrain group of each isolation point (by label): the retrains of the point's best
    trial, else of another trial with the point's value (``value_of[group]`` is the group's
    value of the isolated hyperparameter)."""
    out: dict[str, RetrainGroup] = {}
    for p in isolation.points:
        own = [g for g in groups if g.group == p.best_trial_id and g.n > 0]
        same = [g for g in groups if g.group in value_of and _holds(p, value_of[g.group])]
        found = own or sorted((g for g in same if g.n > 0), key=lambda g: -g.n)
        if found:
            out[p.label] = found[0]
    return out


def isolation_plot(
    isolation: Isolation,
    objective: Objective,
    retrains: Mapping[str, RetrainGroup] | None = None,
) -> dict[str, Any]:
    """A Vega-Lite spec of one scientific hyperparameter: one point per value, no lines.

    A value with retrains (``retrains[label]``) is drawn at their mean with their interval;
    a value without is drawn at its search-best and says so. The y axis spans the intervals.
    """
    retrains = retrains or {}
    rows = []
    for i, p in enumerate(isolation.points):
        g = retrains.get(p.label)
        best = finite_or_none(p.best_value)
        if g is not None and finite_or_none(g.mean) is not None:
            y, kind = g.mean, RETRAINED
            lo = finite_or_none(g.ci_low if g.ci_low is not None else g.mean)
            hi = finite_or_none(g.ci_high if g.ci_high is not None else g.mean)
            n_retrains = g.n
        elif best is not None:
            y, kind, lo, hi, n_retrains = best, SEARCH_BEST, best, best, 0
        else:
            continue  # no feasible trial at this value: nothing to draw
        rows.append(
            {
                "order": i,
                "label": p.label,
                "y": y,
                "lo": lo,
                "hi": hi,
                "kind": kind,
                "best": best,
                "trial": p.best_trial_id or "",
                "n": p.n_trials,
                "feasible": p.n_feasible,
                "retrains": n_retrains,
            }
        )
    kind = "bucket of " if isolation.bucketed else ""
    values = {
        "x_title": f"{kind}{isolation.hyperparameter}",
        "hp": isolation.hyperparameter,
        "sort": [p.label for p in isolation.points],
        "best": f"search-best {objective.metric}",
        "y_title": objective.metric,
        "title": f"Isolation plot of {isolation.hyperparameter}",
    }
    return from_template(("isolation",), _template, values, rows)


def _template() -> alt.TopLevelMixin:
    """The isolation plot with slots for its titles and the order of its values."""
    import altair as alt

    x = alt.X("label:N", title=slot("x_title"), sort=slot("sort"), axis=alt.Axis(labelAngle=0))
    y_scale = alt.Scale(zero=False, nice=True, padding=12)
    tooltip = [
        alt.Tooltip("label:N", title=slot("hp")),
        alt.Tooltip("kind:N", title="drawn"),
        alt.Tooltip("y:Q", title=slot("y_title")),
        alt.Tooltip("lo:Q", title="interval low"),
        alt.Tooltip("hi:Q", title="interval high"),
        alt.Tooltip("retrains:Q", title="retrains"),
        alt.Tooltip("best:Q", title=slot("best")),
        alt.Tooltip("trial:N", title="best trial"),
        alt.Tooltip("n:Q", title="trials"),
        alt.Tooltip("feasible:Q", title="feasible"),
    ]
    shape = alt.Shape(
        "kind:N",
        title=None,
        scale=alt.Scale(domain=[RETRAINED, SEARCH_BEST], range=["circle", "diamond"]),
        legend=alt.Legend(orient="bottom"),
    )
    # the same field, title and legend as the shape: one legend shows both (retrain means in
    # the rule's blue, search-best values in orange), so the two kinds never read as one
    color = alt.Color(
        "kind:N",
        title=None,
        scale=alt.Scale(domain=[RETRAINED, SEARCH_BEST], range=["#3f51b5", "#e6550d"]),
        legend=alt.Legend(orient="bottom"),
    )
    base = alt.Chart(placeholder())
    return alt.layer(
        base.mark_rule(strokeWidth=2, color="#3f51b5").encode(
            x=x, y=alt.Y("lo:Q", title=slot("y_title"), scale=y_scale), y2="hi:Q"
        ),
        base.mark_point(size=90, filled=True).encode(
            x=x, y=alt.Y("y:Q", scale=y_scale), shape=shape, color=color, tooltip=tooltip
        ),
    ).properties(width=WIDTH, height=HEIGHT, title=slot("title"))

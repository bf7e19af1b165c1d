"""Isolation plot: the best trial per scientific value (or bucket), nuisance optimised away."""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts.spec import HEIGHT, PLACEHOLDER, WIDTH, finite_or_none, from_template, slot
from reportgen.schema import Isolation, Objective


def isolation_plot(isolation: Isolation, objective: Objective) -> dict[str, Any]:
    """A Vega-Lite spec of the best objective at each value of one scientific hyperparameter."""
    rows = [
        {
            "order": i,
            "label": p.label,
            "best": finite_or_none(p.best_value),
            "trial": p.best_trial_id or "",
            "n": p.n_trials,
            "feasible": p.n_feasible,
        }
        for i, p in enumerate(isolation.points)
    ]
    kind = "bucket of " if isolation.bucketed else ""
    values = {
        "x_title": f"{kind}{isolation.hyperparameter}",
        "hp": isolation.hyperparameter,
        "sort": [p.label for p in isolation.points],
        "best": f"best {objective.metric}",
        "title": f"Isolation plot of {isolation.hyperparameter}",
    }
    return from_template(("isolation",), _template, values, rows)


def _template() -> alt.TopLevelMixin:
    """The isolation plot with slots for its titles and the order of its values."""
    x = alt.X("label:N", title=slot("x_title"), sort=slot("sort"))
    tooltip = [
        alt.Tooltip("label:N", title=slot("hp")),
        alt.Tooltip("best:Q", title=slot("best")),
        alt.Tooltip("trial:N", title="best trial"),
        alt.Tooltip("n:Q", title="trials"),
        alt.Tooltip("feasible:Q", title="feasible"),
    ]
    y = alt.Y("best:Q", title=slot("best"), scale=alt.Scale(zero=False))
    base = alt.Chart(PLACEHOLDER).transform_filter("datum.best != null")
    return alt.layer(
        base.mark_line(color="#3f51b5").encode(x=x, y=y),
        base.mark_circle(size=90, color="#3f51b5").encode(x=x, y=y, tooltip=tooltip),
    ).properties(width=WIDTH, height=HEIGHT, title=slot("title"))

"""Isolation plot: the best trial per scientific value (or bucket), nuisance optimised away."""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts.spec import HEIGHT, PLACEHOLDER, WIDTH, finite_or_none, with_values
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
    x = alt.X(
        "label:N",
        title=f"{kind}{isolation.hyperparameter}",
        sort=[p.label for p in isolation.points],
    )
    tooltip = [
        alt.Tooltip("label:N", title=isolation.hyperparameter),
        alt.Tooltip("best:Q", title=f"best {objective.metric}"),
        alt.Tooltip("trial:N", title="best trial"),
        alt.Tooltip("n:Q", title="trials"),
        alt.Tooltip("feasible:Q", title="feasible"),
    ]
    y = alt.Y("best:Q", title=f"best {objective.metric}", scale=alt.Scale(zero=False))
    base = alt.Chart(PLACEHOLDER).transform_filter("datum.best != null")
    chart = alt.layer(
        base.mark_line(color="#3f51b5").encode(x=x, y=y),
        base.mark_circle(size=90, color="#3f51b5").encode(x=x, y=y, tooltip=tooltip),
    ).properties(width=WIDTH, height=HEIGHT, title=f"Isolation plot of {isolation.hyperparameter}")
    return with_values(chart, rows)

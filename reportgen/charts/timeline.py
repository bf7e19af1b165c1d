"""Timeline of launches on the logbook's index: one mark per study at its last update."""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts.spec import PLACEHOLDER, WIDTH, from_template

VERDICT_COLOURS = {"adopt": "#1b7f3b", "reject": "#b3261e", "inconclusive": "#8a6d00"}


def launch_timeline(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``rows`` hold ``study``, ``date`` (ISO), ``verdict``, ``revision`` and ``trials``."""
    spec = from_template(("timeline",), _template, {}, rows)
    spec["height"] = max(60, 22 * len(rows))
    return spec


def _template() -> alt.TopLevelMixin:
    """The timeline; its height (one row per study) is set per use."""
    return (
        alt.Chart(PLACEHOLDER)
        .mark_point(filled=True, size=120)
        .encode(
            x=alt.X("date:T", title="last updated"),
            y=alt.Y("study:N", title=None, sort=None),
            color=alt.Color(
                "verdict:N",
                scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
            ),
            shape=alt.Shape("verdict:N"),
            tooltip=["study:N", "date:T", "verdict:N", "revision:Q", "trials:Q"],
        )
        .properties(width=WIDTH, title="Launch decisions over time")
    )

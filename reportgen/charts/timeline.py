"""Timeline of launches on the logbook's index: one mark per study at its last update, coloured
by the verdict that stands (a human decision over the computed one, ringed and labelled)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from reportgen.charts.spec import WIDTH, from_template, placeholder

if TYPE_CHECKING:  # altair loads when a chart template is built (`spec.cached`)
    import altair as alt

VERDICT_COLOURS = {"adopt": "#1b7f3b", "reject": "#b3261e", "inconclusive": "#8a6d00"}
_HUMAN = re.compile(r"\(human: (\w+)\)")
DAY_MS = 86_400_000


def launch_timeline(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """``rows`` hold ``study``, ``date`` (ISO), ``verdict`` (computed), ``revision``, ``trials``
    and optionally ``decision`` (the index's text, ``"inconclusive (human: reject)"``)."""
    drawn = []
    for r in rows:
        m = _HUMAN.search(str(r.get("decision", "")))
        human = m.group(1) if m else ""
        drawn.append(
            {
                **{k: r[k] for k in ("study", "date", "revision", "trials")},
                "computed": r["verdict"],
                "verdict": human or r["verdict"],
                "human": "human decision" if human else "",
            }
        )
    spec = from_template(("timeline",), _template, {}, drawn)
    spec["height"] = max(60, 22 * len(rows))
    return spec


def _template() -> alt.TopLevelMixin:
    """The timeline; its height (one row per study) is set per use. One legend (the verdict);
    every layer draws every row, so no layer is empty."""
    import altair as alt

    x = alt.X(
        "yearmonthdate(date):T",
        title="last updated",
        axis=alt.Axis(format="%Y-%m-%d", labelAngle=0, tickMinStep=DAY_MS),
    )
    y = alt.Y("study:N", title=None, sort=None)
    tooltip = [
        "study:N",
        alt.Tooltip("yearmonthdate(date):T", title="date", format="%Y-%m-%d"),
        alt.Tooltip("verdict:N", title="verdict that stands"),
        alt.Tooltip("computed:N", title="computed verdict"),
        alt.Tooltip("human:N", title="decided by"),
        "revision:Q",
        "trials:Q",
    ]
    base = alt.Chart(placeholder())
    points = base.mark_point(filled=True, size=120).encode(
        x=x,
        y=y,
        color=alt.Color(
            "verdict:N",
            title="verdict",
            scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
        ),
        tooltip=tooltip,
    )
    ring = base.mark_point(size=320, strokeWidth=2, color="black").encode(
        x=x, y=y, opacity=alt.condition("datum.human != ''", alt.value(1), alt.value(0))
    )
    label = base.mark_text(align="left", dx=14).encode(x=x, y=y, text="human:N")
    return alt.layer(points, ring, label).properties(
        width=WIDTH, title="Launch decisions over time (ringed: a human decision stands)"
    )

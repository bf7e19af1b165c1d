"""Variance charts: retrain dots with their mean and interval next to the study's spread, and
the expected best of k trials."""

from __future__ import annotations

from typing import Any

import altair as alt

from reportgen.charts.spec import HEIGHT, PLACEHOLDER, WIDTH, finite_or_none, from_template, slot
from reportgen.schema import Objective, Variance


def variance_plot(
    variance: Variance, objective: Objective, short: dict[str, str] | None = None
) -> dict[str, Any]:
    """Trial variance (one column per retrain group) beside study variance (one column).

    Columns are named by ``short[group]`` (e.g. the group's scientific value), else the group
    id; the full label of each column is in its tooltip.
    """
    short = short or {}
    rows: list[dict[str, Any]] = []
    used: set[str] = set()

    def column_of(name: str, group: str) -> str:
        column = name if name not in used else f"{name} · {group}"
        used.add(column)
        return column

    # one row per column, its values as one array (flattened by the dots layer only)
    for g in variance.trial:
        rows.append(
            {
                "column": column_of(short.get(g.group) or g.group, g.group),
                "full": g.label,
                "kind": "trial variance",
                "value": [finite_or_none(v) for v in g.values],
                "mean": finite_or_none(g.mean),
                "lo": finite_or_none(g.ci_low),
                "hi": finite_or_none(g.ci_high),
            }
        )
    if variance.study is not None:
        st = variance.study
        rows.append(
            {
                "column": column_of(f"study ({st.source})", "study"),
                "full": f"study variance ({st.source}): {st.label}",
                "kind": "study variance",
                "value": [finite_or_none(v) for v in st.values],
                "mean": finite_or_none(st.mean),
            }
        )
    return from_template(("variance",), _variance_template, {"metric": objective.metric}, rows)


def _variance_template() -> alt.TopLevelMixin:
    """The variance chart with a slot for its metric."""
    metric = slot("metric")
    x = alt.X("column:N", title=None, sort=None, axis=alt.Axis(labelAngle=0, labelLimit=160))
    color = alt.Color(
        "kind:N", title=None, scale=alt.Scale(domain=["trial variance", "study variance"])
    )
    base = alt.Chart(PLACEHOLDER)
    dots = (
        base.mark_circle(size=50, opacity=0.7)
        .encode(
            x=x,
            xOffset=alt.XOffset("jitter:Q"),
            y=alt.Y("value:Q", title=metric, scale=alt.Scale(zero=False)),
            color=color,
            tooltip=["full:N", alt.Tooltip("value:Q", title=metric)],
        )
        .transform_flatten(["value"])
        .transform_filter("isValid(datum.value)")
        .transform_calculate(jitter="(datum.value * 7919) % 1")
    )
    interval = (
        base.mark_rule(strokeWidth=2, color="black")
        .encode(x=x, y="lo:Q", y2="hi:Q", tooltip=["full:N", "lo:Q", "hi:Q"])
        .transform_filter("isValid(datum.lo) && isValid(datum.hi)")
    )
    mean = (
        base.mark_tick(thickness=3, size=30, color="black")
        .encode(x=x, y="mean:Q", tooltip=["full:N", alt.Tooltip("mean:Q", title="mean")])
        .transform_filter("isValid(datum.mean)")
    )
    return alt.layer(dots, interval, mean).properties(
        width=WIDTH, height=HEIGHT, title="Trial variance (retrains) beside study variance"
    )


def expected_best_plot(variance: Variance, objective: Objective) -> dict[str, Any]:
    """Expected best objective of a study of k trials, with its interval."""
    rows = [
        {
            "k": e.k,
            "mean": finite_or_none(e.mean),
            "lo": finite_or_none(e.low),
            "hi": finite_or_none(e.high),
        }
        for e in variance.expected_best
    ]
    values = {"y_title": f"expected best {objective.metric}"}
    return from_template(("expected_best",), _expected_best_template, values, rows)


def _expected_best_template() -> alt.TopLevelMixin:
    """The expected-best chart with a slot for its y title."""
    x = alt.X("k:Q", title="trials in the study (k)", scale=alt.Scale(type="log"))
    base = alt.Chart(PLACEHOLDER)
    return alt.layer(
        base.mark_area(opacity=0.25, color="#3f51b5").encode(x=x, y="lo:Q", y2="hi:Q"),
        base.mark_line(point=True, color="#3f51b5").encode(
            x=x,
            y=alt.Y("mean:Q", title=slot("y_title"), scale=alt.Scale(zero=False)),
            tooltip=["k:Q", "mean:Q", "lo:Q", "hi:Q"],
        ),
    ).properties(width=WIDTH, height=HEIGHT, title="Expected best of k trials")

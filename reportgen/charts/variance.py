"""Variance charts: retrain dots with their mean and interval next to the study's spread, and
the expected best of k trials."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from reportgen.charts.spec import HEIGHT, WIDTH, finite_or_none, from_template, placeholder, slot
from reportgen.schema import Objective, Variance

if TYPE_CHECKING:  # altair loads when a chart template is built (`spec.cached`)
    import altair as alt

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def column_order(name: str) -> tuple:
    """Sort key of a column name that orders numbers inside it numerically
    (``depth=2`` before ``depth=10``)."""
    parts: list[tuple[int, float | str]] = []
    pos = 0
    for m in _NUMBER.finditer(name):
        parts.append((0, name[pos : m.start()]))
        parts.append((1, float(m.group())))
        pos = m.end()
    parts.append((0, name[pos:]))
    return tuple(parts)


def jitter(i: int) -> float:
    """Deterministic horizontal offset of the ``i``-th point of a column, in [-0.4, 0.4):
    spread by index (golden-ratio sequence), so equal values never hide each other."""
    return round(((i * 0.6180339887498949) % 1.0 - 0.5) * 0.8, 4)


def variance_plot(
    variance: Variance, objective: Objective, short: dict[str, str] | None = None
) -> dict[str, Any]:
    """Trial variance (one column per retrain group) beside study variance (one column).

    Columns are named by ``short[group]`` (e.g. the group's scientific value), else the group
    id, and ordered numerically by that name; the full label of each column is in its
    tooltip. Every value is one dot, offset by its index; each column shows its interval.
    """
    short = short or {}
    rows: list[dict[str, Any]] = []
    used: set[str] = set()

    def column_of(name: str, group: str) -> str:
        column = name if name not in used else f"{name} · {group}"
        used.add(column)
        return column

    def row(column: str, full: str, kind: str, values: list[float], mean, lo, hi) -> dict:
        kept = [finite_or_none(v) for v in values]
        return {
            "column": column,
            "full": full,
            "kind": kind,
            "value": kept,
            "jitter": [jitter(i) for i in range(len(kept))],
            "mean": finite_or_none(mean),
            # no interval (one value): a rule of no length at the mean, so no layer is empty
            "lo": finite_or_none(lo if lo is not None else mean),
            "hi": finite_or_none(hi if hi is not None else mean),
        }

    trial_rows = [
        row(
            column_of(short.get(g.group) or g.group, g.group),
            g.label,
            "trial variance",
            g.values,
            g.mean,
            g.ci_low,
            g.ci_high,
        )
        for g in variance.trial
    ]
    rows.extend(sorted(trial_rows, key=lambda r: column_order(r["column"])))
    if variance.study is not None:
        st = variance.study
        rows.append(
            row(
                column_of(f"study ({st.source})", "study"),
                f"study variance ({st.source}): {st.label}",
                "study variance",
                st.values,
                st.mean,
                st.low,
                st.high,
            )
        )
    values = {"metric": objective.metric, "order": [r["column"] for r in rows]}
    return from_template(("variance",), _variance_template, values, rows)


def _variance_template() -> alt.TopLevelMixin:
    """The variance chart with slots for its metric and the order of its columns."""
    import altair as alt

    metric = slot("metric")
    x = alt.X(
        "column:N", title=None, sort=slot("order"), axis=alt.Axis(labelAngle=0, labelLimit=160)
    )
    color = alt.Color(
        "kind:N", title=None, scale=alt.Scale(domain=["trial variance", "study variance"])
    )
    y_scale = alt.Scale(zero=False)
    base = alt.Chart(placeholder())
    dots = (
        base.mark_circle(size=40, opacity=0.6)
        .encode(
            x=x,
            xOffset=alt.XOffset("jitter:Q", scale=alt.Scale(domain=[-0.5, 0.5])),
            y=alt.Y("value:Q", title=metric, scale=y_scale),
            color=color,
            tooltip=["full:N", alt.Tooltip("value:Q", title=metric)],
        )
        .transform_flatten(["value", "jitter"])
        .transform_filter("isValid(datum.value)")
    )
    interval = (
        base.mark_rule(strokeWidth=2, color="black")
        .encode(
            x=x,
            y=alt.Y("lo:Q", scale=y_scale),
            y2="hi:Q",
            tooltip=[
                "full:N",
                alt.Tooltip("lo:Q", title="interval low"),
                alt.Tooltip("hi:Q", title="interval high"),
            ],
        )
        .transform_filter("isValid(datum.lo) && isValid(datum.hi)")
    )
    mean = (
        base.mark_tick(thickness=3, size=30, color="black")
        .encode(x=x, y="mean:Q", tooltip=["full:N", alt.Tooltip("mean:Q", title="mean")])
        .transform_filter("isValid(datum.mean)")
    )
    return alt.layer(dots, interval, mean).properties(
        width=WIDTH,
        height=HEIGHT,
        title="Trial variance (retrains) beside study variance: every value, mean and interval",
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
    import altair as alt

    x = alt.X("k:Q", title="trials in the study (k)", scale=alt.Scale(type="log"))
    base = alt.Chart(placeholder())
    return alt.layer(
        base.mark_area(opacity=0.25, color="#3f51b5").encode(x=x, y="lo:Q", y2="hi:Q"),
        base.mark_line(point=True, color="#3f51b5").encode(
            x=x,
            y=alt.Y("mean:Q", title=slot("y_title"), scale=alt.Scale(zero=False)),
            tooltip=["k:Q", "mean:Q", "lo:Q", "hi:Q"],
        ),
    ).properties(width=WIDTH, height=HEIGHT, title="Expected best of k trials")

"""Charts of the batch-size section: steps to the target against batch size (log-log, with the
perfect-scaling line), and training throughput against batch size.

Rows arrive prepared (``reportgen.site.playbook_charts``): ``b`` the batch size, ``v`` the value,
``series`` which line it belongs to. Nothing here computes a statistic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportgen.charts.spec import HEIGHT, WIDTH, from_template, placeholder, slot

if TYPE_CHECKING:  # altair loads when a chart template is built (`spec.cached`)
    import altair as alt


def batch_lines(
    rows: list[dict[str, Any]], *, title: str | dict[str, Any], y_title: str, log_y: bool
) -> dict[str, Any]:
    """Lines of ``v`` against batch size ``b`` (log base 2), one per ``series``; a series is told
    apart by colour and dash (one legend), each measured point is drawn."""
    values = {"title": title, "y_title": y_title}
    return from_template(("batch-lines", log_y), lambda: _lines(log_y), values, rows)


def _lines(log_y: bool) -> alt.TopLevelMixin:
    import altair as alt

    x = alt.X("b:Q", title="batch size", scale=alt.Scale(type="log", base=2),
              axis=alt.Axis(values=[2**k for k in range(0, 17)], format="d"))  # fmt: skip
    y = alt.Y("v:Q", title=slot("y_title"),
              scale=alt.Scale(type="log") if log_y else alt.Scale(zero=True))  # fmt: skip
    return (
        alt.Chart(placeholder())
        .transform_filter("datum.v != null" + (" && datum.v > 0" if log_y else ""))
        .mark_line(point=True, strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color("series:N", title=None, legend=alt.Legend(orient="top")),
            strokeDash=alt.StrokeDash("series:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("series:N"), alt.Tooltip("b:Q", title="batch size"),
                     alt.Tooltip("v:Q", title=slot("y_title")), alt.Tooltip("note:N")],
        )
        .properties(width=WIDTH, height=HEIGHT, title=slot("title"))
    )

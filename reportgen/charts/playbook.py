"""Charts of the playbook-coverage sections: series against step (gradient norms, learning-rate
schedules, losses above the best learning rate, the early-instability probe, best-so-far), the best-step distribution with
its 10 % / 25 % bands, parallel coordinates of the search and the interaction heat map.

Rows arrive prepared (see ``reportgen.site.playbook_charts``); nothing here computes a statistic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportgen.charts.spec import HEIGHT, WIDTH, from_template, placeholder, slot

if TYPE_CHECKING:  # altair loads when a chart template is built (`spec.cached`)
    import altair as alt


def step_series(
    rows: list[dict[str, Any]],
    *,
    title: str | dict[str, Any],
    x_title: str,
    y_title: str,
    log_y: bool = False,
    rule: float | None = None,
    rule_label: str = "",
    interpolate: str | None = None,
) -> dict[str, Any]:
    """Lines of ``v`` against ``x`` per ``trial``; rows with ``mark`` true are drawn as red
    points (outliers, spikes); an optional horizontal rule (e.g. a suggested clip threshold).
    ``title`` is a string or a Vega-Lite title object (text and subtitle); ``interpolate``
    a Vega-Lite line interpolation (``"step-after"`` for a series kept only where it changes)."""
    values = {
        "title": title,
        "x_title": x_title,
        "y_title": y_title,
        "rule": [{"r": rule, "label": rule_label}] if rule is not None else [],
    }
    # a layer with no data makes Vega warn about an infinite extent: leave empty layers out
    marked = any(r.get("mark") for r in rows)
    ruled = rule is not None
    # a constant series (a constant learning rate) has no range for Vega to place ticks in:
    # give its axis one around the value, so it reads e.g. 0.02 to 0.03, not a lone "0"
    drawn = {r["v"] for r in rows if r.get("v") is not None and (r["v"] > 0 or not log_y)}
    flat = len(drawn) == 1 and next(iter(drawn)) != 0
    if flat:
        c = abs(next(iter(drawn)))
        values["y_lo"], values["y_hi"] = (c / 2, c * 2) if log_y else (c * 0.5, c * 1.5)
    key: tuple = ("playbook-series", log_y, marked, ruled, flat)
    if interpolate is not None:
        key += (interpolate,)
    return from_template(
        key, lambda: _series(log_y, marked, ruled, interpolate, flat), values, rows
    )


def _series(
    log_y: bool, marked: bool = True, ruled: bool = True, interpolate: str | None = None,
    flat: bool = False,
) -> alt.TopLevelMixin:
    import altair as alt

    domain = {"domain": [slot("y_lo"), slot("y_hi")]} if flat else {}
    scale = alt.Scale(type="log", **domain) if log_y else alt.Scale(zero=False, **domain)
    x = alt.X("x:Q", title=slot("x_title"))
    y = alt.Y("v:Q", title=slot("y_title"), scale=scale)
    base = alt.Chart(placeholder()).transform_filter(
        "datum.v != null" + (" && datum.v > 0" if log_y else "")
    )
    line = {"interpolate": interpolate} if interpolate else {}
    lines = base.mark_line(strokeWidth=1.5, **line).encode(
        x=x,
        y=y,
        color=alt.Color("trial:N", title="trial"),
        tooltip=[alt.Tooltip("trial:N"), alt.Tooltip("x:Q", title="step"), alt.Tooltip("v:Q")],
    ).add_params(alt.selection_interval(bind="scales"))  # drag to pan, wheel to zoom
    marks = base.transform_filter("datum.mark").mark_point(
        shape="triangle-up", color="#d32f2f", size=70, filled=True
    ).encode(x=x, y=y, tooltip=[alt.Tooltip("trial:N"), alt.Tooltip("x:Q", title="step"),
                                alt.Tooltip("v:Q"), alt.Tooltip("note:N")])
    rule = alt.Chart(alt.InlineData(values=slot("rule"))).mark_rule(
        color="#ff9800", strokeDash=[6, 3]
    ).encode(y=alt.Y("r:Q"), tooltip=[alt.Tooltip("label:N"), alt.Tooltip("r:Q", title="value")])
    layers = [lines] + ([marks] if marked else []) + ([rule] if ruled else [])
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT, title=slot("title"))


def early_probe_panel(rows: list[dict[str, Any]], steps: int, log_y: bool) -> dict[str, Any]:
    """The dense early panel: training loss at every step of the early-instability probes over
    their first ``steps`` steps, spike episodes marked, beside their source trials' loss at the
    study's own cadence over the same steps (rows prepared by the site)."""
    return step_series(
        rows,
        title={"text": f"Early-instability probe: training loss over the first {steps} steps",
               "subtitle": "the probe at every step; its source trial at the study's cadence"},
        x_title="step", y_title="train_loss", log_y=log_y,
    )


def best_step_chart(rows: list[dict[str, Any]], early: float, late: float) -> dict[str, Any]:
    """Each trial's best step as a fraction of max_train_steps, with the playbook's bands."""
    values = {"bands": [{"a": 0.0, "b": early, "band": f"first {early:.0%}: too many steps"},
                        {"a": 1 - late, "b": 1.0, "band": f"last {late:.0%}: train longer"}]}
    return from_template(("best-step",), _best_step, values, rows)


def _best_step() -> alt.TopLevelMixin:
    import altair as alt

    bands = alt.Chart(alt.InlineData(values=slot("bands"))).mark_rect(opacity=0.15).encode(
        x=alt.X("a:Q", scale=alt.Scale(domain=[0, 1])), x2="b:Q",
        color=alt.Color("band:N", title="zone", scale=alt.Scale(range=["#ff9800", "#3f51b5"])),
        tooltip=[alt.Tooltip("band:N")],
    )
    pts = alt.Chart(placeholder()).mark_tick(thickness=2, size=30).encode(
        x=alt.X("fraction:Q", title="best step / max_train_steps", scale=alt.Scale(domain=[0, 1])),
        tooltip=[alt.Tooltip("trial:N"), alt.Tooltip("fraction:Q", format=".0%")],
        color=alt.value("#212121"),
    )
    return alt.layer(bands, pts).properties(width=WIDTH, height=80,
                                            title="Where each trial's best checkpoint fell")


def parallel_chart(
    rows: list[dict[str, Any]],
    metric: str,
    title: str | dict[str, Any] = "Parallel coordinates of the search",
) -> dict[str, Any]:
    """One line per trial across the varied hyperparameters (sampling coordinates, 0 to 1)."""
    return from_template(("parallel",), _parallel, {"metric": metric, "title": title}, rows)


def _parallel() -> alt.TopLevelMixin:
    import altair as alt

    return alt.Chart(placeholder()).mark_line(opacity=0.6, point=True).encode(
        x=alt.X("hp:N", title=None),
        y=alt.Y("c:Q", title="position in range (0 = low end, 1 = high end)",
                scale=alt.Scale(domain=[0, 1])),
        detail="trial:N",
        color=alt.Color("value:Q", title=slot("metric"), scale=alt.Scale(scheme="viridis")),
        tooltip=[alt.Tooltip("trial:N"), alt.Tooltip("hp:N", title="hyperparameter"),
                 alt.Tooltip("c:Q", title="position"), alt.Tooltip("value:Q", title=slot("metric")),
                 alt.Tooltip("rank:Q")],
    ).properties(width=WIDTH, height=HEIGHT, title=slot("title"))


def interaction_chart(rows: list[dict[str, Any]], x: str, y: str, metric: str) -> dict[str, Any]:
    """Best objective per cell of the two most important hyperparameters."""
    values = {"x": x, "y": y, "metric": f"best {metric}",
              "title": f"Interaction of {x} and {y}"}
    return from_template(("interaction",), _interaction, values, rows)


def _interaction() -> alt.TopLevelMixin:
    import altair as alt

    return alt.Chart(placeholder()).mark_rect().encode(
        x=alt.X("x:N", title=slot("x")),
        y=alt.Y("y:N", title=slot("y")),
        color=alt.Color("best:Q", title=slot("metric"), scale=alt.Scale(scheme="viridis")),
        tooltip=[alt.Tooltip("x:N", title=slot("x")), alt.Tooltip("y:N", title=slot("y")),
                 alt.Tooltip("best:Q", title=slot("metric")), alt.Tooltip("n:Q", title="trials"),
                 alt.Tooltip("n_feasible:Q", title="feasible")],
    ).properties(width=WIDTH, height=HEIGHT, title=slot("title"))

"""The trade-off chart: each trial's objective against one cost, the Pareto front's points and
line in one colour, trials outside a constraint marked, the bound as a rule; one legend for the
kinds of point and one for the constraint rule. Drawn in Chromium on the probe's page with no
console warning."""

from __future__ import annotations

import pytest

from reportgen.charts.trade_offs import KINDS, trade_off_plot
from reportgen.schema import Objective
from reportgen.schema.trade_off import DOMINATED, FRONT, OUTSIDE, TradeOffPoint, TradeOffView
from tests.probes.gallery import BY_NAME, write_probe
from tests.site.browser import PageWatch, assert_drawn, chart_widths, chromium_path, serve
from tests.site.conftest import build_into


def _view(bound: float | None = 0.03) -> TradeOffView:
    pts = [
        TradeOffPoint(trial_id="a", objective=0.05, value=0.04, kind=OUTSIDE,
                      broken=["step_seconds 0.04 (not <= 0.03)"]),
        TradeOffPoint(trial_id="b", objective=0.08, value=0.02, kind=FRONT),
        TradeOffPoint(trial_id="c", objective=0.09, value=0.01, kind=FRONT),
        TradeOffPoint(trial_id="d", objective=0.10, value=0.025, kind=DOMINATED),
    ]
    return TradeOffView(metric="step_seconds", direction="minimize", points=pts,
                        front=["c", "b"], constraint="<= 0.03" if bound else "", bound=bound)


def _layers(spec):
    return {layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]: layer
            for layer in spec["layer"]}


def test_rows_are_the_analysis_points_and_kinds_share_one_legend():
    spec = trade_off_plot(_view(), Objective(metric="valid_error"))
    rows = spec["datasets"]["rows"]
    assert [(r["trial"], r["x"], r["y"], r["kind"]) for r in rows] == [
        ("a", 0.04, 0.05, OUTSIDE), ("b", 0.02, 0.08, FRONT), ("c", 0.01, 0.09, FRONT),
        ("d", 0.025, 0.1, DOMINATED)]
    assert rows[0]["broken"] == "step_seconds 0.04 (not <= 0.03)" and rows[1]["broken"] == "none"
    layers = _layers(spec)
    enc = layers["point"]["encoding"]
    for channel in ("shape", "color"):
        assert enc[channel]["field"] == "kind"
        assert enc[channel]["scale"]["domain"] == KINDS
        assert len(set(enc[channel]["scale"]["range"])) == 3  # three kinds, three looks
    assert enc["shape"]["legend"] == enc["color"]["legend"]  # merged into one legend
    # the front's line: only front rows, in order of the metric, in the front's colour
    line = layers["line"]
    assert line["transform"][-1] == {"filter": f"datum.kind == '{FRONT}'"}
    assert line["encoding"]["order"]["field"] == "x"
    assert line["encoding"]["color"]["scale"]["domain"] == KINDS
    # the bound: a rule at 0.03 with its own legend entry
    rule = layers["rule"]
    assert spec["datasets"][rule["data"]["name"]] == [
        {"r": 0.03, "label": "constraint step_seconds <= 0.03"}]
    assert rule["encoding"]["strokeDash"]["field"] == "label"
    assert "legend" in rule["encoding"]["strokeDash"]
    assert spec["title"] == "valid_error against step_seconds"


def test_no_rule_without_a_constraint_and_no_line_without_a_front():
    spec = trade_off_plot(_view(None), Objective(metric="valid_error"))
    assert set(_layers(spec)) == {"point", "line"}
    view = _view(None).model_copy(update={"points": [
        TradeOffPoint(trial_id="a", objective=0.05, value=0.04, kind=OUTSIDE)], "front": []})
    assert set(_layers(trade_off_plot(view, Objective()))) == {"point"}


@pytest.mark.browser
def test_the_probe_page_draws_both_trade_off_charts_with_legends(tmp_path, chromium):
    if chromium_path() is None:
        pytest.skip("chromium is not installed")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    write_probe(tmp_path / "logbook", BY_NAME["trade-off"])
    site = build_into(tmp_path, tmp_path / "logbook")
    with serve(site) as base:
        page = chromium.new_page(viewport={"width": 1366, "height": 900})
        watch = PageWatch(page, base)
        page.goto(f"{base}/studies/probe-trade-off/index.html")
        charts = chart_widths(page)
        legends = page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('div.vega-chart')]
                 .filter(el => el.id.startsWith('trade-off-'))
                 .map(el => [el.id, [...el.querySelectorAll('g.role-legend-label text')]
                                   .map(t => t.textContent)]))"""
        )
        page.close()
    assert_drawn(charts, "probe-trade-off")
    drawn = {c["id"]: c for c in charts if c["id"].startswith("trade-off-")}
    assert set(drawn) == {"trade-off-0", "trade-off-1"}
    assert all(c["points"] >= 16 for c in drawn.values()), drawn  # every ranked trial
    # step_seconds is constrained: the point kinds and the rule each have a legend
    assert set(KINDS) <= set(legends["trade-off-0"]), legends
    assert "constraint step_seconds <= 0.03" in legends["trade-off-0"], legends
    assert FRONT in legends["trade-off-1"] and not any(
        x.startswith("constraint") for x in legends["trade-off-1"]), legends
    assert watch.errors == [] and watch.warnings == [], (watch.errors, watch.warnings)


def test_a_dense_study_draws_the_front_the_best_and_a_seeded_sample():
    from reportgen.schema.trade_off import TradeOffs, TradeOffTrial
    from reportgen.site.prepare import TRADE_OFF_SAMPLE, trade_off_charts

    n = 1000
    pts = [TradeOffPoint(trial_id=f"t{i:04d}", objective=0.1 + i / 1e4, value=0.05 - i / 1e5,
                         kind=FRONT if i % 100 == 0 else DOMINATED) for i in range(n)]
    pts[7] = pts[7].model_copy(update={"kind": OUTSIDE, "objective": 0.01})  # the best
    view = TradeOffView(metric="step_seconds", direction="minimize", points=pts,
                        front=[p.trial_id for p in pts if p.kind == FRONT])
    t = TradeOffs(views=[view], best=TradeOffTrial(trial_id="t0007", objective=0.01, values={}))
    [(metric, spec)] = trade_off_charts(t, Objective(), dense=True)
    rows = spec["datasets"]["rows"]
    ids = [r["trial"] for r in rows]
    assert len(rows) == 10 + 1 + TRADE_OFF_SAMPLE and "t0007" in ids
    assert {f"t{i:04d}" for i in range(0, n, 100)} <= set(ids)  # every front trial
    assert ids == sorted(ids)  # in the view's order
    assert "random sample of 300 of the other 989 (seed 0)" in " ".join(spec["title"]["subtitle"])
    again = trade_off_charts(t, Objective(), dense=True)[0][1]["datasets"]["rows"]
    assert again == rows  # seeded
    [(_, sparse)] = trade_off_charts(t, Objective(), dense=False)
    assert len(sparse["datasets"]["rows"]) == n and sparse["title"] == "valid_error against step_seconds"

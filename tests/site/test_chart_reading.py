"""Issue 35 item 5: charts zoom and pan, and a constant series gets a readable axis."""

from __future__ import annotations

import json

from reportgen.charts.playbook import step_series


def _rows(values):
    return [{"x": i, "v": v, "trial": "a", "mark": False, "note": ""} for i, v in enumerate(values)]


def _scales_bound(spec) -> bool:
    return '"bind": "scales"' in json.dumps(spec)


def test_a_constant_series_gets_a_range_around_its_value():
    spec = step_series(_rows([0.0235] * 5), title="t", x_title="step", y_title="learning rate")
    lo, hi = spec["layer"][0]["encoding"]["y"]["scale"]["domain"]
    assert lo < 0.0235 < hi and lo > 0  # not an axis whose only tick is 0
    varying = step_series(_rows([0.1, 0.05]), title="t", x_title="step", y_title="v")
    assert "domain" not in varying["layer"][0]["encoding"]["y"].get("scale", {})


def test_series_and_axis_plots_zoom_and_pan():
    assert _scales_bound(step_series(_rows([1.0, 2.0]), title="t", x_title="s", y_title="v"))


def test_published_axis_plots_zoom(probe_gallery):
    _, docs, _ = probe_gallery
    side = (docs / "studies" / "probe-calm" / ".index.sidecar.txt").read_text()
    assert '"bind":"scales"' in side

"""Axis plots: dots coloured by the scientific hyperparameter, near-diverged outliers drawn at
the edge of a robust range and counted, and top-trial labels that cannot overprint."""

from __future__ import annotations

from reportgen.analysis.robust_range import robust_range
from reportgen.charts import axis_plot
from reportgen.schema import Hyperparameter, Objective, Status, TrialPoint


def _points() -> list[TrialPoint]:
    values = [0.10, 0.11, 0.12, 0.13, 0.14, 0.15, 0.16, 0.17, 0.18, 0.19, 40.0, 55.0]
    ranked = sorted(range(len(values)), key=lambda i: values[i])
    return [
        TrialPoint(
            trial_id=f"t{i:02d}",
            kind="search",
            status=Status.COMPLETE,
            hyperparameters={"lr": 10 ** (-3 + i / 4), "warmup": [0, 50, 200][i % 3]},
            value=v,
            rank=ranked.index(i) + 1,
        )
        for i, v in enumerate(values)
    ]


def test_robust_range_cuts_only_far_outliers():
    assert robust_range([0.1, 0.2, 0.3, 0.4, 0.5]) is None  # nothing to cut
    lo, hi = robust_range([p.value for p in _points()])
    assert lo == 0.10 and 0.19 <= hi < 40.0


def test_axis_plot_colours_by_the_scientific_value_and_counts_outliers_at_the_edge():
    hp = Hyperparameter(name="lr", role="nuisance", scale="log", low=1e-3, high=10.0)
    points = _points()
    span = robust_range([p.value for p in points])
    spec = axis_plot(hp, points, Objective(metric="valid_error"), color_by="warmup", span=span)
    rows = spec["datasets"]["rows"]
    assert {r["group"] for r in rows} == {"0", "50", "200"}
    colours = [
        layer["encoding"]["color"]
        for layer in spec["layer"]
        if "color" in layer.get("encoding", {}) and "field" in layer["encoding"]["color"]
    ]
    assert colours and all(c["field"] == "group" for c in colours)
    beyond = [r for r in rows if r["state"].startswith("outlier")]
    assert sorted(r["y"] for r in beyond) == [40.0, 55.0]
    assert all(r["shown"] == span[1] for r in beyond)  # drawn at the edge, value kept
    title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
    assert "2 outlier(s) drawn at the edge" in title
    y_domains = [
        layer["encoding"]["y"]["scale"]["domain"]
        for layer in spec["layer"]
        if "scale" in layer.get("encoding", {}).get("y", {})
    ]
    assert [span[0], span[1]] in y_domains


def test_top_trial_labels_sit_at_three_different_offsets():
    hp = Hyperparameter(name="lr", role="nuisance", scale="log", low=1e-3, high=10.0)
    spec = axis_plot(hp, _points(), Objective(metric="valid_error"))
    texts = [
        layer["mark"]
        for layer in spec["layer"]
        if isinstance(layer["mark"], dict) and layer["mark"].get("type") == "text"
    ]
    offsets = {(m.get("dx", 0), m.get("dy", 0)) for m in texts}
    assert len(texts) == 3 and len(offsets) == 3

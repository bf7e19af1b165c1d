"""Chart specs carry their rows where every data layer reads them, and escape their fields."""

from __future__ import annotations

from reportgen.charts.spec import escape_field, escape_fields
from reportgen.site.prepare import study_charts
from reportgen.store import load_study
from tests.site.conftest import FIXTURE_LOGBOOK, FIXTURE_STUDY


def _fixture_specs() -> list[tuple[str, dict]]:
    from reportgen.analysis import analyze_study

    records, problems = load_study(FIXTURE_LOGBOOK / FIXTURE_STUDY, FIXTURE_LOGBOOK)
    assert problems == [] and records is not None
    trials = list(records.trials_at(records.spec.revision))
    charts = study_charts(records.spec, analyze_study(records.spec, trials), trials)
    specs = [*charts.axis, *charts.curves, *charts.isolation]
    specs += [("variance", charts.variance), ("expected best", charts.expected_best)]
    return [(t, s) for t, s in specs if s is not None]


def _layers(spec: dict) -> list[dict]:
    out = []
    for layer in spec.get("layer", []):
        out += [layer, *_layers(layer)]
    return out


def _fields(spec) -> list[str]:
    if isinstance(spec, dict):
        own = [v for k, v in spec.items() if k == "field" and isinstance(v, str)]
        return own + [f for v in spec.values() for f in _fields(v)]
    if isinstance(spec, list):
        return [f for v in spec for f in _fields(v)]
    return []


def test_escape_field_makes_dots_and_brackets_literal():
    assert escape_field("nesterov.learning_rate") == "nesterov\\.learning_rate"
    assert escape_field("a\\.b") == "a\\.b"  # already escaped
    assert escape_field("m[0]") == "m\\[0\\]"
    spec = {"encoding": {"x": {"field": "adam.lr"}}, "transform": [{"flatten": ["a.b", "c"]}]}
    assert escape_fields(spec) == {
        "encoding": {"x": {"field": "adam\\.lr"}},
        "transform": [{"flatten": ["a\\.b", "c"]}],
    }


def test_every_data_layer_reads_the_rows():
    specs = _fixture_specs()
    names = {t for t, _ in specs}
    assert {"width", "nesterov.learning_rate"} <= names
    for title, spec in specs:
        rows = spec["datasets"]["rows"]
        assert rows, title
        assert spec["data"] == {"name": "rows"}, title
        for layer in _layers(spec):
            data = layer.get("data")
            # a layer draws the rows, or its own non-empty data (the one row of a bound rule)
            assert data is None or data == {"name": "rows"} or data.get("values"), (title, data)
        keys = {k for r in rows for k in r}
        for f in _fields(spec):
            assert "." not in f.replace("\\.", ""), (title, f)
            assert f.replace("\\", "") in keys or f == "label" or f == "jitter", (title, f)


def test_isolation_plot_splits_retrain_means_from_search_bests_by_shape_colour_and_legend():
    """Two kinds of value on one axis: a retrained value is drawn at its retrains' mean, one
    without retrains at its search best. Each kind has its own shape and colour, and one legend
    names both."""
    from reportgen.charts.isolation import RETRAINED, SEARCH_BEST, isolation_plot
    from reportgen.schema import Isolation, IsolationPoint, Objective, RetrainGroup

    iso = Isolation(
        hyperparameter="width",
        bucketed=False,
        points=[
            IsolationPoint(label="32", n_trials=4, n_feasible=4, best_value=0.2, best_trial_id="a"),
            IsolationPoint(label="64", n_trials=4, n_feasible=4, best_value=0.1, best_trial_id="b"),
        ],
    )
    group = RetrainGroup(group="a", label="32", trial_ids=["a-rt1", "a-rt2", "a-rt3"],
                         values=[0.2, 0.21, 0.22], n=3, mean=0.21, std=0.01, ci_low=0.19,
                         ci_high=0.23)
    spec = isolation_plot(iso, Objective(metric="valid_error"), {"32": group})
    kinds = {row["label"]: row["kind"] for row in spec["datasets"][next(iter(spec["datasets"]))]}
    assert kinds == {"32": RETRAINED, "64": SEARCH_BEST}
    [points] = [layer for layer in spec["layer"] if layer["mark"]["type"] == "point"]
    enc = points["encoding"]
    for channel in ("shape", "color"):
        assert enc[channel]["field"] == "kind"
        assert enc[channel]["scale"]["domain"] == [RETRAINED, SEARCH_BEST]
        r = enc[channel]["scale"]["range"]
        assert len(set(r)) == 2, (channel, r)  # the two kinds never share a shape or a colour
    assert enc["shape"]["legend"] == enc["color"]["legend"]  # merged into one legend

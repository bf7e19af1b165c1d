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

"""A study's ``trade_offs``: the typed shape in study.yaml, and `reportgen check` naming the
file and field of a bad entry or of a metric no trial records."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from reportgen.schema import StudySpec
from reportgen.store import write_spec, write_trial
from tests.conftest import make_spec, make_trial, run_cli


def test_the_documented_shape_round_trips():
    spec = make_spec(trade_offs=[
        {"metric": "step_seconds", "direction": "minimize", "constraint": "<= 0.05"},
        {"metric": "examples_seen"},
        {"metric": "test_accuracy", "direction": "maximize", "constraint": ">= 0.9"},
    ])
    t = spec.trade_offs
    assert (t[0].constraint.op, t[0].constraint.bound) == ("<=", 0.05)
    assert t[1].constraint is None and str(t[1].direction) == "minimize"
    dumped = spec.model_dump(mode="json")
    assert dumped["trade_offs"][0]["constraint"] == "<= 0.05"  # written as it is read
    assert StudySpec.model_validate(dumped) == spec


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"metric": "step_seconds", "constraint": "at most 0.05"}, "is not a constraint"),
        ({"metric": "step_seconds", "constraint": "== 0.05"}, "is not a constraint"),
        ({"metric": "step_seconds", "direction": "lower"}, "'minimize' or 'maximize'"),
        ({"metric": "valid_error"}, "'valid_error' is the objective itself"),
        ({"metric": ""}, "at least 1 character"),
        ({"metric": "step_seconds", "cost": 1}, "Extra inputs are not permitted"),
    ],
)
def test_bad_entries_are_refused(entry, message):
    with pytest.raises(ValidationError, match=message):
        make_spec(trade_offs=[entry])


def test_a_metric_named_twice_is_refused():
    with pytest.raises(ValidationError, match="entry 1: 'wall_seconds' is named twice"):
        make_spec(trade_offs=[{"metric": "wall_seconds"}, {"metric": "wall_seconds"}])


def _book(tmp_path: Path, trade_offs: list[dict], settings: dict | None = None) -> Path:
    root = tmp_path / "logbook"
    workload = {"name": "digits_mlp", "settings": settings if settings is not None else
                {"batch_size": 32}}
    write_spec(root, make_spec(trade_offs=trade_offs, workload=workload))
    write_trial(root, make_trial(test_metrics={"test_error": 0.12}))
    return root


def _check(root: Path):
    return run_cli("check", "--logbook", str(root))


def test_check_accepts_metrics_the_records_carry(tmp_path):
    root = _book(tmp_path, [{"metric": "step_seconds", "constraint": "<= 0.05"},
                            {"metric": "examples_seen"}, {"metric": "valid_loss"},
                            {"metric": "test_error"}])
    r = _check(root)
    assert r.returncode == 0, r.stdout + r.stderr


def test_check_names_the_file_and_field_of_an_unrecorded_metric(tmp_path):
    root = _book(tmp_path, [{"metric": "step_seconds"}, {"metric": "latency_ms"}])
    r = _check(root)
    assert r.returncode == 1
    out = r.stdout + r.stderr
    assert "demo/study.yaml: trade_offs.1.metric: 'latency_ms' is not recorded by any" in out, out
    assert "test metrics: test_error" in out and "record metrics: step_seconds" in out


def test_examples_seen_needs_a_batch_size(tmp_path):
    root = _book(tmp_path, [{"metric": "examples_seen"}], settings={})
    r = _check(root)
    assert r.returncode == 1
    assert "trade_offs.0.metric: no trial records a batch_size hyperparameter" in r.stdout + r.stderr


def test_check_names_the_line_of_a_bad_constraint(tmp_path):
    root = _book(tmp_path, [])
    path = root / "demo" / "study.yaml"
    data = yaml.safe_load(path.read_text())
    data["trade_offs"] = [{"metric": "step_seconds", "constraint": "<< 1"}]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    r = _check(root)
    assert r.returncode == 1
    out = r.stdout + r.stderr
    assert "demo/study.yaml:" in out and "trade_offs.0.constraint" in out, out
    assert "'<< 1' is not a constraint" in out

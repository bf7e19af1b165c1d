"""``reportgen throughput``: a real probe on the digits MLP, its record, and the page it feeds."""

from __future__ import annotations

import json
import shutil

import pytest

from reportgen.site import build_site
from reportgen.site.mkdocs_run import DEFAULT_DOCS
from reportgen.store import load_study, write_spec
from tests.conftest import run_cli
from tests.runners.conftest import tiny_spec

pytest.importorskip("jax")
pytestmark = pytest.mark.jax


def test_probe_times_each_batch_size_and_the_page_shows_it(tmp_path):
    logbook = tmp_path / "logbook"
    spec = tiny_spec(search_space=[
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {"name": "adam.learning_rate", "role": "nuisance", "scale": "log", "low": 1e-3,
         "high": 1e-2},
        {"name": "batch_size", "role": "scientific", "scale": "discrete", "values": [8, 64]},
    ], steps_to_result={"target": 0.5})  # fmt: skip
    write_spec(logbook, spec)
    done = run_cli("throughput", "tiny", "--logbook", str(logbook), "--steps", "5",
                   "--repeats", "2")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "batch      8" in done.stderr and "examples/s" in done.stderr
    data = json.loads((logbook / "tiny" / "throughput.json").read_text())
    assert [p["batch_size"] for p in data["points"]] == [8, 64]  # the study's own sizes
    assert data["steps"] == 5 and data["repeats"] == 2 and data["device"].startswith("cpu")
    for p in data["points"]:
        assert p["step_seconds"] > 0 and p["synthetic_step_seconds"] > 0
        assert p["input_seconds"] >= 0
    records, problems = load_study(logbook / "tiny")
    assert problems == [] and records.throughput is not None

    # the probe's record is analysed with the trials and shown on the page
    assert run_cli("run", "tiny", "--logbook", str(logbook), "--quiet").returncode == 0
    analysed = run_cli("analyze", "tiny", "--logbook", str(logbook), "--json")
    assert analysed.returncode == 0, analysed.stderr
    view = json.loads(analysed.stdout)["batch_size"]
    assert [r["batch_size"] for r in view["throughput"]] == [8, 64]
    assert view["target"] == 0.5 and [r["batch_size"] for r in view["rows"]] == [8, 64]
    docs = tmp_path / "docs"
    shutil.copytree(DEFAULT_DOCS, docs)
    build_site(logbook, docs, tmp_path / "site", run_site=False)
    page = (docs / "studies" / "tiny" / "index.md").read_text()
    assert "## Batch size" in page and "### Throughput" in page
    assert "| 8 |" in page and "| 64 |" in page
    assert "Measured on cpu" in page


def test_a_broken_throughput_file_is_named_with_its_field(tmp_path):
    logbook = tmp_path / "logbook"
    write_spec(logbook, tiny_spec())
    (logbook / "tiny" / "throughput.json").write_text(json.dumps({
        "study_id": "tiny", "measured_at": "2026-12-07T00:00:00Z", "device": "cpu",
        "steps": 5, "repeats": 1, "points": [{"batch_size": 8}],
    }))  # fmt: skip
    records, problems = load_study(logbook / "tiny")
    assert records is not None and records.throughput is None
    assert [p.path.endswith("tiny/throughput.json") for p in problems] == [True]
    assert "step_seconds" in problems[0].message
    checked = run_cli("check", "--logbook", str(logbook))
    assert checked.returncode == 1
    assert "throughput.json: points.0: step_seconds: required unless oom" in checked.stdout

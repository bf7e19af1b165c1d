"""A study written by the trial logger (a NumPy loop through `suggest`) builds into a page with
the same structure as a study written by the JAX runners."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from examples.numpy_loop import run as numpy_loop
from reportgen.analysis import analyze_study
from reportgen.site.study_build import render_study_records
from reportgen.store import load_study
from tests.conftest import run_cli

pytestmark = pytest.mark.jax  # the runner-written side trains with JAX

SPEC = """\
study_id: {study_id}
title: Cosine decay vs a constant learning rate
goal: Decide whether cosine decay beats a constant learning rate once Adam's learning rate is tuned.
workload: {workload}
search_space:
- {{name: optimizer, role: fixed, value: adam}}
- {{name: schedule, role: scientific, scale: categorical, values: [constant, cosine]}}
- {{name: adam.learning_rate, role: nuisance, scale: log, low: 0.001, high: 0.03}}
trial_budget: 6
max_train_steps: 100
eval_every: 25
baseline: {{hyperparameter: schedule, value: constant}}
candidate: cosine
"""


def structure(markdown: str) -> dict:
    """What a reader sees as the page's layout: sections, guidance boxes, charts, table heads."""
    lines = markdown.splitlines()
    return {
        "sections": [ln for ln in lines if re.match(r"^#{1,2} ", ln) and not ln.startswith("# ")],
        "boxes": [
            ln for ln in lines if ln.startswith("!!! tip") or ln.startswith("!!! warning \"Caveats")
        ],
        "charts": re.findall(r'class="vega-chart" id="([^"]+)"', markdown),
        "tables": [lines[i - 1] for i, ln in enumerate(lines) if ln.startswith("|---") or ln.startswith("| ---")],
    }


def _page(root: Path, study_id: str) -> str:
    records, problems = load_study(root / study_id)
    assert problems == [] and records is not None
    files = render_study_records(records, analyze_study, "test").files
    return files[f"{study_id}/index.md"]


def test_logger_written_study_page_has_the_runner_written_structure(tmp_path):
    root = tmp_path / "logbook"
    for study_id, workload in (
        ("by-runner", "{name: digits_mlp, settings: {depth: 1, width: 32, batch_size: 64}}"),
        ("by-logger", "{name: external, settings: {hidden: 32, batch_size: 64}}"),
    ):
        (root / study_id).mkdir(parents=True)
        (root / study_id / "study.yaml").write_text(SPEC.format(study_id=study_id, workload=workload))
    r = run_cli("run", "by-runner", "--logbook", str(root), "--quiet")
    assert r.returncode == 0, r.stderr
    assert len(numpy_loop(root, "by-logger", 6)) == 6
    r = run_cli("check", "--logbook", str(root))
    assert r.returncode == 0, r.stdout + r.stderr
    runner_page, logger_page = _page(root, "by-runner"), _page(root, "by-logger")
    assert structure(logger_page) == structure(runner_page)
    s = structure(logger_page)
    assert "## Decision" in s["sections"] and "curves-0" in s["charts"] and "axis-0" in s["charts"]

"""Workload plugins: a user's Flax model trains through the plugin path, by import path or by an
entry-point name, and its records pass `reportgen check`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.registry import BUILTIN_WORKLOADS
from tests.conftest import REPO, run_cli

pytestmark = pytest.mark.jax

FLAX_STUDY = """\
study_id: flax-tiny
title: One or two residual blocks in the Flax digits model
goal: Exercise the plugin path in tests.
workload:
  {workload}
  settings: {{features: 16, batch_size: 32}}
search_space:
- {{name: optimizer, role: fixed, value: adam}}
- {{name: blocks, role: scientific, scale: discrete, values: [1, 2]}}
- {{name: adam.learning_rate, role: nuisance, scale: log, low: 0.001, high: 0.01}}
trial_budget: 2
max_train_steps: 20
eval_every: 10
baseline: {{hyperparameter: blocks, value: 1}}
"""


def _book(tmp_path: Path, workload: str, allow: str = "") -> Path:
    """A logbook with the Flax study; ``allow``: the plugins the project's pyproject.toml
    (beside the logbook, outside it) allows."""
    root = tmp_path / "logbook"
    (root / "flax-tiny").mkdir(parents=True)
    if allow:
        (tmp_path / "pyproject.toml").write_text(f'[tool.reportgen]\nplugins = ["{allow}"]\n')
    (root / "flax-tiny" / "study.yaml").write_text(FLAX_STUDY.format(workload=workload))
    return root


def test_examples_flax_plugin_trains_through_the_plugin_path(tmp_path):
    assert "flax_digits" not in BUILTIN_WORKLOADS  # nothing registers it: only the import path
    root = _book(tmp_path, "entry: examples.flax_digits:make_workload")
    r = run_cli("run", "flax-tiny", "--logbook", str(root), "--quiet")
    assert r.returncode == 1 and "is not an allowed plugin" in r.stderr, r.stderr  # not allowed
    root = _book(tmp_path / "allowed", "entry: examples.flax_digits:make_workload", "examples")
    r = run_cli("run", "flax-tiny", "--logbook", str(root), "--quiet")
    assert r.returncode == 0, r.stderr
    assert "wrote 2 trial(s) (2 complete)" in r.stderr
    records = [
        json.loads(p.read_text()) for p in sorted((root / "flax-tiny" / "trials").glob("*.json"))
    ]
    assert len(records) == 2
    assert {rec["dataset"]["model"] for rec in records} == {
        "examples.flax_digits residual MLP (Flax)"
    }
    assert [rec["hyperparameters"]["blocks"] for rec in records] == [1, 2]
    assert all(rec["hyperparameters"]["features"] == 16 for rec in records)
    assert all(rec["curves"]["valid_error"][-1] < 0.9 for rec in records)  # it learned something
    r = run_cli("check", "--logbook", str(root))
    assert r.returncode == 0, r.stdout + r.stderr


def _with_entry_point(tmp_path: Path) -> dict:
    """An installed distribution (a dist-info on the path) registering the example by name."""
    site = tmp_path / "site"
    dist = site / "my_models-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-models\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[tuning_logbook.workloads]\nmy_flax = examples.flax_digits:make_workload\n"
    )
    return {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{site}"}


def _cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_plugin_named_through_the_entry_point_group(tmp_path):
    env = _with_entry_point(tmp_path)
    root = _book(tmp_path, "name: my_flax")
    r = _cli(env, "check", "--logbook", str(root))
    assert r.returncode == 0, r.stdout + r.stderr
    text = (root / "flax-tiny" / "study.yaml").read_text()
    (root / "flax-tiny" / "study.yaml").write_text(text.replace("features: 16", "featurs: 16"))
    r = _cli(env, "check", "--logbook", str(root))
    assert r.returncode == 1
    assert (
        "flax-tiny/study.yaml:6: workload.settings.featurs: flax_digits has no setting 'featurs'"
        in r.stdout
    )
    r = _cli(env, "run", "flax-tiny", "--logbook", str(root), "--quiet")
    assert r.returncode == 1 and "workload.settings.featurs: flax_digits has no setting" in r.stderr
    # without the distribution the name is unknown, and the known names are listed
    r = run_cli("check", "--logbook", str(root))
    assert "workload.name: unknown workload 'my_flax'; known: digits_mlp, external" in r.stdout


def test_a_bad_plugin_is_a_clear_error(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "not_a_workload.py").write_text("def make_workload():\n    return {'name': 'x'}\n")
    root = _book(tmp_path, "entry: not_a_workload:make_workload", "not_a_workload")
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{pkg}"}
    for command in (
        ("check", "--logbook", str(root)),
        ("run", "flax-tiny", "--logbook", str(root)),
    ):
        r = _cli(env, *command)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "returned dict, not a workload (missing name, settings_model, shape_settings)" in (
            r.stdout + r.stderr
        )
        assert "Traceback" not in r.stderr


def test_run_refuses_the_external_workload_with_what_to_do(tmp_path):
    root = _book(tmp_path, "name: external")
    r = run_cli("run", "flax-tiny", "--logbook", str(root))
    assert r.returncode == 1
    assert "trained by your own loop" in r.stderr and "reportgen suggest" in r.stderr

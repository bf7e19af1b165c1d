"""The trial logger in a user's own loop, as a user runs it: the shipped NumPy loop copied into a
scratch folder as the user's script (no package, no ``PYTHONPATH``), a study of their own with
its own step budget and eval interval, then ``check`` and ``build``. Before: the logger exposed no
``max_train_steps``, ``eval_every`` or settings, and the example read the spec through a private
function."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from tests.conftest import REPO
from tests.journeys.helpers import reportgen

SPEC = """\
study_id: my-loop
title: My own NumPy loop
goal: Whether cosine decay beats a constant rate for my loop.
phase: exploration
workload:
  name: external
  settings: {hidden: 16, batch_size: 32}
objective: {metric: valid_error, direction: minimize}
search_space:
- {name: optimizer, role: fixed, value: adam}
- {name: schedule, role: scientific, scale: categorical, values: [constant, cosine]}
- {name: adam.learning_rate, role: nuisance, scale: log, low: 0.001, high: 0.1}
search: {kind: quasi_random, seed: 0}
trial_budget: 4
max_train_steps: 60
eval_every: 15
baseline: {hyperparameter: schedule, value: constant}
candidate: cosine
"""


def test_my_own_loop_trains_the_suggested_points_with_the_studys_budget(tmp_path):
    shutil.copy(REPO / "examples" / "numpy_loop.py", tmp_path / "my_loop.py")
    (tmp_path / "logbook" / "my-loop").mkdir(parents=True)
    (tmp_path / "logbook" / "my-loop" / "study.yaml").write_text(SPEC)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run(
        [sys.executable, "my_loop.py", "--logbook", "logbook", "--study", "my-loop", "--count", "2"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    trained = r.stdout.split()
    assert len(trained) == 2
    for tid in trained:
        record = json.loads((tmp_path / "logbook" / "my-loop" / "trials" / f"{tid}.json").read_text())
        # the loop took its budget and eval interval from the study, through public names
        assert record["max_train_steps"] == 60
        assert record["curves"]["step"] == [15, 30, 45, 60]
    assert reportgen("check", cwd=tmp_path).returncode == 0
    r = reportgen("build", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "site" / "studies" / "my-loop" / "index.html").is_file()

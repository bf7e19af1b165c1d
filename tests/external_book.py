"""A logbook with one study trained by an external loop (the `external` workload): the `book`
fixture of the trial-logger and suggest tests."""

from __future__ import annotations

from pathlib import Path

import pytest

EXTERNAL_SPEC = """\
study_id: numpy-digits
title: Cosine decay vs a constant learning rate for a NumPy MLP
goal: Decide whether cosine decay beats a constant learning rate once Adam's learning rate is tuned.
workload:
  name: external
  settings: {hidden: 32, batch_size: 64}
search_space:
- {name: optimizer, role: fixed, value: adam}
- {name: schedule, role: scientific, scale: categorical, values: [constant, cosine]}
- {name: adam.learning_rate, role: nuisance, scale: log, low: 0.0003, high: 0.3}
trial_budget: 12
max_train_steps: 1000
eval_every: 25
baseline: {hyperparameter: schedule, value: constant}
"""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    root = tmp_path / "logbook"
    (root / "numpy-digits").mkdir(parents=True)
    (root / "numpy-digits" / "study.yaml").write_text(EXTERNAL_SPEC)
    return root

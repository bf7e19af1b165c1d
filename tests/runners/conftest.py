"""Helpers of the runner tests: a tiny digits study written into a temporary logbook."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

# the environment of a `reportgen` subprocess that imports this checkout
RUN_ENV = dict(os.environ, PYTHONPATH=str(REPO))


def run_tiny_cmd(logbook: Path, *extra: str) -> list[str]:
    """``reportgen run tiny`` on ``logbook`` as a subprocess command, quiet, plus ``extra``."""
    return [sys.executable, "-m", "reportgen", "run", "tiny", "--logbook", str(logbook),
            "--quiet", *extra]  # fmt: skip

# Every traced hyperparameter of one Adam trial of the group trainer, regularisers off: a test
# changes what it studies with ``dict(ADAM_TRIAL, learning_rate=...)``.
ADAM_TRIAL = {
    "learning_rate": 1e-3,
    "b1": 0.9,
    "b2": 0.999,
    "eps": 1e-8,
    "warmup_steps": 0.0,
    "weight_decay": 0.0,
    "grad_clip": 0.0,
    "label_smoothing": 0.0,
    "dropout": 0.0,
    "schedule": 0.0,
}


def tiny_spec(study_id: str = "tiny", **overrides):
    """A digits_mlp study that trains in seconds on a CPU."""
    from reportgen.schema import StudySpec

    base = dict(
        study_id=study_id,
        title="Tiny digits study",
        goal="Exercise the runners in tests.",
        workload={"name": "digits_mlp", "settings": {"batch_size": 32, "depth": 1, "width": 16}},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-3,
                "high": 1e-2,
            },
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [8, 16]},
        ],
        trial_budget=4,
        max_train_steps=40,
        eval_every=20,
    )
    base.update(overrides)
    return StudySpec(**base)


@pytest.fixture
def tiny_logbook(tmp_path: Path) -> Path:
    from reportgen.store import write_spec

    logbook = tmp_path / "logbook"
    write_spec(logbook, tiny_spec())
    return logbook

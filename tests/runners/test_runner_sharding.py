"""A group's trial axis sharded over 4 forced CPU devices gives the records of the unsharded run."""

from __future__ import annotations

import math
import os
import subprocess
import sys

import pytest

from reportgen.store import load_study, write_spec
from tests.conftest import REPO
from tests.runners.conftest import tiny_spec

pytest.importorskip("jax")
pytestmark = [pytest.mark.jax, pytest.mark.slow]


def _run(lb, cache, devices: int) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    env = dict(os.environ, PYTHONPATH=str(REPO), REPORTGEN_COMPILE_CACHE=str(cache))
    env.pop("XLA_FLAGS", None)
    if devices > 1:
        env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    cmd = [sys.executable, "-m", "reportgen", "run", "tiny", "--logbook", str(lb), "--quiet"]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)


def test_sharded_over_four_devices_matches_the_unsharded_run(tmp_path):
    spec = tiny_spec(trial_budget=6, max_train_steps=60, eval_every=20)
    studies = {}
    for devices in (1, 4):
        lb = tmp_path / f"lb{devices}"
        write_spec(lb, spec)
        res = _run(lb, tmp_path / "cache", devices)
        assert res.returncode == 0, res.stderr
        study, problems = load_study(lb / "tiny")
        assert problems == [] and study is not None
        studies[devices] = {t.trial_id: t for t in study.trials}
    one, four = studies[1], studies[4]
    assert sorted(one) == sorted(four) and len(one) == 6
    # two shape groups of 3 trials each, padded to 4 on the sharded side
    assert {t.execution.devices for t in four.values()} == {4}
    assert {t.execution.devices for t in one.values()} == {1}
    worst = 0.0
    for tid, a in one.items():
        b = four[tid]
        assert a.hyperparameters == b.hyperparameters and a.seeds == b.seeds
        assert a.status == b.status and a.curves.step == b.curves.step
        for col in ("train_loss", "valid_loss", "valid_error", "grad_norm", "learning_rate"):
            for x, y in zip(getattr(a.curves, col), getattr(b.curves, col), strict=True):
                assert math.isfinite(x) == math.isfinite(y)
                if math.isfinite(x):
                    worst = max(worst, abs(x - y) / max(abs(x), 1e-3))
        assert a.execution.trial_share_seconds is not None
        assert a.execution.group_wall_seconds >= a.execution.trial_share_seconds
    # only floating-point reduction order may differ
    assert worst <= 1e-3, worst
    assert any((tmp_path / "cache").iterdir())  # the persistent compilation cache was written

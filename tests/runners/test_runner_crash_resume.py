"""Crash safety: SIGKILL a real ``reportgen run`` mid-study, then ``--resume`` completes it."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from reportgen.store import load_study, write_spec
from tests.runners.conftest import RUN_ENV, run_tiny_cmd, tiny_spec

pytest.importorskip("jax")
pytestmark = pytest.mark.jax


def test_sigkill_mid_study_then_resume_loses_and_duplicates_nothing(tmp_path):
    lb = tmp_path / "logbook"
    # 8 trials in groups of 2, enough steps that the study is still running after the first group
    write_spec(lb, tiny_spec(trial_budget=8, max_train_steps=400, eval_every=50))
    trials = lb / "tiny" / "trials"
    env = RUN_ENV
    cmd = run_tiny_cmd(lb, "--max-group", "2")
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if trials.is_dir() and len(list(trials.glob("*.json"))) >= 2:
            break
        time.sleep(0.05)
    assert proc.poll() is None, (
        "the run ended before it could be killed: " + proc.stderr.read().decode()
    )
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    on_disk = sorted(p.name for p in trials.glob("*.json"))
    assert 2 <= len(on_disk) < 8
    study, problems = load_study(lb / "tiny")
    assert problems == [], problems  # every file on disk is whole and valid
    survivors = {p.name: p.read_bytes() for p in trials.glob("*.json")}

    done = subprocess.run([*cmd, "--resume"], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    study, problems = load_study(lb / "tiny")
    assert problems == []
    ids = [t.trial_id for t in study.trials]
    assert ids == [f"r1-s0-{i:04d}" for i in range(8)]  # none lost, none duplicated
    for name, data in survivors.items():
        assert (trials / name).read_bytes() == data  # the survivors were not trained again
    assert not [p for p in trials.iterdir() if p.name.startswith(".")]

"""Concurrent workers on one study: each trial trained and written exactly once."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time

import pytest

from reportgen.store import load_study, write_spec
from reportgen.store.claims import iter_claim_files
from tests.conftest import run_cli
from tests.runners.conftest import RUN_ENV, run_tiny_cmd, tiny_spec

pytest.importorskip("jax")
pytestmark = [pytest.mark.jax, pytest.mark.slow]



def _claim_pid(path) -> int | None:  # type: ignore[no-untyped-def]
    try:
        return json.loads(path.read_text()).get("pid")
    except (OSError, ValueError):
        return None


def _wrote(stderr: str) -> int:
    m = re.search(r"wrote (\d+) trial", stderr)
    return int(m.group(1)) if m else 0


def test_a_second_plain_run_does_not_train_the_trials_again(tmp_path):
    """Two plain ``run`` processes on one study (the old code trained and wrote every trial
    twice): together they write each trial once, and the second either shares the claims or
    stops with a clear message."""
    lb = tmp_path / "logbook"
    write_spec(lb, tiny_spec(trial_budget=4, max_train_steps=1000, eval_every=50))
    a = subprocess.Popen(
        run_tiny_cmd(lb, "--max-group", "2"), env=RUN_ENV, stderr=subprocess.PIPE, text=True
    )
    claims = lb / "tiny" / ".claims"
    deadline = time.monotonic() + 300
    while (
        time.monotonic() < deadline and a.poll() is None and not list(iter_claim_files(lb / "tiny"))
    ):
        time.sleep(0.05)
    overlapped = a.poll() is None  # the first run still holds its claims when the second starts
    b = subprocess.run(
        run_tiny_cmd(lb, "--max-group", "2"),
        env=RUN_ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    _, a_err = a.communicate(timeout=600)
    assert a.returncode == 0, a_err
    if b.returncode != 0:
        assert b.returncode == 1, b.stderr
        assert "Traceback" not in b.stderr
        # while the first trains: "being trained by another process ... --worker"; when it was
        # already done (a fast machine, a warm compile cache): every trial exists, "--resume"
        said_busy = "being trained by another process" in b.stderr and "--worker" in b.stderr
        said_done = "already in" in b.stderr and "--resume" in b.stderr
        assert said_busy or said_done, (overlapped, b.stderr)
    # whichever way it went, no trial was trained twice (the old code wrote all 4 twice)
    assert _wrote(a_err) + _wrote(b.stderr) == 4, (a_err, b.stderr)
    assert len(list((lb / "tiny" / "trials").glob("*.json"))) == 4
    assert list(iter_claim_files(lb / "tiny")) == []
    assert claims.is_dir()


def test_four_workers_one_killed_mid_group_train_every_trial_exactly_once(tmp_path):
    lb = tmp_path / "logbook"
    write_spec(lb, tiny_spec(trial_budget=8, max_train_steps=100, eval_every=50))
    study = lb / "tiny"

    def worker() -> subprocess.Popen:
        cmd = run_tiny_cmd(lb, "--worker", "--max-group", "2", "--lease", "30")
        return subprocess.Popen(cmd, env=RUN_ENV, stderr=subprocess.PIPE, text=True)

    victim = worker()
    deadline = time.monotonic() + 300
    held: list[str] = []
    while time.monotonic() < deadline and victim.poll() is None:
        held = [p.parent.name for p in iter_claim_files(study) if _claim_pid(p) == victim.pid]
        if held:
            break
        time.sleep(0.02)
    assert held and victim.poll() is None, "the victim never claimed a trial"
    # freeze the victim while it holds its group, so that it cannot finish the group before
    # the kill however fast this machine trains (a sleep alone let it write both on CI)
    os.kill(victim.pid, signal.SIGSTOP)
    trials = study / "trials"
    before = {p.name: p.stat().st_ino for p in trials.glob("*.json")} if trials.is_dir() else {}
    assert not set(held) & set(n.removesuffix(".json") for n in before)  # its group is cut
    procs = [victim] + [worker() for _ in range(3)]
    time.sleep(1.0)  # the others start and claim while the victim's claims still look alive
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    errs = [p.communicate(timeout=900)[1] for p in procs[1:]]
    for p, err in zip(procs[1:], errs, strict=True):
        assert p.returncode == 0, err
    after = {p.name: p.stat().st_ino for p in trials.glob("*.json")}
    assert len(after) == 8
    assert all(after[n] == ino for n, ino in before.items())  # nothing written twice
    assert sum(_wrote(e) for e in errs) + len(before) == 8, errs  # each trial trained once
    assert all(f"{n}.json" in after for n in held)  # another worker took its group over
    s, problems = load_study(study)
    assert problems == [] and s is not None and len(s.trials) == 8
    res = run_cli("check", "--logbook", str(lb))
    assert res.returncode == 0, res.stdout + res.stderr

"""Checkpoints (``runners.checkpoints``): a vectorised group SIGKILLed mid-training resumes from
its last saved state and ends with the curves of an uninterrupted run; each record names its
best parameters, which ``reportgen export`` writes out and a fresh process evaluates to the
recorded best validation error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from reportgen.store import load_study, write_spec, write_trial
from tests.runners.conftest import RUN_ENV, run_tiny_cmd, tiny_spec

pytest.importorskip("jax")
pytest.importorskip("orbax.checkpoint")
pytestmark = pytest.mark.jax



def _spec(**kw):
    # one shape (width fixed) so the four trials train as one vectorised group of 4
    space = [
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {
            "name": "adam.learning_rate",
            "role": "nuisance",
            "scale": "log",
            "low": 1e-3,
            "high": 1e-2,
        },
        {"name": "dropout", "role": "scientific", "scale": "discrete", "values": [0.0, 0.2]},
    ]
    return tiny_spec(search_space=space, trial_budget=4, **kw)


def _saved_steps(root):
    groups = root / "tiny" / "groups"
    if not groups.is_dir():
        return []
    return [
        int(p.name)
        for g in groups.iterdir()
        for p in g.iterdir()
        if p.name.isdigit() and (p / "commit_success.txt").exists()
    ]


def _trials(lb):
    study, problems = load_study(lb / "tiny")
    assert problems == [], problems
    return {t.trial_id: t for t in study.trials}


def test_sigkilled_group_resumes_from_its_checkpoint_with_equal_curves(tmp_path):
    kw = dict(max_train_steps=3000, eval_every=50, checkpoints={"keep": "best", "every_evals": 2})
    killed, whole = tmp_path / "killed" / "logbook", tmp_path / "whole" / "logbook"
    write_spec(killed, _spec(**kw))
    write_spec(whole, _spec(**kw))
    root = killed.parent / ".checkpoints"  # the default: beside the logbook

    proc = subprocess.Popen(
        run_tiny_cmd(killed), env=RUN_ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None and len(_saved_steps(root)) < 3:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it was killed: " + proc.stderr.read().decode()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    saved = sorted(_saved_steps(root))
    assert len(saved) >= 3 and max(saved) < 3000, saved
    assert not (killed / "tiny" / "trials").exists() or not list(
        (killed / "tiny" / "trials").glob("*.json")
    )

    done = subprocess.run(
        run_tiny_cmd(killed, "--resume"), env=RUN_ENV, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    ref = subprocess.run(
        run_tiny_cmd(whole), env=RUN_ENV, capture_output=True, text=True, timeout=600
    )
    assert ref.returncode == 0, ref.stderr

    resumed, uninterrupted = _trials(killed), _trials(whole)
    assert sorted(resumed) == sorted(uninterrupted) == [f"r1-s0-{i:04d}" for i in range(4)]
    for tid, a in resumed.items():
        b = uninterrupted[tid]
        # resumed from a save at or after the last one seen before the kill (saves every 2 evals)
        assert a.execution.resumed_from_step is not None
        assert a.execution.resumed_from_step >= max(saved)
        assert a.execution.resumed_from_step % 100 == 0
        assert b.execution.resumed_from_step is None
        assert a.execution.group_size == 4
        # measured: the curves are bitwise equal (same compiled program, step-indexed RNG)
        assert list(a.curves.step) == list(b.curves.step)
        for col in ("train_loss", "valid_loss", "valid_error", "learning_rate", "grad_norm"):
            assert list(a.curves.column(col)) == list(b.curves.column(col)), (tid, col)
        assert a.best == b.best and a.test_metrics == b.test_metrics
        assert a.checkpoint is not None and a.checkpoint == b.checkpoint
        assert a.checkpoint.path == f"tiny/trials/{tid}" and a.checkpoint.step == a.best.step
        assert (root / a.checkpoint.path / str(a.checkpoint.step)).is_dir()
    # keep: best: the group's training states are gone once its records are written
    assert _saved_steps(root) == []


EVALUATE = """
import json, sys
import numpy as np
import orbax.checkpoint as ocp
from runners.workloads import load_workload

out = sys.argv[1]
config = json.load(open(out + "/config.json"))
params = ocp.StandardCheckpointer().restore(out + "/" + config["params"])
workload = load_workload(config["workload"]["name"])
cfg = config["hyperparameters"]
data = workload.load(cfg)
import jax
logits = workload.apply(params, data.x_valid, cfg, 0.0, jax.random.PRNGKey(0), False)
wrong = int((np.argmax(np.asarray(logits), -1) != data.y_valid).sum())
print(json.dumps({"wrong": wrong, "n": len(data.y_valid)}))
"""


def test_export_writes_the_best_parameters_a_fresh_process_scores_as_recorded(tmp_path):
    from runners.study_runner import StudyRunner
    from tests.conftest import run_cli

    lb = tmp_path / "logbook"
    write_spec(
        lb,
        tiny_spec(
            max_train_steps=200, eval_every=50, checkpoints={"keep": "every", "every_evals": 2}
        ),
    )
    ckpts = tmp_path / "elsewhere"
    records = StudyRunner(lb, "tiny", quiet=True, checkpoint_root=ckpts).run_search()
    assert len(records) == 4 and all(r.checkpoint is not None for r in records)
    # keep: every: each group's training states stay, at every 2nd eval and the last one
    groups = sorted((ckpts / "tiny" / "groups").iterdir())
    assert len(groups) == 2  # widths 8 and 16: two groups of two
    for g in groups:
        assert sorted(int(p.name) for p in g.iterdir() if p.name.isdigit()) == [100, 200]
    assert (ckpts / ".gitignore").read_text().splitlines()[-1] == "*"

    out = tmp_path / "export"
    r = run_cli(
        "export", "tiny", "--logbook", str(lb), "--checkpoints", str(ckpts), "--out", str(out)
    )
    assert r.returncode == 0, r.stderr
    config = json.loads((out / "config.json").read_text())
    best = min(records, key=lambda t: (t.best.value, t.trial_id))
    assert config["trial_id"] == best.trial_id
    assert config["step"] == best.checkpoint.step == best.best.step
    assert config["objective"]["value_at_step"] == best.best.value

    fresh = subprocess.run(
        [sys.executable, "-c", EVALUATE, str(out)],
        env=RUN_ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert fresh.returncode == 0, fresh.stderr
    scored = json.loads(fresh.stdout.strip().splitlines()[-1])
    # measured: the same count of wrong validation examples as the runner's eval (exact)
    assert scored["n"] == best.eval_examples == 300
    assert scored["wrong"] / scored["n"] == pytest.approx(best.best.value, abs=1e-6)

    # another trial by id; a study trained without checkpoints is a clear error
    other = sorted(t.trial_id for t in records if t.trial_id != best.trial_id)[0]
    r = run_cli(
        "export", "tiny", "--trial", other, "--logbook", str(lb),
        "--checkpoints", str(ckpts), "--out", str(tmp_path / "other"),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "other" / "config.json").read_text())["trial_id"] == other
    r = run_cli("export", "tiny", "--logbook", str(lb), "--out", str(tmp_path / "x"))
    assert r.returncode == 1 and "does not exist" in r.stderr  # default root: nothing there

    # the study page says where the checkpoints are, counting only the records that name one
    assert "best parameters of 4 of 4 trials" in _checkpoints_row(lb)
    write_trial(lb, records[0].model_copy(update={"checkpoint": None}))
    assert "best parameters of 3 of 4 trials" in _checkpoints_row(lb)
    for r in records[1:]:
        write_trial(lb, r.model_copy(update={"checkpoint": None}))
    assert "no trial record names one" in _checkpoints_row(lb)


def _checkpoints_row(lb) -> str:
    from reportgen.analysis import analyze_study
    from reportgen.site.study_build import render_study_records

    study, problems = load_study(lb / "tiny")
    assert problems == []
    page = render_study_records(study, analyze_study, "test").files["tiny/index.md"]
    rows = [ln for ln in page.splitlines() if ln.startswith("| **checkpoints** |")]
    assert len(rows) == 1
    return rows[0]


def test_a_group_state_saved_for_other_trials_or_values_is_not_restored(tmp_path):
    import jax.numpy as jnp

    from reportgen.schema import Checkpoints
    from runners.checkpoints import GroupCheckpoints, saved_groups

    state = {"params": jnp.arange(6.0).reshape(2, 3), "step": jnp.asarray([50, 50], jnp.int32)}
    rows = [
        {"valid_error": np.asarray([0.5, 0.25], np.float32), "diverged": np.asarray([False, False])}
    ]
    opts = Checkpoints(every_evals=1)
    a = GroupCheckpoints(tmp_path, "s", ["t0", "t1"], "values-A", opts)
    a.save(50, state, rows, n_evals=4)
    a.close()
    assert saved_groups(tmp_path, "s") == [(["t0", "t1"], 2)]
    got = GroupCheckpoints(tmp_path, "s", ["t0", "t1"], "values-A", opts).restore(state, 4)
    assert got is not None
    restored, curves, evals = got
    assert evals == 1 and curves["valid_error"].tolist() == [[0.5, 0.25]]
    assert restored["params"].tolist() == state["params"].tolist()
    # the same trial ids with other values (a spec edited in place): trained again from step 0
    b = GroupCheckpoints(tmp_path, "s", ["t0", "t1"], "values-B", opts)
    assert b.restore(state, 4) is None
    assert saved_groups(tmp_path, "s") == []  # the stale state is removed


def test_best_parameters_saved_by_a_sharded_group_export_on_one_device(tmp_path):
    from tests.conftest import run_cli

    lb = tmp_path / "logbook"
    write_spec(lb, tiny_spec(max_train_steps=100, eval_every=50, checkpoints={}))
    two = dict(RUN_ENV, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    r = subprocess.run(run_tiny_cmd(lb), env=two, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert {t.execution.devices for t in _trials(lb).values()} == {2}
    out = tmp_path / "export"
    r = run_cli("export", "tiny", "--logbook", str(lb), "--out", str(out))  # one device here
    assert r.returncode == 0, r.stderr
    assert (out / "params").is_dir() and json.loads((out / "config.json").read_text())[
        "step"
    ] == 100

"""`reportgen suggest` / `complete`: claimed points of the runners' search for external loops."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

from reportgen.logger import open_suggested
from reportgen.schema import Status
from reportgen.store import load_spec, load_study
from runners.search import sample_points
from runners.search.suggest import suggest
from tests.conftest import REPO, run_cli

STUDY = "numpy-digits"

RACER = """
import json, sys, time
from runners.search.suggest import suggest
start = float(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
points = suggest(sys.argv[1], "numpy-digits", int(sys.argv[2]), lease_seconds=600)
print(json.dumps([p.trial_id for p in points]))
"""

HOLDER = """
import sys, time
from pathlib import Path
from reportgen.store.claims import ClaimBook
from runners.search.suggest import suggest
points = suggest(sys.argv[1], "numpy-digits", 3, owner="holder", lease_seconds=float(sys.argv[2]))
print(" ".join(p.trial_id for p in points), flush=True)
claims = ClaimBook(Path(sys.argv[1]) / "numpy-digits", "holder", float(sys.argv[2]))
assert all(claims.try_claim(p.trial_id) for p in points)  # its own claims: adopted
with claims.renewing(0.2):  # a worker's heartbeat: keep its claims alive while it trains
    time.sleep(3600)
"""


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_points_are_the_runners_search_in_order(book):
    spec, _ = load_spec(book / STUDY / "study.yaml")
    got = suggest(book, STUDY, 4, lease_seconds=60)
    expected = sample_points(spec, spec.trial_budget, spec.search.seed)[:4]
    assert [s.trial_id for s in got] == [f"r1-s0-{i:04d}" for i in range(4)]
    assert [s.hyperparameters for s in got] == [{"optimizer": "adam", **p.values} for p in expected]
    # scientific values covered evenly: constant, cosine, constant, cosine
    assert [s.hyperparameters["schedule"] for s in got] == ["constant", "cosine"] * 2


def test_four_concurrent_callers_get_disjoint_points(book):
    start = time.time() + 8  # all four are imported and waiting before the race starts
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(book), "3", str(start)],
            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for _ in range(4)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    handed = [t for r in results for t in r]
    assert all(len(r) == 3 for r in results), results
    assert len(set(handed)) == 12, results  # nobody got a point twice
    assert set(handed) == {f"r1-s0-{i:04d}" for i in range(12)}  # the whole budget, once


def test_a_killed_callers_points_come_back_after_the_lease(book):
    lease = 3.0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(book), str(lease)],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    held = holder.stdout.readline().split()
    assert held == ["r1-s0-0000", "r1-s0-0001", "r1-s0-0002"]
    others = suggest(book, STUDY, 12, lease_seconds=600)
    assert [s.trial_id for s in others] == [f"r1-s0-{i:04d}" for i in range(3, 12)]
    time.sleep(lease + 1)  # the holder is alive and renewing: its points stay claimed
    assert suggest(book, STUDY, 12, lease_seconds=600) == []
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert suggest(book, STUDY, 12, lease_seconds=600) == []  # the lease still runs
    time.sleep(lease + 0.5)
    back = suggest(book, STUDY, 12, lease_seconds=600)
    assert [s.trial_id for s in back] == held


def test_complete_writes_the_suggested_trial_and_written_ones_are_never_handed_out_again(book, tmp_path):
    r = run_cli("suggest", STUDY, "--logbook", str(book), "--count", "2", "--json")
    assert r.returncode == 0, r.stderr
    first, second = json.loads(r.stdout)
    curves = tmp_path / "curves.json"
    curves.write_text(
        '{"step": [25, 50], "train_loss": [1.0, 0.5], "valid_loss": [1.1, 0.6], '
        '"valid_error": [0.3, 0.2], "grad_norm": [1.0, NaN]}'
    )
    r = run_cli("complete", STUDY, first["trial_id"], "--curves", str(curves), "--logbook", str(book),
                "--test-metric", "test_error=0.21")
    assert r.returncode == 0, r.stderr
    assert f"wrote {first['trial_id']} (complete, best 0.2 at step 50)" in r.stdout
    with open_suggested(book, STUDY, second["trial_id"], progress=False) as trial:
        trial.log(25, train_loss=1.0, valid_loss=1.0, valid_error=0.5)
        trial.fail("out of memory on the worker")
    study, problems = load_study(book / STUDY)
    assert problems == []
    by_id = {t.trial_id: t for t in study.trials}
    assert by_id[first["trial_id"]].hyperparameters == first["hyperparameters"]
    assert by_id[first["trial_id"]].seeds.model_dump() == first["seeds"]
    assert by_id[first["trial_id"]].test_metrics == {"test_error": 0.21}
    assert by_id[second["trial_id"]].status is Status.FAILED
    # a written trial, complete or failed, is data: never handed out again (as for `run --resume`)
    again = suggest(book, STUDY, 1, lease_seconds=60)
    assert [s.trial_id for s in again] == ["r1-s0-0002"]
    assert run_cli("check", "--logbook", str(book)).returncode == 0


def test_retrains_of_the_best_trial_go_through_the_same_path(book):
    for point in suggest(book, STUDY, 2, lease_seconds=60):
        with open_suggested(book, STUDY, point.trial_id, progress=False) as trial:
            err = 0.1 if point.index == 1 else 0.3
            trial.log(25, train_loss=1.0, valid_loss=1.0, valid_error=err)
    r = run_cli("suggest", STUDY, "--logbook", str(book), "--retrain", "best", "--seeds", "2", "--json")
    assert r.returncode == 0, r.stderr
    retrains = json.loads(r.stdout)
    assert [s["trial_id"] for s in retrains] == ["r1-s0-0001-rt1", "r1-s0-0001-rt2"]
    assert {(s["kind"], s["group"], s["index"]) for s in retrains} == {("retrain", "r1-s0-0001", 1)}
    assert retrains[0]["seeds"] != retrains[1]["seeds"]
    for s in retrains:
        with open_suggested(book, STUDY, s["trial_id"], progress=False) as trial:
            assert trial.hyperparameters == s["hyperparameters"]
            trial.log(25, train_loss=1.0, valid_loss=1.0, valid_error=0.12)
    study, problems = load_study(book / STUDY)
    assert problems == [] and len(study.trials) == 4
    from reportgen.analysis import analyze_study

    analysis = analyze_study(study.spec, list(study.trials))
    (group,) = analysis.variance.trial
    assert group.group == "r1-s0-0001" and group.trial_ids == ["r1-s0-0001-rt1", "r1-s0-0001-rt2"]


def test_rerun_points_use_another_sampler_seed(book):
    got = suggest(book, STUDY, 2, lease_seconds=60, sampler_seed=7)
    assert [s.trial_id for s in got] == ["r1-s7-0000", "r1-s7-0001"]
    assert {s.kind.value for s in got} == {"rerun"} and got[0].group == "sampler-seed-7"


def test_bad_usage_is_a_clear_error(book, tmp_path):
    r = run_cli("suggest", STUDY, "--logbook", str(book), "--count", "0")
    assert r.returncode == 1 and "--count must be at least 1" in r.stderr
    r = run_cli("suggest", "no-such-study", "--logbook", str(book))
    assert r.returncode == 1 and "no study 'no-such-study'" in r.stderr
    r = run_cli("complete", STUDY, "r1-s0-0005", "--curves", "x.json", "--logbook", str(book))
    assert r.returncode == 1 and "x.json: cannot be read" in r.stderr
    curves = tmp_path / "c.json"
    curves.write_text('{"step": [25], "train_loss": [1.0]}')
    r = run_cli("complete", STUDY, "r1-s0-0005", "--curves", str(curves), "--logbook", str(book))
    assert r.returncode == 1 and "was not handed out by `reportgen suggest`" in r.stderr
    assert "Traceback" not in r.stderr

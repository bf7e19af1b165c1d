"""Claims: atomic, leased, exactly one winner per expired claim, done trials never claimed."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen.store.claims import CLAIMS_DIR, ClaimBook, iter_claim_files
from tests.conftest import FIXTURES, REPO, run_cli


def _finish(study: Path, trial_id: str) -> None:
    (study / "trials").mkdir(parents=True, exist_ok=True)
    (study / "trials" / f"{trial_id}.json").write_text("{}")


def test_a_claim_is_held_by_one_owner_until_released(tmp_path):
    a = ClaimBook(tmp_path, "a", lease_seconds=60)
    b = ClaimBook(tmp_path, "b", lease_seconds=60)
    assert a.try_claim("t1")
    assert a.try_claim("t1")  # idempotent for its holder
    assert not b.try_claim("t1")
    assert a.live_claims() == b.live_claims() == {"t1"}
    assert a.held() == {"t1"} and b.held() == set()
    a.release("t1")
    assert a.live_claims() == set()
    assert b.try_claim("t1")  # a released, unfinished trial is free at once
    assert b.renew() == set()


def test_a_done_trial_is_never_claimed_and_its_claims_are_removed(tmp_path):
    a = ClaimBook(tmp_path, "a", lease_seconds=60)
    assert a.try_claim("t1")
    _finish(tmp_path, "t1")
    a.release("t1")
    assert list(iter_claim_files(tmp_path)) == []
    assert not ClaimBook(tmp_path, "b").try_claim("t1")
    _finish(tmp_path, "t2")
    assert not a.try_claim("t2")
    assert a.live_claims() == set()


def test_an_expired_claim_is_taken_over_and_its_old_owner_learns_it_on_renew(tmp_path):
    a = ClaimBook(tmp_path, "a", lease_seconds=0.3)
    b = ClaimBook(tmp_path, "b", lease_seconds=60)
    assert a.try_claim("t1")
    assert not b.try_claim("t1")
    time.sleep(0.5)
    assert b.live_claims() == set()
    assert b.try_claim("t1")
    assert a.renew() == {"t1"}  # a lost it
    assert a.held() == set()
    a.release("t1")  # releasing a lost claim does not touch the new owner's
    assert b.live_claims() == {"t1"}
    assert [p.name for p in iter_claim_files(tmp_path)] == ["2"]  # history cleaned


def test_renewing_keeps_a_claim_alive_past_its_lease(tmp_path):
    a = ClaimBook(tmp_path, "a", lease_seconds=0.6)
    b = ClaimBook(tmp_path, "b", lease_seconds=60)
    assert a.try_claim("t1") and a.try_claim("t2")
    with a.renewing(interval=0.1) as renewer:
        time.sleep(1.5)
        assert not b.try_claim("t1")
        assert not b.try_claim("t2")
    assert renewer.lost == set()
    a.renew(["t1"])
    assert b.claim_many(["t1", "t2", "t3"]) == ["t3"]


def test_ids_that_could_escape_the_folder_are_refused(tmp_path):
    book = ClaimBook(tmp_path, "a")
    for bad in ("../x", "a/b", "", ".hidden", "x" * 200):
        with pytest.raises(ValueError, match="claim"):
            book.try_claim(bad)
    with pytest.raises(ValueError):
        ClaimBook(tmp_path, "a", lease_seconds=0)


def _race(study: str, owner: str, ids: list[str], start, out) -> None:  # type: ignore[no-untyped-def]
    book = ClaimBook(Path(study), owner, lease_seconds=60)
    start.wait()
    out.put((owner, [t for t in ids if book.try_claim(t)]))


@pytest.mark.parametrize("expired_first", [False, True])
def test_racing_processes_each_win_a_trial_exactly_once(tmp_path, expired_first):
    """Eight processes claim the same 60 trials at once (free ones, or ones whose claim has
    expired): every trial has exactly one winner."""
    ids = [f"t{i:03d}" for i in range(60)]
    if expired_first:
        old = ClaimBook(tmp_path, "old", lease_seconds=0.05)
        assert old.claim_many(ids) == ids
        time.sleep(0.2)
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_race, args=(str(tmp_path), f"w{k}", ids, start, out)) for k in range(8)
    ]
    for p in procs:
        p.start()
    time.sleep(1.0)
    start.set()
    won = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    winners: dict[str, list[str]] = {}
    for owner, got in won:
        for t in got:
            winners.setdefault(t, []).append(owner)
    assert sorted(winners) == ids
    assert all(len(w) == 1 for w in winners.values()), winners
    # each trial's claim file names its one winner (the workers have exited since: their claims
    # are free again, as a dead local process's claims are)
    owners = {p.parent.name: json.loads(p.read_text())["owner"] for p in iter_claim_files(tmp_path)}
    assert owners == {t: w[0] for t, w in winners.items()}
    assert ClaimBook(tmp_path, "x").live_claims() == set()


def test_claims_are_ignored_by_check_and_git(tmp_path):
    logbook = tmp_path / "logbook"
    shutil.copytree(FIXTURES / "logbook", logbook)
    study = logbook / "fixture-width"
    book = ClaimBook(study, "a", lease_seconds=60)
    assert book.try_claim("r1-s0-9999")
    assert (study / CLAIMS_DIR).is_dir()
    res = run_cli("check", "--logbook", str(logbook))
    assert res.returncode == 0, res.stdout + res.stderr
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "--no-index", "logbook/some-study/.claims/t1/1"],
        cwd=REPO,
    )
    assert ignored.returncode == 0


def test_a_dead_local_process_s_claims_come_back_without_waiting_for_the_lease(tmp_path):
    dead = ClaimBook(tmp_path, "dead", lease_seconds=3600)
    assert dead.try_claim("t1")
    claim = next(iter_claim_files(tmp_path))
    body = json.loads(claim.read_text())
    assert body["pid"] > 0
    body["pid"] = 2**22 + 12345  # above pid_max: no such process
    claim.write_text(json.dumps(body))
    assert ClaimBook(tmp_path, "b").live_claims() == set()
    assert ClaimBook(tmp_path, "b").try_claim("t1")


def test_claims_do_not_change_a_study_s_build_signature(tmp_path):
    from reportgen.site.manifest import study_signature

    study = tmp_path / "logbook" / "fixture-width"
    shutil.copytree(FIXTURES / "logbook" / "fixture-width", study)
    before = study_signature(study)
    assert ClaimBook(study, "a", lease_seconds=60).try_claim("r1-s0-9999")
    assert study_signature(study) == before


def _claim_in_a_process_that_exits(study: Path, bound: bool) -> None:
    code = (
        "import sys; from reportgen.store.claims import ClaimBook; "
        f"ClaimBook(sys.argv[1], owner='loop-7', lease_seconds=60, bound_to_process={bound})"
        ".try_claim('t0001')"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(study)], check=True, env={**os.environ, "PYTHONPATH": str(REPO)}
    )


def test_a_claim_handed_to_another_process_outlives_its_maker_until_the_lease(tmp_path):
    # `reportgen suggest` claims a point and exits; the claim must hold until its lease ends
    study = tmp_path / "demo"
    study.mkdir()
    _claim_in_a_process_that_exits(study, bound=False)
    other = ClaimBook(study, owner="someone-else", lease_seconds=60)
    assert other.live_claims() == {"t0001"} and not other.try_claim("t0001")
    # the loop that was handed the point logs it under the same owner name: it adopts the claim
    loop = ClaimBook(study, owner="loop-7", lease_seconds=60)
    assert loop.try_claim("t0001") and loop.held() == {"t0001"}


def test_a_worker_s_claim_ends_with_its_process(tmp_path):
    study = tmp_path / "demo"
    study.mkdir()
    _claim_in_a_process_that_exits(study, bound=True)
    assert ClaimBook(study, owner="someone-else", lease_seconds=60).try_claim("t0001")

"""`reportgen complete` and the trial logger never lose or burn a handed-out point.

Before: an all-NaN objective gave a raw pydantic dump and left a journal that the next
`complete` of another trial wrote as "failed" with a false reason; 8 of 18 malformed curves
files burned the point as failed for good (booleans read as 1.0/0.0); two `complete` of one
trial both succeeded; a late owner's `complete` was accepted under the new owner's claim; a
killed loop's point, handed out again, could not be trained; ``--lease nan`` gave a traceback
and ``--lease inf`` claimed forever; ``--curves /dev/zero`` read until MemoryError.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen.errors import ReportgenError
from reportgen.logger import open_suggested
from reportgen.schema import Status
from reportgen.store import load_study
from reportgen.store.suggested import suggestion_path
from runners.search.suggest import suggest
from tests.conftest import REPO, run_cli

STUDY = "numpy-digits"
GOOD = {
    "step": [25, 50, 75],
    "train_loss": [1.0, 0.6, 0.4],
    "valid_loss": [1.1, 0.7, 0.5],
    "valid_error": [0.4, 0.2, 0.1],
}


def _complete(book: Path, trial: str, curves: Path, *extra: str):  # type: ignore[no-untyped-def]
    r = run_cli("complete", STUDY, trial, "--curves", str(curves), "--logbook", str(book), *extra)
    assert "Traceback" not in r.stderr and "validation error for" not in r.stderr, r.stderr
    return r


def _curves(tmp_path: Path, data: object, name: str = "c.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def _trials(book: Path) -> dict[str, Status]:
    study, problems = load_study(book / STUDY)
    assert problems == []
    return {t.trial_id: t.status for t in study.trials}


def _journals(book: Path) -> list[Path]:
    return list((book / STUDY / "trials").glob(".*journal*")) if (book / STUDY / "trials").is_dir() else []


def test_an_all_nan_objective_is_refused_and_burns_nothing(book, tmp_path):
    first, second = (s.trial_id for s in suggest(book, STUDY, 2, lease_seconds=600))
    nan = {**GOOD, "valid_error": [None, "NaN", None]}
    r = _complete(book, first, _curves(tmp_path, nan))
    assert r.returncode == 1
    assert "the objective 'valid_error' has no finite value" in r.stderr
    assert "--status diverged" in r.stderr and "Nothing was written" in r.stderr
    assert _journals(book) == [] and suggestion_path(book, STUDY, first).is_file()
    # another trial completes, and the first is not written as failed behind its back
    assert _complete(book, second, _curves(tmp_path, GOOD)).returncode == 0
    assert _trials(book) == {second: Status.COMPLETE}
    # the first point is still the caller's to write
    assert _complete(book, first, _curves(tmp_path, GOOD)).returncode == 0
    assert _trials(book) == {first: Status.COMPLETE, second: Status.COMPLETE}


MALFORMED = {
    "boolean value": ({**GOOD, "valid_error": [True, False, False]}, "valid_error[0]: expected a number"),
    "string value": ({**GOOD, "train_loss": ["1.0", 0.6, 0.4]}, "train_loss[0]: expected a number"),
    "nested list": ({**GOOD, "valid_loss": [[1.1], 0.7, 0.5]}, "valid_loss[0]: expected a number"),
    "object value": ({**GOOD, "valid_loss": [{"v": 1}, 0.7, 0.5]}, "valid_loss[0]: expected a number"),
    "boolean step": ({**GOOD, "step": [True, 50, 75]}, "step[0]: expected a non-negative whole"),
    "fractional step": ({**GOOD, "step": [25, 50.5, 75]}, "step[1]: expected a non-negative whole"),
    "negative step": ({**GOOD, "step": [-25, 50, 75]}, "step[0]: expected a non-negative whole"),
    "string step": ({**GOOD, "step": ["25", 50, 75]}, "step[0]: expected a non-negative whole"),
    "decreasing steps": ({**GOOD, "step": [50, 25, 75]}, "step[1]: 25 is not after step 50"),
    "repeated step": ({**GOOD, "step": [25, 25, 75]}, "step[1]: 25 is not after step 25"),
    "step past the budget": ({**GOOD, "step": [25, 50, 5000]}, "past the study's max_train_steps"),
    "no point": ({k: [] for k in GOOD}, "no eval point"),
    "short column": ({**GOOD, "valid_error": [0.4, 0.2]}, "valid_error: expected a list of 3"),
    "column not a list": ({**GOOD, "valid_error": 0.1}, "valid_error: expected a list of 3"),
    "no step column": ({k: v for k, v in GOOD.items() if k != "step"}, "with a 'step' column"),
    "bad column name": ({**GOOD, "top-5": [1, 1, 1]}, "a column name must be an identifier"),
    "not an object": ([GOOD], "expected an object of columns"),
    "not JSON": ("{'step': [25]}", "c.json: Expecting property name"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_curves_file_is_refused_and_the_point_stays_trainable(book, tmp_path, case):
    (trial,) = (s.trial_id for s in suggest(book, STUDY, 1, lease_seconds=600))
    data, message = MALFORMED[case]
    r = _complete(book, trial, _curves(tmp_path, data))
    assert r.returncode == 1 and message in r.stderr, r.stderr
    assert not (book / STUDY / "trials" / f"{trial}.json").exists() and _journals(book) == []
    assert _complete(book, trial, _curves(tmp_path, GOOD, "good.json")).returncode == 0
    assert _trials(book) == {trial: Status.COMPLETE}


def test_a_trial_is_completed_once(book, tmp_path):
    (trial,) = (s.trial_id for s in suggest(book, STUDY, 1, lease_seconds=600))
    assert _complete(book, trial, _curves(tmp_path, GOOD)).returncode == 0
    written = (book / STUDY / "trials" / f"{trial}.json").read_text()
    other = {**GOOD, "valid_error": [0.3, 0.01, 0.005]}
    r = _complete(book, trial, _curves(tmp_path, other, "other.json"))
    assert r.returncode == 1 and "was not handed out" in r.stderr
    assert (book / STUDY / "trials" / f"{trial}.json").read_text() == written


def test_two_writers_racing_on_one_trial_write_it_once(book, tmp_path):
    """Two `complete` started together on the same handed-out trial: exactly one wins."""
    (trial,) = (s.trial_id for s in suggest(book, STUDY, 1, lease_seconds=600))
    files = [_curves(tmp_path, {**GOOD, "valid_error": [0.4, 0.2, e]}, f"{e}.json") for e in (0.1, 0.05)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "reportgen", "complete", STUDY, trial, "--curves", str(f),
             "--logbook", str(book)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        for f in files
    ]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    assert sorted(code for code, _ in results) == [0, 1], results
    assert _trials(book) == {trial: Status.COMPLETE}


def test_a_late_owner_is_refused_after_the_point_went_to_another(book, tmp_path):
    (trial,) = (s.trial_id for s in suggest(book, STUDY, 1, owner="alice", lease_seconds=0.5))
    time.sleep(1.0)  # alice's lease runs out; bob is handed the same point
    (again,) = suggest(book, STUDY, 1, owner="bob", lease_seconds=600)
    assert again.trial_id == trial and again.handout == 2
    late = _curves(tmp_path, GOOD)
    r = _complete(book, trial, late)
    assert r.returncode == 1 and "handed out 2 times" in r.stderr and "--owner" in r.stderr
    r = _complete(book, trial, late, "--owner", "alice")
    assert r.returncode == 1 and "handed out to another owner" in r.stderr
    assert _trials(book) == {}
    r = _complete(book, trial, _curves(tmp_path, GOOD, "bob.json"), "--owner", "bob")
    assert r.returncode == 0, r.stderr
    assert _trials(book) == {trial: Status.COMPLETE}


KILLED = """
import sys, time
from reportgen.logger import open_suggested
trial = open_suggested(sys.argv[1], "numpy-digits", sys.argv[2], owner="alice", progress=False)
step = 0
while True:
    step += 25
    trial.log(step, train_loss=1.0, valid_loss=1.0, valid_error=0.5)
    print(step, flush=True)
    time.sleep(0.3)
"""


def test_a_killed_loops_point_handed_out_again_can_be_trained(book):
    (trial,) = (s.trial_id for s in suggest(book, STUDY, 1, owner="alice", lease_seconds=1.0))
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(book), trial], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    for _ in range(5):
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _journals(book)  # the dead loop's journal
    time.sleep(1.5)  # its lease runs out
    (again,) = suggest(book, STUDY, 1, owner="bob", lease_seconds=600)
    assert again.trial_id == trial
    with open_suggested(book, STUDY, trial, owner="bob", progress=False) as t:
        for step in (25, 50, 75):
            t.log(step, train_loss=1.0 / step, valid_loss=1.0 / step, valid_error=0.5 / step)
    assert t.record is not None and t.record.status is Status.COMPLETE
    assert _trials(book) == {trial: Status.COMPLETE}
    assert _journals(book) == []


@pytest.mark.parametrize("lease", ["nan", "inf", "-1", "0", "1e9"])
def test_a_lease_must_end(book, lease):
    r = run_cli("suggest", STUDY, "--logbook", str(book), "--lease", lease)
    assert r.returncode == 1 and "--lease must be a number of seconds" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not (book / STUDY / ".claims").exists()


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "huge"])
def test_curves_that_are_not_a_small_regular_file_are_refused_at_once(book, tmp_path, kind):
    (trial,) = (s.trial_id for s in suggest(book, STUDY, 1, lease_seconds=600))
    path = tmp_path / "curves.json"
    if kind == "dev-zero":
        path = Path("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(path)
    else:
        with open(path, "wb") as fh:
            fh.truncate((256 << 20) + 1)  # sparse: no disk used
    start = time.monotonic()
    r = _complete(book, trial, path)
    assert r.returncode == 1, r.stderr
    assert ("not a regular file" in r.stderr) or ("more than" in r.stderr), r.stderr
    assert time.monotonic() - start < 60  # returned; a FIFO would block for ever


def test_completing_ten_thousand_points_writes_no_journal(book, tmp_path, monkeypatch):
    """The curves arrive whole: one record write, no journal (before: one fsynced journal per
    point, 306 s for 10 000). The time is printed by bench/logger_points.py, not asserted."""
    spec = book / STUDY / "study.yaml"
    spec.write_text(spec.read_text().replace("max_train_steps: 1000", "max_train_steps: 10000"))
    (trial,) = (s.trial_id for s in suggest(book, STUDY, 1, lease_seconds=600))
    n = 10_000
    big = {
        "step": list(range(1, n + 1)),
        "train_loss": [1.0 / k for k in range(1, n + 1)],
        "valid_loss": [1.1 / k for k in range(1, n + 1)],
        "valid_error": [0.5 / k for k in range(1, n + 1)],
    }
    from reportgen.logger import journal
    from reportgen.logger.complete import complete_suggested

    writes: list[int] = []
    real = journal.write_journal
    monkeypatch.setattr(journal, "write_journal", lambda *a: writes.append(1) or real(*a))
    record = complete_suggested(book, STUDY, trial, _curves(tmp_path, big))
    assert writes == [] and len(record.curves) == n and record.best.step == n


def test_the_logger_writes_its_journal_at_most_once_a_second(book, monkeypatch):
    from reportgen.logger import trial as logger

    writes: list[float] = []
    real = logger.write_journal
    monkeypatch.setattr(logger, "write_journal", lambda *a: writes.append(time.time()) or real(*a))
    spec = book / STUDY / "study.yaml"
    spec.write_text(spec.read_text().replace("max_train_steps: 1000", "max_train_steps: 10000"))
    from reportgen.logger import open_trial

    start = time.time()
    with open_trial(book, STUDY, {"schedule": "constant", "adam.learning_rate": 0.01}, progress=False) as t:
        for k in range(1, 10_001):
            t.log(k, train_loss=1.0 / k, valid_loss=1.0 / k, valid_error=0.5 / k)
    elapsed = time.time() - start
    assert t.record is not None and len(t.record.curves) == 10_000
    assert len(writes) <= elapsed / logger.JOURNAL_EVERY_S + 2, (len(writes), elapsed)


def test_open_suggested_refuses_another_owners_point(book):
    (trial,) = (s.trial_id for s in suggest(book, STUDY, 1, owner="alice", lease_seconds=600))
    with pytest.raises(ReportgenError, match="handed out to another owner"):
        open_suggested(book, STUDY, trial, owner="mallory", progress=False)
    assert not _journals(book)
    with open_suggested(book, STUDY, trial, owner="alice", progress=False) as t:
        t.log(25, train_loss=0.5, valid_loss=0.6, valid_error=0.2)
    assert _trials(book) == {trial: Status.COMPLETE}

"""The trial logger writes records as valid as the runners', atomically, without JAX."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen.errors import InvalidRecords, ReportgenError
from reportgen.logger import open_trial, recover
from reportgen.schema import Status
from reportgen.store import load_study
from tests.conftest import REPO, run_cli

HP = {"schedule": "cosine", "adam.learning_rate": 0.01}


def _log_curve(trial, n: int, start: int = 25) -> None:  # type: ignore[no-untyped-def]
    for k in range(n):
        loss = 2.0 / (k + 1)
        trial.log(start + 25 * k, train_loss=loss, valid_loss=loss + 0.1, valid_error=loss / 4)


def test_logged_trial_is_a_valid_record(book):
    with open_trial(book, "numpy-digits", HP, progress=False) as trial:
        _log_curve(trial, 4)
        trial.log(125, train_loss=0.3, valid_loss=0.4, valid_error=0.05, accuracy_top5=0.99)
    rec = trial.record
    assert rec is not None and rec.status is Status.COMPLETE
    assert rec.hyperparameters == {"optimizer": "adam", **HP}  # the spec's fixed value added
    assert rec.best is not None and (rec.best.step, rec.best.value) == (125, 0.05)
    assert rec.curves.extra["accuracy_top5"][-1] == 0.99
    assert math.isnan(rec.curves.extra["accuracy_top5"][0])
    assert math.isnan(rec.curves.learning_rate[0])  # a column the loop did not log
    study, problems = load_study(book / "numpy-digits")
    assert problems == [] and study is not None and len(study.trials) == 1
    assert study.trials[0].model_dump_json() == rec.model_dump_json()  # NaN != NaN
    r = run_cli("check", "--logbook", str(book))
    assert r.returncode == 0, r.stdout + r.stderr


def test_non_finite_values_are_kept_and_make_the_trial_diverged(book):
    with open_trial(book, "numpy-digits", HP, progress=False) as trial:
        trial.log(25, train_loss=1.0, valid_loss=1.1, valid_error=0.3)
        trial.log(50, train_loss=float("inf"), valid_loss=float("nan"), valid_error=0.9)
    rec = trial.record
    assert rec.status is Status.DIVERGED and rec.status_reason == "non-finite train loss at step 50"
    text = (book / "numpy-digits" / "trials" / f"{rec.trial_id}.json").read_text()
    assert '"Infinity"' in text and '"NaN"' in text
    study, problems = load_study(book / "numpy-digits")
    assert problems == []
    back = study.trials[0]
    assert math.isinf(back.curves.train_loss[1]) and math.isnan(back.curves.valid_loss[1])


def test_an_exception_in_the_loop_marks_the_trial_failed(book):
    with pytest.raises(ZeroDivisionError), open_trial(book, "numpy-digits", HP, progress=False) as trial:
        _log_curve(trial, 2)
        1 / 0  # noqa: B018
    assert trial.record.status is Status.FAILED
    assert trial.record.status_reason == "ZeroDivisionError: division by zero"
    assert len(trial.record.curves) == 2


def test_bad_values_are_refused_naming_the_field(book):
    with pytest.raises(InvalidRecords) as e:
        open_trial(book, "numpy-digits", {"schedule": "linear", "adam.learning_rate": 0.01})
    assert "hyperparameters.schedule: 'linear' is outside its range ['constant', 'cosine']" in str(e.value)
    with pytest.raises(InvalidRecords) as e:
        open_trial(book, "numpy-digits", {"schedule": "cosine"})
    assert "hyperparameters.adam.learning_rate: missing" in str(e.value)
    trial = open_trial(book, "numpy-digits", HP, progress=False)
    with pytest.raises(ReportgenError, match="past the study's max_train_steps 1000"):
        trial.log(1025, train_loss=1.0)
    trial.log(25, train_loss=1.0)
    with pytest.raises(ReportgenError, match="not after the last logged step 25"):
        trial.log(25, train_loss=1.0)


KILLED_LOOP = """
import sys, time
from reportgen.logger import open_trial
trial = open_trial(sys.argv[1], "numpy-digits", {"schedule": "constant", "adam.learning_rate": 0.003},
                   trial_id="killed-trial", progress=False)
step = 0
while True:
    step += 1
    trial.log(step, train_loss=1.0 / step, valid_loss=1.0 / step, valid_error=0.5 / step)
    print(step, flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _start_loop(book: Path, pause: float) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", KILLED_LOOP, str(book), str(pause)],
        env=env, stdout=subprocess.PIPE, text=True,
    )


def _visible_records_parse(book: Path) -> list[dict]:
    out = []
    for f in sorted((book / "numpy-digits" / "trials").glob("*.json")):
        if f.name.startswith("."):
            continue  # the journal of the trial in flight (hidden; the store skips it)
        out.append(json.loads(f.read_text()))  # a torn file would fail here
    return out


def test_sigkill_mid_trial_leaves_no_torn_file_and_the_trial_is_failed_on_next_open(book):
    """The journal is written at most once a second (JOURNAL_EVERY_S): 5 points 0.3 s apart
    span more than a second, so the kill finds at least the first points journaled."""
    proc = _start_loop(book, 0.3)
    for _ in range(5):
        proc.stdout.readline()
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _visible_records_parse(book) == []  # only the hidden journal is there
    assert run_cli("check", "--logbook", str(book)).returncode == 0
    # the next open of any trial of the study turns the dead journal into a failed record
    with open_trial(book, "numpy-digits", HP, progress=False) as other:
        _log_curve(other, 1)
    study, problems = load_study(book / "numpy-digits")
    assert problems == []
    killed = next(t for t in study.trials if t.trial_id == "killed-trial")
    assert killed.status is Status.FAILED
    assert f"pid {proc.pid}" in killed.status_reason and "stopped after step" in killed.status_reason
    assert len(killed.curves) >= 3  # the partial curve is kept, up to the last journal write
    assert not list((book / "numpy-digits" / "trials").glob(".*journal*"))
    r = run_cli("check", "--logbook", str(book))
    assert r.returncode == 0, r.stdout + r.stderr


def test_sigkill_at_random_moments_never_tears_a_record(book):
    """Kill a loop that writes as fast as it can, at several moments: every visible record
    parses, and recovery always yields a valid failed trial."""
    for k in range(4):
        proc = _start_loop(book, 0.0)
        proc.stdout.readline()
        time.sleep(0.05 * k)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        _visible_records_parse(book)
        recovered = recover(book, "numpy-digits")
        assert [r.status for r in recovered] == [Status.FAILED]
        os.replace(
            book / "numpy-digits" / "trials" / "killed-trial.json",
            book / "numpy-digits" / "trials" / f"killed-{k}.json",
        )
        data = json.loads((book / "numpy-digits" / "trials" / f"killed-{k}.json").read_text())
        data["trial_id"] = f"killed-{k}"
        (book / "numpy-digits" / "trials" / f"killed-{k}.json").write_text(json.dumps(data))
    r = run_cli("check", "--logbook", str(book))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "4 trials" in r.stderr


def test_the_trial_hands_the_loop_what_it_needs(book):
    """Settings, step budget, eval cadence, typed values and seeds, all public: the example loop
    needs nothing else (before, it read the spec through a private helper)."""
    with open_trial(book, "numpy-digits", HP, progress=False) as trial:
        assert trial.settings == {"hidden": 32, "batch_size": 64, "optimizer": "adam", "schedule": "cosine"}
        assert (trial.max_train_steps, trial.eval_every) == (1000, 25)
        assert trial.hyperparameters["adam.learning_rate"] == 0.01
        assert isinstance(trial.seeds.init, int)
        trial.log(25, train_loss=1.0, valid_loss=1.1, valid_error=0.3)
    source = (REPO / "examples" / "numpy_loop.py").read_text()
    assert "load_valid_spec" not in source and "._" not in source.replace("self._", "")

"""A revision that re-decides an earlier revision's records (``records_from``) trains no search
of its own: ``run`` says there is nothing to run, or refuses; reruns and retrains work on the
trials it reads. No training: the records are written by hand and ``execute`` is watched."""

from __future__ import annotations

import pytest

from reportgen.errors import ReportgenError
from reportgen.schema import TrialKind
from reportgen.store import existing_trial_ids, write_spec, write_trial
from tests.conftest import make_trial, run_cli
from tests.runners.conftest import tiny_spec
from tests.store.test_records_from import write_revision

pytest.importorskip("jax")
pytestmark = pytest.mark.jax

LOG = [{"revision": 1, "summary": "The first run."}]


def _trial(i: int, *, sampler: int = 0, kind: str = "search", value: float = 0.3):
    return make_trial(
        study_id="tiny",
        trial_id=f"r1-s{sampler}-{i:04d}",
        kind=kind,
        group="" if kind == "search" else f"sampler-seed-{sampler}",
        index=i,
        hyperparameters={"optimizer": "adam", "adam.learning_rate": 0.002 + 0.001 * i,
                         "width": [8, 16][i % 2]},
        seeds={"init": 10 * sampler + i, "data_order": 50 + 10 * sampler + i, "sampler": sampler},
        curves={"step": [20, 40], "train_loss": [1.0, 0.5], "valid_loss": [1.0, 0.6],
                "valid_error": [0.5, value], "learning_rate": [0.002, 0.002],
                "grad_norm": [1.0, 0.5]},
        best={"step": 40, "value": value},
        final_value=value,
        max_train_steps=40,
    )  # fmt: skip


@pytest.fixture
def redecided(tmp_path):
    """Study 'tiny': r1's search (4 trials, its budget) and two of its rerun points with sampler
    seed 1, kept with revisions/r1.yaml; study.yaml is r2 with records_from: 1."""
    logbook = tmp_path / "logbook"
    write_revision(logbook, tiny_spec(changelog=LOG))
    log2 = [*LOG, {"revision": 2, "summary": "Re-decided: was inconclusive, now adopt."}]
    write_spec(logbook, tiny_spec(revision=2, records_from=1, changelog=log2))
    for i in range(4):
        write_trial(logbook, _trial(i, value=0.3 - 0.01 * i))
    for i in range(2):
        write_trial(logbook, _trial(i, sampler=1, kind="rerun"))
    return logbook


def _runner(logbook, watched: list):
    from runners.study_runner import StudyRunner

    runner = StudyRunner(logbook, "tiny", quiet=True)
    runner.execute = lambda jobs: watched.extend(jobs) or []  # the jobs it would train
    return runner


def test_run_on_a_filled_records_from_revision_runs_nothing_and_says_so(redecided):
    before = existing_trial_ids(redecided, "tiny")
    watched: list = []
    runner = _runner(redecided, watched)
    assert runner.run_search() == [] and watched == []
    assert runner.notice == (
        "nothing to run: revision 2 of 'tiny' re-decides the records of r1 (records_from: 1), "
        "whose 4 search trials fill its trial_budget of 4"
    )
    r = run_cli("run", "tiny", "--logbook", str(redecided), "--quiet")
    assert r.returncode == 0, r.stderr
    assert "run tiny: nothing to run: revision 2 of 'tiny' re-decides the records of r1" in r.stderr
    assert "run tiny: wrote 0 trial(s)" in r.stderr
    assert existing_trial_ids(redecided, "tiny") == before


def test_run_refuses_when_the_records_it_reads_do_not_fill_the_budget(redecided):
    (redecided / "tiny" / "trials" / "r1-s0-0003.json").unlink()
    watched: list = []
    with pytest.raises(ReportgenError, match="write a new revision without records_from"):
        _runner(redecided, watched).run_search(resume=True)
    assert watched == []


def test_reruns_train_only_the_points_the_earlier_records_lack(redecided):
    watched: list = []
    _runner(redecided, watched).run_search(seed=1, kind=TrialKind.RERUN, resume=True)
    # r1 holds indices 0 and 1 of sampler seed 1; the rest is trained under r2
    assert [j.trial_id for j in watched] == ["r2-s1-0002", "r2-s1-0003"]
    assert {j.kind for j in watched} == {TrialKind.RERUN}


def test_retrain_best_picks_from_the_records_it_reads(redecided):
    watched: list = []
    runner = _runner(redecided, watched)
    assert runner.best_trial().trial_id == "r1-s0-0003"  # the lowest valid_error of r1's search
    runner.retrain("best", 2)
    assert [j.trial_id for j in watched] == ["r1-s0-0003-rt1", "r1-s0-0003-rt2"]


def test_suggest_hands_out_no_search_point_and_only_missing_rerun_points(redecided):
    from runners.search.suggest import suggest

    assert suggest(redecided, "tiny", 4, dry_run=True) == []
    points = suggest(redecided, "tiny", 4, sampler_seed=1, dry_run=True)
    assert [(p.trial_id, p.study_revision) for p in points] == [
        ("r2-s1-0002", 2), ("r2-s1-0003", 2)
    ]
    (redecided / "tiny" / "trials" / "r1-s0-0000.json").unlink()
    with pytest.raises(ReportgenError, match="which hold 3 of its 4 search trials"):
        suggest(redecided, "tiny", 4, dry_run=True)

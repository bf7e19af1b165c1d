"""A pull request that edits a study's title and adds 10 trials, reviewed as a user would (a
fresh git repository, the console script). Before: the review said "12 modified" trials
although no trial file changed (records holding NaN never equalled themselves), its charts
showed only the head, and its output folder was committed by `git add -A`."""

from __future__ import annotations

import math
import subprocess

from reportgen.schema import Best, Curves, Status
from reportgen.store import write_spec, write_trial
from tests.conftest import make_spec, make_trial
from tests.journeys.helpers import reportgen


def _git(repo, *args: str) -> str:  # type: ignore[no-untyped-def]
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def _trial(i: int):  # type: ignore[no-untyped-def]
    lr = 1e-4 * 1.5 ** (i % 11)
    diverged = i % 5 == 4
    loss = [2.3, 1.0, float("nan") if diverged else 0.5]
    err = 0.1 + abs(math.log10(lr) + 2.5) / 10
    return make_trial(
        trial_id=f"t{i:04d}", index=i,
        hyperparameters={"optimizer": "adam", "adam.learning_rate": lr, "width": 32 if i % 2 else 64},
        seeds={"init": i, "data_order": i, "sampler": 0},
        status=Status.DIVERGED if diverged else Status.COMPLETE,
        status_reason="loss went NaN" if diverged else "",
        curves=Curves(step=[0, 50, 100], train_loss=loss, valid_loss=[2.3, 1.1, 0.6],
                      valid_error=[0.9, err + 0.1, err], learning_rate=[lr] * 3,
                      grad_norm=[1.0, 0.5, float("nan") if diverged else 0.4]),
        best=Best(step=100, value=err), final_value=None if diverged else err,
    )  # fmt: skip


def test_a_title_edit_and_ten_new_trials_are_reviewed_as_such(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "Test")
    book = repo / "logbook"
    write_spec(book, make_spec(trial_budget=40))
    for i in range(12):
        write_trial(book, _trial(i))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    write_spec(book, make_spec(trial_budget=40, title="Demo study, retitled"))
    for i in range(12, 22):
        write_trial(book, _trial(i))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "ten more trials")
    r = reportgen("review", "--base", "HEAD~1", "--head", "HEAD", cwd=repo)
    assert r.returncode == 0, r.stderr
    text = (repo / "review-out" / "review.md").read_text()
    assert "10 search" in text or "+10" in text, text
    assert "modified" not in text, text
    charts = sorted(p.name for p in (repo / "review-out" / "charts").glob("*.png"))
    assert any("before-12-trials" in c for c in charts) and any("after-22-trials" in c for c in charts)
    _git(repo, "add", "-A")
    assert _git(repo, "status", "--porcelain") == ""  # nothing of the review was staged

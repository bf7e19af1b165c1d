"""The published two-round study, built from a copy: round 2's page answers whether round 1's
ranking held, and is rebuilt when round 1 changes (round.previous is a dependency)."""

from __future__ import annotations

import html
import shutil

from tests.conftest import REPO
from tests.site.test_build_cli import _build

ROUNDS = ("schedule-digits-round1", "schedule-digits-round2")


def _copy(tmp_path):
    logbook = tmp_path / "logbook"
    for study in ROUNDS:
        shutil.copytree(REPO / "logbook" / study, logbook / study)
    return logbook


def test_round_two_page_answers_the_transfer_question_and_follows_round_one(tmp_path):
    logbook = _copy(tmp_path)
    proc, _, site = _build(tmp_path, logbook)
    assert proc.returncode == 0, proc.stderr
    page = html.unescape((site / "studies" / ROUNDS[1] / "index.html").read_text())
    assert "Did the previous round's ranking hold?" in page
    assert "configurations trained in both rounds (500 steps against 100 in" in page
    assert "schedule-digits-round1 (100 steps)" in page  # the table's column
    # round 1 loses its best configuration: round 2 is rebuilt and says who led round 1 now
    before = page
    trials = sorted((logbook / ROUNDS[0] / "trials").glob("*.json"))
    winner = next(t for t in trials if t.stem == "r1-s0-0013")  # round 1's best (0.01)
    winner.unlink()
    proc, _, site = _build(tmp_path, logbook)
    assert proc.returncode == 0, proc.stderr
    after = html.unescape((site / "studies" / ROUNDS[1] / "index.html").read_text())
    assert after != before
    assert "r1-s0-0013" not in after.split("Did the previous round")[1].split("</table>")[0]


def test_a_previous_round_that_does_not_exist_is_a_problem_of_the_study(tmp_path):
    logbook = _copy(tmp_path)
    shutil.rmtree(logbook / ROUNDS[0])
    proc, _, site = _build(tmp_path, logbook)
    assert "round.previous" in proc.stderr and "'schedule-digits-round1'" in proc.stderr
    assert (site / "studies" / ROUNDS[1] / "index.html").is_file()  # built without it

"""The studies index marks a study whose verdict changed (issue 38)."""

from __future__ import annotations

from reportgen.site.study_build import _redecided
from tests.conftest import make_spec


def _spec(revision: int, *summaries: str):
    log = [{"revision": revision, "date": "2026-12-07", "summary": s} for s in summaries]
    return make_spec(revision=revision, changelog=log)


def test_a_new_revision_with_another_verdict_is_marked():
    assert _redecided(_spec(2, "equal examples"), {1: "adopt", 2: "inconclusive"}) == (
        " (re-decided: r1 was adopt)")
    assert _redecided(_spec(2, "same verdict"), {1: "adopt", 2: "adopt"}) == ""


def test_a_re_decision_on_the_same_records_is_marked_from_its_changelog():
    spec = _spec(1, "first", "Re-decided: was reject, now inconclusive.")
    assert _redecided(spec, {1: "inconclusive"}) == " (re-decided: was reject)"
    # the changelog's claim must match the verdict the page shows, or nothing is marked
    assert _redecided(spec, {1: "adopt"}) == ""
    assert _redecided(_spec(1, "first study"), {1: "adopt"}) == ""

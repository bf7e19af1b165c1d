"""The review names findings by their titles and shows the human decision beside the verdict."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from reportgen.guidance import GUIDANCE
from reportgen.review.compare import _override
from reportgen.review.run import render_review
from reportgen.schema import Override
from reportgen.schema.review import ChangeKind, FindingRef, Review, StudyChange
from tests.conftest import REPO


def test_findings_by_title_and_human_override_shown():
    key = next(k for k in GUIDANCE if not k.startswith("section."))
    finding = FindingRef(key=key, severity="warning", message="m1", anchor=GUIDANCE[key].anchor)
    override = _override(
        Override(verdict="reject", reason="too small to matter", by="lead", date=dt.date(2026, 1, 2))
    )
    assert override == "reject (lead, 2026-01-02): too small to matter"
    change = StudyChange(
        study_id="s1",
        kind=ChangeKind.CHANGED,
        verdict_before="inconclusive",
        verdict_after="inconclusive",
        override_after=override,
        findings_new=[finding],
    )
    text = render_review(Review(base="a", head="b", studies=[change]))
    assert GUIDANCE[key].title.split()[0] in text
    assert f"**{key}**" not in text and key.replace("_", "\\_") not in text.split("playbook")[0]
    assert "(human: reject)" in text
    assert "Human decision: reject (lead, 2026-01-02): too small to matter" in text


def test_review_help_names_the_file_it_writes():
    out = subprocess.run(
        [sys.executable, "-m", "reportgen", "review", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    ).stdout
    assert "review.md" in " ".join(out.split()) and "REVIEW.md" not in out

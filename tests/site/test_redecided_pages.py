"""Pages of a re-decision (``records_from``): the earlier page says a later revision re-decided
its records and what it was published with, the later page says whose records it reads, and
the index marks the study as re-decided."""

from __future__ import annotations

import html
from pathlib import Path

from reportgen.analysis import analyze_study
from reportgen.pages import index_page, render_index
from reportgen.site.study_build import _redecided, render_study_records
from reportgen.store import load_study, write_spec
from tests.conftest import make_spec
from tests.site.helpers import write_logbook

R1_LOG = [{"revision": 1, "date": "2026-11-24", "summary": "The first run."}]
VERDICTS = ("adopt", "reject", "inconclusive")


def _redecided_study(root: Path, claim: str | None) -> tuple[object, str]:
    """Study 'demo': r1 with 12 search trials and 3 retrains (kept as revisions/r1.yaml), and
    study.yaml r2 reading them (records_from: 1). ``claim``: r2's changelog entry, where
    ``{was}`` and ``{now}`` become a verdict other than today's and today's. Returns the
    loaded study and the ``was`` verdict."""
    write_logbook(root, spec_overrides={"changelog": R1_LOG})
    folder = root / "demo"
    records, problems = load_study(folder, root)  # r1 alone, as the current spec: today's verdict
    assert problems == [] and records is not None
    now = str(analyze_study(records.spec, list(records.trials)).decision.verdict)
    (folder / "revisions").mkdir()
    (folder / "study.yaml").rename(folder / "revisions" / "r1.yaml")
    was = next(v for v in VERDICTS if v != now)
    entry = (claim or "Re-decided with a new rule.").format(was=was, now=now)
    r2 = make_spec(
        trial_budget=12, revision=2, records_from=1,
        changelog=[*R1_LOG, {"revision": 2, "date": "2026-12-07", "summary": entry}],
    )  # fmt: skip
    write_spec(root, r2)
    records, problems = load_study(folder, root)
    assert problems == [] and records is not None
    return records, was


def test_both_pages_and_the_index_say_what_they_know(tmp_path):
    claim = "Re-decided on the same records: was {was}, now {now}."
    records, was = _redecided_study(tmp_path / "logbook", claim)
    rendered = render_study_records(records, analyze_study, "test")
    # the pages as read (record text and ours are escaped for markdown and HTML alike)
    r1, r2 = (html.unescape(rendered.files[f"demo/{f}"]) for f in ("r1.md", "index.md"))
    assert (
        "Revision 2 re-decided these records with the analysis code of its day (records_from: "
        "1). This page is rebuilt by today's code, so its verdict is today's. Revision 1 "
        f"was published with the verdict {was}." in r1
    ), r1[:3000]
    assert (
        "Revision 2 runs nothing of its own design: it re-decides the records of r1 "
        "(records_from: 1), the 15 trials recorded there." in r2
    ), r2[:3000]
    # each line sits in the summary card, next to the verdict, on its own page only
    for page, line in ((r1, "re-decided these records"), (r2, "re-decides the records of r1")):
        card = page[page.index('<div class="logbook-summary">') :]
        card = card[: card.index("</div>")]
        assert card.index("Verdict:") < card.index(line) < card.index("Effect:")
    assert "runs nothing of its own design" not in r1 and "re-decided these records" not in r2
    assert rendered.row.decision.endswith(f" (re-decided: r1 was {was})")
    index = html.unescape(render_index(index_page([rendered.row], None, [], "test")))
    assert f"(re-decided: r1 was {was})" in index


def test_without_a_recorded_change_the_published_verdict_is_not_guessed(tmp_path):
    records, _ = _redecided_study(tmp_path / "logbook", None)
    rendered = render_study_records(records, analyze_study, "test")
    r1 = html.unescape(rendered.files["demo/r1.md"])
    assert "Revision 2 re-decided these records" in r1
    assert "was published with" not in r1
    # r1's verdict today is r2's on the same records: nothing on record says it changed
    assert "re-decided" not in rendered.row.decision


def test_a_study_without_records_from_has_none_of_these_lines(tmp_path):
    root = write_logbook(tmp_path / "logbook")
    records, problems = load_study(root / "demo", root)
    assert problems == []
    page = render_study_records(records, analyze_study, "test").files["demo/index.md"]
    assert "logbook-summary-records" not in page and "re-decide" not in html.unescape(page)


def test_the_index_mark_of_records_from_names_the_revision_it_reads():
    log = [{"revision": 2, "summary": "Re-decided: was inconclusive, now adopt."}]
    spec = make_spec(revision=2, records_from=1, changelog=log)
    # today's code gives r1's records the same verdict as r2: the changelog is the evidence
    assert _redecided(spec, {1: "adopt", 2: "adopt"}) == " (re-decided: r1 was inconclusive)"
    # a claim that is not the verdict the page shows marks nothing of its own
    assert _redecided(spec, {1: "reject", 2: "reject"}) == ""

"""Text on the study page says what it means: real infeasible reasons, commands as code, status
badges readable without an emoji font, and a check mark only for a check that ran."""

from __future__ import annotations

import html

import pytest

from reportgen.analysis import analyze_study
from reportgen.pages.escape import md_text_code
from reportgen.pages.icons import badge
from reportgen.pages.checklist import check_status, checklist
from reportgen.pages.study import infeasible_rows, summary_card
from reportgen.schema import CheckScope, Finding, TrialPoint
from reportgen.store import load_study
from tests.conftest import REPO
from tests.site.conftest import FIXTURE_LOGBOOK, FIXTURE_STUDY


def _point(tid: str, reason: str) -> TrialPoint:
    return TrialPoint(
        trial_id=tid,
        kind="search",
        status="diverged",
        status_reason=reason,
        hyperparameters={},
        value=None,
    )


def test_infeasible_reason_shows_a_real_reason_not_the_masked_kind():
    points = [
        _point("t1", "train loss exploded to 259.9 (limit 50) at step 2"),
        _point("t2", "train loss exploded to 88.1 (limit 50) at step 7"),
    ]
    rows = infeasible_rows(points, {"train loss exploded to N (limit N) at step N": 2})
    assert len(rows) == 1
    assert rows[0].key == "infeasible (2 trials)"
    assert rows[0].value == "train loss exploded to 259.9 (limit 50) at step 2 (e.g. t1)"
    assert " N " not in rows[0].value


def test_next_step_commands_render_as_code_without_backticks():
    out = str(md_text_code("Run it: `reportgen retrain s --seeds 4` and the same for <b>."))
    assert "`" not in out and "&#96;" not in out
    assert "<code>reportgen retrain s --seeds 4</code>" in out
    assert out.startswith("Run it&#58; <code>") and "</code> and the same" in out
    assert "<b>" not in out and "&lt;b&gt;" in out
    # an unmatched backtick is text, not code
    assert "<code>" not in str(md_text_code("a ` b"))


@pytest.mark.parametrize("status", ["ok", "info", "warning", "problem", "unchecked"])
def test_badges_are_theme_icons_with_the_word(status):
    out = str(badge(status))
    assert "<svg" in out  # mkdocs-material's icon, inline
    for emoji in "✅⚠❌ℹ":
        assert emoji not in out
    word = {"ok": "passed", "info": "note", "unchecked": "not checked"}.get(status, status)
    assert f'<span class="logbook-status-word">{word}</span>' in out


def test_tick_rule():
    warn = Finding(key="variance.x", severity="warning", message="m", anchor="a")
    note = Finding(key="variance.x", severity="info", message="m", anchor="a")
    ran = CheckScope(topic="variance", looked_at="5 against 5 retrains")
    gone = CheckScope(topic="variance", looked_at="no retrains yet", state="not_run")
    part = CheckScope(topic="boundaries", looked_at="x", state="partial", not_judged="upper edge")
    still = CheckScope(topic="variance", looked_at="5 against 5", state="open", not_judged="open")
    assert check_status([], ran) == "ok"
    assert check_status([], None) == "unchecked"  # nothing says it ran: no tick
    assert check_status([], gone) == "unchecked"
    assert check_status([warn], gone) == "warning"
    assert check_status([], part) == "info"  # part of it not judged: never a tick
    assert check_status([], still) == "warning"  # ran, answer not yet yes
    assert check_status([note], still) == "warning"
    items = checklist([], [gone, CheckScope(topic="isolation", looked_at="2 values of lr")])
    by = {i.title: i for i in items}
    assert by["Variance"].status == "unchecked" and "passed" not in str(by["Variance"].icon)
    assert by["Variance"].checked == "no retrains yet"
    assert by["Isolation"].status == "ok" and by["Isolation"].checked == "2 values of lr"
    # a topic the analysis gave no scope is not ticked
    assert by["Sampling density"].status == "unchecked"


def _analysed(logbook, study):
    records, problems = load_study(logbook / study, logbook)
    assert problems == [] and records is not None
    return records.spec, analyze_study(records.spec, list(records.trials))


def test_no_tick_for_isolation_without_scientific_or_variance_without_retrains():
    # the reference study has no scientific hyperparameter and no retrains
    spec, a = _analysed(REPO / "logbook", "fashion-cnn-reference")
    assert a.isolation == []
    items = {i.title: i for i in checklist(a.findings, a.scopes)}
    assert items["Isolation"].status == "unchecked"
    assert items["Variance"].status in ("unchecked", "warning", "problem")
    assert "passed" not in str(items["Variance"].icon)


def test_summary_card_counts_open_checks_and_links_them():
    spec, a = _analysed(FIXTURE_LOGBOOK, FIXTURE_STUDY)
    items = checklist(a.findings, a.scopes)
    card = summary_card(spec, a, items)
    open_items = [i for i in items if i.status in ("warning", "problem")]
    assert html.unescape(str(card.question)) == spec.goal
    if open_items:
        n = len(open_items)
        assert card.headline == f"{card.verdict} — {n} check{'s' if n > 1 else ''} open"
        assert [str(lk.href) for lk in card.open_checks] == [f"#{i.anchor}" for i in open_items]
    else:
        assert card.headline == card.verdict


def test_timeline_one_legend_dated_axis_and_human_decisions():
    from reportgen.charts import launch_timeline

    rows = [
        {"study": "a", "date": "2026-01-02", "verdict": "inconclusive", "revision": 1, "trials": 3,
         "decision": "inconclusive (human: reject)"},
        {"study": "b", "date": "2026-03-04", "verdict": "adopt", "revision": 2, "trials": 5,
         "decision": "adopt"},
    ]
    spec = launch_timeline(rows)
    data = spec["datasets"]["rows"]
    assert [(r["verdict"], r["computed"], r["human"]) for r in data] == [
        ("reject", "inconclusive", "human decision"),
        ("adopt", "adopt", ""),
    ]
    legends = [
        (name, enc.get("title"))
        for layer in spec["layer"]
        for name, enc in layer["encoding"].items()
        if name in ("color", "shape", "size", "fill") and "field" in enc
    ]
    assert legends == [("color", "verdict")]
    x = spec["layer"][0]["encoding"]["x"]
    assert x["axis"]["format"] == "%Y-%m-%d" and x["timeUnit"] == "yearmonthdate"

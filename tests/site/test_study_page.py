"""The study page of the fixture logbook: findings beside their own guidance, readable tables."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest

from reportgen.analysis import analyze_study
from reportgen.guidance import GUIDANCE, playbook_url
from reportgen.pages.checklist import checklist
from reportgen.store import load_study
from tests.site.conftest import FIXTURE_LOGBOOK, FIXTURE_STUDY


@pytest.fixture(scope="module")
def analysis():
    records, problems = load_study(FIXTURE_LOGBOOK / FIXTURE_STUDY, FIXTURE_LOGBOOK)
    assert problems == [] and records is not None
    return analyze_study(records.spec, list(records.trials))


def test_each_finding_sits_beside_its_own_keys_guidance(analysis):
    items = checklist(analysis.findings)
    groups = [g for item in items for g in item.groups]
    keys = [g.key for g in groups]
    assert len(keys) == len(set(keys)), "one note per key"
    assert Counter(keys) == Counter(set(f.key for f in analysis.findings))
    for g in groups:
        own = GUIDANCE[g.key]
        assert (g.title, g.note, str(g.url)) == (own.title, own.note, playbook_url(own.anchor))
        assert len(g.findings) == sum(f.key == g.key for f in analysis.findings)
    # a key raised several times (for two best trials and for the whole study, say) shares one
    # note across its findings
    first = analysis.findings[0]
    again = [first.model_copy(update={"subject": f"trial-{k}"}) for k in range(2)]
    groups = [g for item in checklist([*analysis.findings, *again]) for g in item.groups]
    [shared] = [g for g in groups if g.key == first.key]
    assert len(shared.findings) == 3 and shared.note == GUIDANCE[first.key].note
    assert not any(item.title == "Other checks" for item in items)


def test_rendered_page_shows_one_note_per_key(fixture_site, analysis):
    page = (fixture_site / "studies" / FIXTURE_STUDY / "index.html").read_text()
    blocks = re.findall(
        r'<div class="logbook-finding" data-key="([^"]+)">(.*?)<div class="logbook-guidance">(.*?)</div></div>',
        page,
        flags=re.S,
    )
    seen = {html.unescape(k): (body, note) for k, body, note in blocks}
    assert set(seen) == {f.key for f in analysis.findings}
    assert len(blocks) == len(seen)
    for key, (body, note) in seen.items():
        text = html.unescape(re.sub(r"<[^>]+>", "", note))
        assert GUIDANCE[key].title in text and GUIDANCE[key].note in text, key
        assert playbook_url(GUIDANCE[key].anchor) in note
        for f in analysis.findings:
            if f.key == key:
                assert f.message.replace("`", "") in html.unescape(re.sub(r"<[^>]+>", "", body))


def test_section_notes_come_from_the_registry(fixture_site):
    text = html.unescape((fixture_site / "studies" / FIXTURE_STUDY / "index.html").read_text())
    for name in (
        "design",
        "checklist",
        "axis_plots",
        "curves",
        "isolation",
        "variance",
        "decision",
    ):
        assert GUIDANCE[f"section.{name}"].note in text, name


def test_top_trials_show_only_the_varied_hyperparameters(fixture_site):
    md = (fixture_site.parent / "docs" / "studies" / FIXTURE_STUDY / "index.md").read_text()
    rows = [line for line in md.splitlines() if line.startswith("| &#35;1 r1-s0-0007")]
    assert len(rows) == 1
    text = html.unescape(rows[0])
    assert "width = 64" in text and "nesterov.learning_rate = 0.2023" in text
    for default in ("batch_size", "eval_batch_size", "label_smoothing", "momentum", "optimizer"):
        assert default not in text


def _charts(analysis):
    records, _ = load_study(FIXTURE_LOGBOOK / FIXTURE_STUDY, FIXTURE_LOGBOOK)
    from reportgen.site.prepare import study_charts

    return study_charts(records.spec, analysis, list(records.trials))


def _x(spec: dict) -> dict:
    return spec["layer"][0]["encoding"]["x"]


def test_discrete_scientific_axis_is_ordinal_over_its_values(analysis):
    axis = dict(_charts(analysis).axis)
    x = _x(axis["width"])
    assert x["type"] == "ordinal" and x["scale"]["type"] == "point"
    assert x["sort"] == ["16", "64"]
    assert {r["x"] for r in axis["width"]["datasets"]["rows"]} == {"16", "64"}
    lr = _x(axis["nesterov.learning_rate"])
    assert lr["type"] == "quantitative" and lr["scale"]["type"] == "log"


def test_variance_columns_have_short_labels_and_full_tooltips(analysis):
    spec = _charts(analysis).variance
    rows = spec["datasets"]["rows"]
    assert [c for c in dict.fromkeys(r["column"] for r in rows)] == [
        "width=16",
        "width=64",
    ]  # no reruns in the fixture: no study-variance column (no bootstrap number either)
    fulls = {r["column"]: r["full"] for r in rows}
    assert fulls["width=16"] == "retrain of r1-s0-0006 (width=16)"
    assert all(
        t["field"] == "full" for layer in spec["layer"] for t in layer["encoding"]["tooltip"][:1]
    )

"""docs/coverage.md: one row per checklist item, every name it cites exists, the count line is
right, and the page is what the probe gallery shows (tests/probes): a row counts as shown only
where its finding fires on its probe and appears on that probe's built page."""

from __future__ import annotations

import html
import re
import shutil
from collections import Counter

import pytest

from reportgen.cli import COMMANDS
from reportgen.guidance import GUIDANCE
from reportgen.schema import Curves, StudySpec, TrialRecord
from tests.conftest import REPO

PAGE = REPO / "docs" / "coverage.md"
ANALYSIS = REPO / "reportgen" / "analysis"
TEMPLATES = REPO / "reportgen" / "templates"
TOKEN = re.compile(r"`(finding|chart|section|note|command|field|page):([^`]+)`")
MODELS = {"StudySpec": StudySpec, "TrialRecord": TrialRecord, "Curves": Curves}
STATUSES = ("implemented", "partial", "absent")


def rows() -> list[tuple[int, str, str, list[tuple[str, str]]]]:
    out = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].isdigit():
            assert cells[2] in STATUSES, f"row {cells[0]}: status {cells[2]!r}"
            out.append((int(cells[0]), cells[1], cells[2], TOKEN.findall(cells[3])))
    return out


def _emitted_keys() -> str:
    return "\n".join(f.read_text() for f in ANALYSIS.glob("*.py"))


def _template_headings() -> set[str]:
    text = "\n".join(f.read_text() for f in TEMPLATES.rglob("*.j2"))
    return {m.strip() for m in re.findall(r"^#+ ([^{\n]+)$", text, flags=re.M)}


def _chart_ids() -> set[str]:
    """Chart block ids the code can produce: literal ids and prefixes given to chart_html."""
    src = "\n".join(f.read_text() for f in (REPO / "reportgen").rglob("*.py"))
    ids = set(re.findall(r'chart_html\([^)]*?"([a-z-]+)"\)', src, flags=re.S))
    ids |= set(re.findall(r'_charts\("([a-z-]+)"', src))
    playbook = (REPO / "reportgen" / "site" / "playbook_charts.py").read_text()
    ids |= {"pb-" + k.replace("_", "-") for k in re.findall(r'out\["([a-z_]+)"\]', playbook)}
    return ids


def test_one_row_per_checklist_item_and_an_honest_count():
    found = rows()
    assert [n for n, *_ in found] == list(range(1, 71))
    counts = Counter(status for _, _, status, _ in found)
    line = re.search(r"\*\*Count: (\d+) implemented · (\d+) partial · (\d+) absent", PAGE.read_text())
    assert line is not None
    assert tuple(int(x) for x in line.groups()) == tuple(counts[s] for s in STATUSES)
    for n, _, status, tokens in found:
        if status != "absent":
            assert tokens, f"row {n}: an implemented or partial item must say where it shows"


def test_every_name_a_row_cites_exists():
    source = _emitted_keys()
    headings = _template_headings()
    charts = _chart_ids()
    for n, _, _, tokens in rows():
        for kind, name in tokens:
            where = f"row {n}: {kind}:{name}"
            if kind == "finding":
                assert name in GUIDANCE, where + " is not a registered finding key"
                assert f'"{name}"' in source, where + " is never emitted by the analysis"
            elif kind == "note":
                assert f"section.{name}" in GUIDANCE, where + " has no section note"
            elif kind == "section":
                assert name in headings, where + " is not a heading of the study templates"
            elif kind == "chart":
                assert name in charts, where + f" is not a chart id; known: {sorted(charts)}"
            elif kind == "command":
                assert name in COMMANDS, where + f" is not a reportgen command; known: {COMMANDS}"
            elif kind == "field":
                model, _, field = name.partition(".")
                assert field in MODELS[model].model_fields, where + " is not a record field"
            elif kind == "page":
                assert (REPO / "docs" / name).is_file(), where + " is not a docs page"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> str:
    """Every generated page of the published logbook, as one text (markdown, no MkDocs run)."""
    from reportgen.site import build_site

    root = tmp_path_factory.mktemp("published")
    docs = root / "docs"
    shutil.copytree(REPO / "docs", docs, ignore=shutil.ignore_patterns("studies"))
    build_site(REPO / "logbook", docs, root / "site", run_site=False)
    pages = sorted((docs / "studies").rglob("*.md"))
    assert len(pages) >= 8
    # with the charts' data and trial tables, kept beside the pages (site.sidecar)
    pages += sorted((docs / "studies").rglob(".*.sidecar.txt"))
    # the pages escape markdown characters as entities (``_`` is ``&#95;``)
    return html.unescape("\n".join(p.read_text(encoding="utf-8") for p in pages))


def test_the_page_is_what_the_probes_show(probe_gallery):
    """Regenerated from the probes (``python scripts/coverage_page.py``): every status and the
    count line are what the probes' pages back, not what was claimed."""
    from tests.probes.coverage import ROWS, render

    _, _, evidence = probe_gallery
    assert PAGE.read_text(encoding="utf-8") == render(ROWS, evidence), (
        "docs/coverage.md differs from the probes: run PYTHONPATH=. python scripts/coverage_page.py"
    )


def test_an_implemented_row_fires_on_its_probe_and_shows_on_its_page(probe_gallery):
    from tests.probes.coverage import ROWS, shown

    _, _, evidence = probe_gallery
    by_n = {r.n: r for r in ROWS}
    for n, _, status, tokens in rows():
        if status != "implemented":
            continue
        row = by_n[n]
        for kind, name in tokens:
            results = [
                shown(kind, name, evidence[p].page, evidence[p].carried, evidence[p].fired)
                for p in row.probes()
            ]
            if results[0] is None:
                continue
            assert any(results), f"row {n}: {kind}:{name} is shown by none of {row.probes()}"
            if kind == "finding":
                assert any(name in evidence[p].fired for p in row.probes()), (n, name)
    # a check listed as silent ("no finding") on a page is not shown
    listed_only = {"row": "`finding:x`"}
    assert shown("finding", "x", 'data-check="x"', set(), set()) is False, listed_only


def test_the_new_sections_and_charts_are_on_the_clip_study_page(published):
    """The gradient-clipping study shows the recorded statistics and the clip suggestion."""
    assert (REPO / "logbook" / "clip-digits" / "study.yaml").is_file()
    for heading in ("## Training stability", "## How long to train", "### Gradient norms",
                    "## Insight", "## Budget and resources", "## Starting point and provenance"):
        assert heading in published
    assert "per-interval p90" in published

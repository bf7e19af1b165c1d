"""The published logbook (this repository's ``logbook/``) in headless Chromium: no console
warning or error on any page, the isolation and variance charts draw one mark per data point,
the summary card comes before the first chart, and no table is wider than its container at
1280 px or on a phone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.site.browser import (
    CHROMIUM_FLAGS,
    PageWatch,
    assert_drawn,
    chart_widths,
    chromium_path,
    serve,
)
from tests.site.conftest import build_into

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.skip("chromium is not installed (CI installs it with apt)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# per chart: symbols drawn, and data points in its spec (finite values that must each be a mark)
MARK_COUNTS = """() => [...document.querySelectorAll('div.vega-chart')].map(el => {
    const spec = JSON.parse(el.getAttribute('data-spec'));
    const rows = (spec.datasets || {}).rows || [];
    const ok = v => typeof v === 'number' && isFinite(v);
    let expected = null;
    if (el.id.startsWith('isolation-')) expected = rows.filter(r => ok(r.y)).length;
    if (el.id === 'variance-chart') expected = rows.reduce((n, r) => n + r.value.filter(ok).length, 0);
    const svg = el.querySelector('svg.marks');
    return {id: el.id, expected: expected,
            symbols: svg ? svg.querySelectorAll('g.mark-symbol.role-mark > path').length : 0};
})"""

WIDE_TABLES = """() => [...document.querySelectorAll('article table')].filter(t => {
    const box = t.closest('.md-typeset__scrollwrap') || t.parentElement;
    const article = document.querySelector('article').getBoundingClientRect();
    return t.getBoundingClientRect().width > article.width + 1
        || box.scrollWidth > box.clientWidth + 1;
}).map(t => t.querySelector('tr').innerText.slice(0, 80))"""




# faint trial marks (opacity 0.08) in each axis plot, set by the trial table's filter
FAINT = """() => [...document.querySelectorAll('div.vega-chart')]
    .filter(e => { try { e.logbookView.signal('table_filtering'); return true; }
                   catch (err) { return false; } })
    .map(e => [...e.querySelectorAll('g.mark-symbol path')]
        .filter(p => p.getAttribute('opacity') === '0.08').length)"""
FAINT_READY = "() => " + FAINT[6:] + ".some(n => n > 0)"


def _pages(site: Path) -> list[str]:
    return ["index.html", *sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                                  if p.name != "index.html" or p.parent != site)]


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium  # the session's one Chromium (tests/conftest.py)


def test_published_pages_are_clean_and_count_their_marks(browser, published_site):
    with serve(published_site) as base:  # over http: 404.html links from the server's root
        _check(browser, published_site, base)


def _check(browser, published_site: Path, base: str) -> None:
    pages = _pages(published_site)
    studies = [p for p in pages if p.startswith("studies/") and p.endswith("/index.html")
               and p != "studies/index.html"]
    assert len(studies) == sum(p.is_dir() for p in (REPO / "logbook").iterdir())
    checked = {"isolation": 0, "variance": 0}
    for rel in pages:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        watch = PageWatch(page, base)
        page.goto(f"{base}/{rel}")
        charts = chart_widths(page)
        assert_drawn(charts, rel)
        for c in page.evaluate(MARK_COUNTS):
            if c["expected"] is not None:
                assert c["expected"] > 0 and c["symbols"] == c["expected"], (rel, c)
                checked["variance" if c["id"] == "variance-chart" else "isolation"] += 1
        if rel in studies:
            top = page.evaluate(
                """() => [document.querySelector('.logbook-summary'),
                          document.querySelector('div.vega-chart')].map(
                          e => e ? e.getBoundingClientRect().top : null)"""
            )
            assert top[0] is not None and top[1] is not None and top[0] < top[1], (rel, top)
            assert top[0] < 900, (rel, "summary card not in the first screen", top)
        assert page.evaluate(WIDE_TABLES) == [], (rel, "table wider than its container")
        page.set_viewport_size({"width": 390, "height": 844})
        assert page.evaluate(WIDE_TABLES) == [], (rel, "table wider than its container on a phone")
        assert watch.errors == [], (rel, watch.errors)
        assert watch.warnings == [], (rel, watch.warnings)
        assert watch.outside == [], (rel, watch.outside)
        page.close()
    # the published logbook has scientific hyperparameters and retrains on several studies
    assert checked["isolation"] >= 5 and checked["variance"] >= 5, checked


def test_full_trial_table_sorts_filters_and_downloads(browser, published_site):
    study = "warmup-digits"
    folder = published_site / "studies" / study
    csv_rows = (folder / "trials-r1.csv").read_text().strip().splitlines()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = PageWatch(page, published_site.resolve().as_uri())
    page.goto((folder / "index.html").resolve().as_uri())
    rows = page.locator("table.logbook-trials-table tbody tr")
    assert rows.count() == len(csv_rows) - 1 > 5  # every trial, not the top 5
    links = page.eval_on_selector_all(
        "div.logbook-trials a[download]", "els => els.map(e => e.href)"
    )
    assert [link.rsplit("/", 1)[1] for link in links] == ["trials-r1.csv", "trials-r1.json"]
    assert all((folder / link.rsplit("/", 1)[1]).is_file() for link in links)
    objective = page.locator("table.logbook-trials-table th", has_text="objective")
    objective.click()  # ascending: best (lowest error) first
    objective.click()  # descending
    first = page.locator("table.logbook-trials-table tbody tr").first.locator("td").nth(4)
    values = [
        float(v) for v in page.eval_on_selector_all(
            "table.logbook-trials-table tbody tr td:nth-child(5)",
            "els => els.map(e => e.getAttribute('data-sort')).filter(v => v !== '')",
        )
    ]
    assert values == sorted(values, reverse=True) and float(first.get_attribute("data-sort")) == max(values)
    # infeasible trials are listed with their real reasons
    page.fill("input.logbook-trials-filter", "exploded")
    shown = page.locator("table.logbook-trials-table tbody tr:not([hidden])")
    diverged = [r for r in csv_rows if ",diverged," in r]
    assert shown.count() == len(diverged) > 0
    assert "train loss exploded to 151.1 (limit 50) at step 5" in page.inner_text("div.logbook-trials")
    page.fill("input.logbook-trials-filter", "r1-s0-0005")
    visible = page.locator("table.logbook-trials-table tbody tr:not([hidden])")
    assert visible.count() == 1 and "r1-s0-0005" in visible.inner_text()
    assert page.inner_text(".logbook-trials-count") == f"1 of {len(csv_rows) - 1} trials"
    # the axis plots draw every trial the filter hides faint: all searched trials but one
    n_search = sum(1 for r in csv_rows[1:] if ",search," in r)
    page.wait_for_function(FAINT_READY)
    faint = page.evaluate(FAINT)
    assert len(faint) >= 2 and all(n == n_search - 1 for n in faint), (faint, n_search)
    page.fill("input.logbook-trials-filter", "")
    page.wait_for_function("() => " + FAINT[6:] + ".every(n => n === 0)")
    assert watch.errors == [] and watch.outside == []
    page.close()

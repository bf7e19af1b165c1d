"""Open the fixture logbook's site in headless Chromium: every chart draws its marks, nothing
leaves the site, instant navigation draws the charts again."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.site.browser import (
    PageWatch,
    assert_drawn,
    chart_widths,
    chromium_path,
    serve,
)
from tests.site.conftest import FIXTURE_STUDY

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.skip("chromium is not installed (CI installs it with apt)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _pages(site: Path) -> list[str]:
    studies = sorted(p.relative_to(site).as_posix() for p in (site / "studies").rglob("*.html"))
    return ["index.html", *studies]


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium  # one Chromium for the whole session (tests/conftest.py)


def _check_all(browser, base: str, site: Path) -> None:
    pages = _pages(site)
    assert f"studies/{FIXTURE_STUDY}/index.html" in pages and "studies/index.html" in pages
    for rel in pages:
        page = browser.new_page()
        watch = PageWatch(page, base)
        page.goto(f"{base}/{rel}")
        charts = chart_widths(page)
        assert_drawn(charts, rel)
        if rel.startswith("studies/") and not re.search(r"/r\d+\.html$", rel):
            assert charts, f"{rel} has no chart"
        if rel == f"studies/{FIXTURE_STUDY}/index.html":
            axis = [c for c in charts if c["id"].startswith("axis-")]
            assert len(axis) == 2, charts  # width and nesterov.learning_rate
        assert watch.errors == [], (rel, watch.errors)
        assert watch.outside == [], (rel, watch.outside)
        page.close()


def test_every_page_over_http(browser, fixture_site):
    with serve(fixture_site) as base:
        _check_all(browser, base, fixture_site)


def test_every_page_from_file(browser, fixture_site):
    _check_all(browser, fixture_site.resolve().as_uri(), fixture_site)


def test_instant_navigation_redraws_charts(browser, fixture_site, tmp_path):
    # Material's instant navigation only follows links listed in sitemap.xml at the site's
    # own address; serve a copy whose sitemap names the test server, as a deployment would.
    site = tmp_path / "site"
    shutil.copytree(fixture_site, site)
    with serve(site) as base:
        sitemap = site / "sitemap.xml"
        sitemap.write_text(sitemap.read_text().replace("https://logbook.example", base))
        page = browser.new_page()
        watch = PageWatch(page, base)
        # Material only intercepts clicks once it has read the sitemap (a click before that is
        # an ordinary page load), so wait for the sitemap and for the network to settle.
        with page.expect_response(lambda r: r.url.endswith("/sitemap.xml")) as sitemap_read:
            page.goto(f"{base}/studies/index.html")
        assert sitemap_read.value.ok
        page.wait_for_load_state("networkidle")
        assert_drawn(chart_widths(page), "index")
        page.evaluate("window.__sameDocument = true")
        page.click(f"article a[href$='{FIXTURE_STUDY}/index.html']")
        page.wait_for_url(f"**/studies/{FIXTURE_STUDY}/index.html")
        charts = chart_widths(page)
        assert page.evaluate("window.__sameDocument === true"), "navigation was not instant"
        assert charts, "no chart after instant navigation"
        assert_drawn(charts, "after instant navigation")
        page.go_back()
        page.wait_for_url("**/studies/index.html")
        charts = chart_widths(page)
        assert charts
        assert_drawn(charts, "back on the index")
        assert watch.errors == [] and watch.outside == []

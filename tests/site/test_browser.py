"""Open the built site in headless Chromium: every chart draws, nothing leaves the site."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.site.browser import CHROMIUM_FLAGS, PageWatch, chart_widths, chromium_path, serve

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.skip("chromium is not installed (CI installs it with apt)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def _pages(site: Path) -> list[str]:
    studies = sorted(p.relative_to(site).as_posix() for p in (site / "studies").rglob("*.html"))
    return ["index.html", *studies]


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield b
        b.close()


def _check_all(browser, base: str, site: Path) -> None:
    for rel in _pages(site):
        page = browser.new_page()
        watch = PageWatch(page, base)
        page.goto(f"{base}/{rel}")
        charts = chart_widths(page)
        assert all(c["state"] == "ok" and c["width"] > 0 for c in charts), (rel, charts)
        if rel.startswith("studies/") and not re.search(r"/r\d+\.html$", rel):
            assert charts, f"{rel} has no chart"
        assert watch.errors == [], (rel, watch.errors)
        assert watch.outside == [], (rel, watch.outside)
        page.close()


def test_every_page_over_http(browser, built_site):
    with serve(built_site) as base:
        _check_all(browser, base, built_site)


def test_every_page_from_file(browser, built_site):
    _check_all(browser, built_site.resolve().as_uri(), built_site)


def test_instant_navigation_redraws_charts(browser, built_site, tmp_path):
    # Material's instant navigation only follows links listed in sitemap.xml at the site's
    # own address; serve a copy whose sitemap names the test server, as a deployment would.
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    with serve(site) as base:
        sitemap = site / "sitemap.xml"
        sitemap.write_text(sitemap.read_text().replace("https://logbook.example", base))
        page = browser.new_page()
        watch = PageWatch(page, base)
        page.goto(f"{base}/studies/index.html")
        chart_widths(page)
        page.evaluate("window.__sameDocument = true")
        page.click("article a[href$='demo/index.html']")
        page.wait_for_url("**/studies/demo/index.html")
        charts = chart_widths(page)
        assert page.evaluate("window.__sameDocument === true"), "navigation was not instant"
        assert charts and all(c["state"] == "ok" and c["width"] > 0 for c in charts), charts
        page.go_back()
        page.wait_for_url("**/studies/index.html")
        charts = chart_widths(page)
        assert charts and all(c["width"] > 0 for c in charts), charts
        assert watch.errors == [] and watch.outside == []

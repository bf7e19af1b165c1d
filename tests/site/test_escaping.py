"""Strings from records are shown literally and never run, in markdown and in the browser."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.pages.escape import chart_html, md_text
from tests.site.browser import (
    CHROMIUM_FLAGS,
    PageWatch,
    assert_drawn,
    chart_widths,
    chromium_path,
)
from tests.site.conftest import build_into
from tests.site.helpers import write_logbook

SCRIPT = "<script>window.__xss = 1</script>"
IMG = '<img src="x" onerror="window.__xss = 2">'
LINK = "[click me](javascript:window.__xss=3)"
CLOSE = "</script></div><script>window.__xss = 4</script>"
MD = "**bold** _em_ | cell | {: onclick='window.__xss=5' } # heading"
INJECTIONS = [SCRIPT, IMG, LINK, CLOSE, MD]


def test_md_text_escapes_html_and_markdown():
    out = str(md_text(f"{SCRIPT} {LINK} a|b *c*"))
    for ch in "<>[]()|*":
        assert ch not in out
    assert "&lt;script&gt;" in out


def test_chart_html_cannot_close_its_attribute():
    html = str(chart_html({"title": CLOSE + "'\""}, "c"))
    body = html[html.index("data-spec='") + len("data-spec='") : -len("'></div>")]
    assert "'" not in body and "<" not in body and ">" not in body


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    logbook = write_logbook(
        root / "logbook",
        spec_overrides={
            "title": f"Title {SCRIPT} {LINK}",
            "goal": f"Goal {IMG} {MD}",
            "notes": f"Notes\n\n{CLOSE}\n# not a heading\n{LINK}",
        },
        extra_hps=[
            {
                "name": "activation",
                "role": "nuisance",
                "scale": "categorical",
                "values": [SCRIPT, LINK, CLOSE],
                "description": f"desc {IMG}",
            }
        ],
    )
    return build_into(root, logbook)


def test_generated_html_holds_no_injected_markup(hostile_site):
    html = (hostile_site / "studies" / "demo" / "index.html").read_text()
    assert "window.__xss" in html  # the text is there ...
    for raw in (SCRIPT, IMG, 'href="javascript:', "onclick="):
        assert raw not in html  # ... but never as markup


@pytest.mark.browser
def test_browser_shows_injections_literally(hostile_site, chromium):
    if chromium_path() is None:
        pytest.skip("chromium is not installed (CI installs it with apt)")
    sync_api = pytest.importorskip("playwright.sync_api")
    browser = chromium
    for rel in ("studies/demo/index.html", "studies/index.html"):
        page = browser.new_page()
        base = hostile_site.resolve().as_uri()
        watch = PageWatch(page, base)
        page.goto(f"{base}/{rel}")
        charts = chart_widths(page)
        assert charts
        assert_drawn(charts, rel)
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
        text = page.inner_text("article")
        assert SCRIPT in text  # the title: the study page's heading, the index's goal column
        assert "invalid records" not in text
        if rel.endswith("demo/index.html"):
            for s in (SCRIPT, LINK, CLOSE):
                assert s in text
        assert watch.errors == [] and watch.outside == []
        page.close()

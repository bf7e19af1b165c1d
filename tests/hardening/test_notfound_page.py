"""Issue 16 item 18: the 404 page loads its styles and scripts from inside the site folder when
opened from file://, and still at any depth when a web server shows it (real Chromium)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.site import build_site
from reportgen.site.mkdocs_run import DEFAULT_DOCS
from reportgen.store import write_spec, write_trial
from tests.conftest import REPO, make_spec, make_trial
from tests.site.browser import serve


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("notfound")
    write_spec(root / "logbook", make_spec())
    write_trial(root / "logbook", make_trial())
    shutil.copytree(DEFAULT_DOCS, root / "docs")
    build_site(root / "logbook", root / "docs", root / "site", config=REPO / "mkdocs.yml")
    return root / "site"


def test_404_has_no_root_absolute_url(site):
    html = (site / "404.html").read_text()
    assert 'href="/' not in html.replace('<base href="/">', "")
    assert 'src="/' not in html
    assert '"base": "."' in html


def _load(chromium, url: str, inside: str) -> tuple[list[str], list[str], dict]:
    failed: list[str] = []
    outside: list[str] = []
    page = chromium.new_page()
    page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.url} {r.status}"))
    page.on(
        "request",
        lambda r: None if r.url.startswith((inside, "data:", "blob:")) else outside.append(r.url),
    )
    page.goto(url)
    page.wait_for_load_state("load")
    state = page.evaluate(
        """() => ({
            sheets: [...document.styleSheets].filter(s => s.href).length,
            vega: typeof window.vega,
            header: getComputedStyle(document.querySelector('.md-header')).position,
        })"""
    )
    page.close()
    return failed, outside, state


def test_404_from_file_url_stays_inside_the_site(site, chromium):
    failed, outside, state = _load(chromium, (site / "404.html").as_uri(), site.as_uri())
    assert not failed, failed
    assert not outside, outside
    assert state["sheets"] >= 2 and state["vega"] == "object", state
    assert state["header"] in ("sticky", "fixed"), state  # the theme's stylesheet applied


def test_404_served_at_depth_still_finds_its_assets(site, chromium):
    deep = site / "studies" / "demo" / "missing-page.html"
    shutil.copyfile(site / "404.html", deep)  # what a server answers for a missing deep URL
    try:
        with serve(site) as url:
            failed, outside, state = _load(chromium, f"{url}/studies/demo/missing-page.html", url)
    finally:
        deep.unlink()
    # Chromium's preload scanner fetches before the <base> written by the script applies; those
    # speculative requests may miss, the page itself then loads every asset from the root.
    assert not outside, outside
    assert state["sheets"] >= 2 and state["vega"] == "object", (state, failed)
    assert state["header"] in ("sticky", "fixed"), state

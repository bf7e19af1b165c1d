"""A study page's chart data and trial table go around MkDocs (in a sidecar beside the page)
and come back into its HTML byte for byte."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.errors import ReportgenError
from reportgen.pages.escape import chart_html, md_text
from reportgen.site.mkdocs_run import run_mkdocs
from reportgen.site.sidecar import fill_page, read_sidecar, sidecar_name, split_page
from tests.conftest import REPO
from tests.site.conftest import FIXTURE_STUDY
from tests.site.test_determinism import _tree

CONFIG = REPO / "mkdocs.yml"
PAGE = f"studies/{FIXTURE_STUDY}/index.md"
REFS = re.compile(r'data-spec-ref="([0-9a-f]{32})"|data-block-ref="([0-9a-f]{32})"')


def _inline(docs: Path) -> int:
    """Put every sidecar back into its page's markdown (everything inline, as MkDocs would
    otherwise read it) and delete the sidecars; returns how many parts were put back."""
    n = 0
    for side in sorted(docs.rglob(".*.sidecar.txt")):
        page = side.with_name(side.name[1 : -len(".sidecar.txt")] + ".md")
        text = page.read_text(encoding="utf-8")
        n += len(REFS.findall(text))
        page.write_text(fill_page(text, read_sidecar(side), str(page)), encoding="utf-8")
        side.unlink()
    return n


def _table(rows: list[str]) -> str:
    body = "".join(f"<tr><td>{md_text(r)}</td></tr>" for r in rows)
    return (
        '<div class="logbook-trials" data-search-exclude><p>tools</p><table><thead><tr><th>x'
        f"</th></tr></thead><tbody>{body}</tbody></table></div>"
    )


def test_split_then_fill_gives_back_the_page_exactly(tmp_path):
    tricky = {"title": "it's <b>&amp; \u00e9 \u2028 \n", "data": {"values": [{"a": 1.5}]}}
    page = (
        "# t\n\n" + str(chart_html(tricky, "c-1")) + "\n\n" + _table(["a</tbody></table></div>", "b\nc"])
        + "\n\ntext\n\n" + str(chart_html({"x": 1}, "c_2")) + "\n\n" + _table([]) + "\n"
    )  # fmt: skip
    out, side = split_page(page)
    assert "data-spec='" not in out and "<table" not in out
    assert len(REFS.findall(out)) == 4
    assert side is not None and side.startswith("reportgen-sidecar 1\n")
    f = tmp_path / ".p.sidecar.txt"
    f.write_text(side, encoding="utf-8")
    assert fill_page(out, read_sidecar(f), "page") == page
    assert split_page("# no charts\n") == ("# no charts\n", None)


def test_damaged_sidecar_is_refused(tmp_path):
    _, side = split_page("x\n\n" + str(chart_html({"a": [1, 2, 3]}, "c")) + "\n")
    assert side is not None
    f = tmp_path / ".p.sidecar.txt"
    for bad in (side[:-5], side.replace("reportgen-sidecar 1", "other"), side + "junk"):
        f.write_text(bad, encoding="utf-8")
        with pytest.raises(ValueError, match=str(f)):
            read_sidecar(f)


def test_record_text_cannot_forge_a_placeholder():
    for forged in ('data-spec-ref="' + "a" * 32 + '"',
                   '<div class="reportgen-block" data-block-ref="' + "b" * 32 + '"></div>'):  # fmt: skip
        assert not REFS.search(md_text(forged))


def test_sidecar_beside_its_page_is_not_published(fixture_site):
    docs = fixture_site.parent / "docs"
    md = (docs / PAGE).read_text(encoding="utf-8")
    refs = {a or b for a, b in REFS.findall(md)}
    assert len(refs) >= 6 and "data-spec='" not in md and "logbook-trials" not in md
    assert md.count("<table") == 1  # the checks run, raw HTML; the trial table is a sidecar
    assert sorted(read_sidecar(docs / sidecar_name(PAGE))) == sorted(refs)
    html = (fixture_site / "studies" / FIXTURE_STUDY / "index.html").read_text(encoding="utf-8")
    assert not REFS.search(html) and html.count("data-spec='") == len(refs) - 1
    assert html.count('<div class="logbook-trials" data-search-exclude>') == 1
    assert not list(fixture_site.rglob("*.sidecar.txt"))


def test_site_is_byte_for_byte_the_one_an_inline_page_gives(fixture_site, tmp_path):
    """MkDocs over the page with everything inline (the slow way) and over the placeholders
    with the plugin: the same files, search index included."""
    docs = fixture_site.parent / "docs"
    shutil.copytree(docs, tmp_path / "inline")
    assert _inline(tmp_path / "inline") >= 6
    run_mkdocs(CONFIG, docs, tmp_path / "ours", strict=True, epoch=0)
    run_mkdocs(CONFIG, tmp_path / "inline", tmp_path / "old", strict=True, epoch=0)
    ours, old = _tree(tmp_path / "ours"), _tree(tmp_path / "old")
    for tree in (ours, old):  # the page cache holds the markdown's digests, which differ
        tree.pop(".reportgen-pages.json")
    assert sorted(ours) == sorted(old)
    assert [k for k in ours if ours[k] != old[k]] == []


def test_missing_sidecar_fails_a_strict_build(fixture_site, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(fixture_site.parent / "docs", docs)
    (docs / sidecar_name(PAGE)).unlink()
    with pytest.raises(ReportgenError, match="mkdocs build failed"):
        run_mkdocs(CONFIG, docs, tmp_path / "site", strict=True, epoch=0)


def test_plain_mkdocs_build_fills_the_page_through_the_entry_point(fixture_site, tmp_path):
    """A user's own `mkdocs build` with the repository's config, which names the plugin."""
    shutil.copytree(fixture_site.parent / "docs", tmp_path / "docs")
    shutil.copyfile(CONFIG, tmp_path / "mkdocs.yml")
    assert "- reportgen/sidecar" in CONFIG.read_text(encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(tmp_path / "site")],
        cwd=tmp_path, check=True, capture_output=True,
    )  # fmt: skip
    html = (tmp_path / "site" / "studies" / FIXTURE_STUDY / "index.html").read_text("utf-8")
    assert "data-spec='" in html and "<table" in html and not REFS.search(html)

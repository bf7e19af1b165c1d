"""Same records in, byte-identical site out; unchanged studies are not rendered again."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from reportgen.site import build_site
from tests.conftest import REPO
from tests.site.conftest import build_into
from tests.site.helpers import write_logbook


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_two_builds_are_byte_identical(tmp_path):
    a = build_into(tmp_path / "a", write_logbook(tmp_path / "a" / "logbook"))
    b = build_into(tmp_path / "b", write_logbook(tmp_path / "b" / "logbook"))
    ta, tb = _tree(a), _tree(b)
    assert ta.keys() == tb.keys()
    assert [k for k in ta if ta[k] != tb[k]] == []
    assert "sitemap.xml.gz" in ta and "studies/demo/index.html" in ta


def test_unchanged_study_is_reused_and_a_changed_one_rebuilt(tmp_path):
    logbook = write_logbook(tmp_path / "logbook")
    docs, site = tmp_path / "docs", tmp_path / "site"
    build_into(tmp_path, logbook)
    page = docs / "studies" / "demo" / "index.md"
    before = page.stat().st_mtime_ns

    def again():
        return build_site(logbook, docs, site, config=REPO / "mkdocs.yml")

    noop = again()
    assert noop.rendered == [] and noop.reused == ["demo"] and not noop.mkdocs_ran
    assert page.stat().st_mtime_ns == before

    trial = logbook / "demo" / "trials" / "t0001.json"
    os.utime(trial, ns=(trial.stat().st_atime_ns, trial.stat().st_mtime_ns + 10**9))
    touched = again()
    assert touched.rendered == [] and touched.reused == ["demo"]  # same bytes: keyed on content
    assert not touched.mkdocs_ran

    spec = logbook / "demo" / "study.yaml"
    spec.write_text(spec.read_text().replace("Demo study", "Demo study, renamed"))
    changed = again()
    assert changed.rendered == ["demo"] and changed.mkdocs_ran
    assert "Demo study, renamed" in (site / "studies" / "demo" / "index.html").read_text()


def test_bad_records_are_listed_and_valid_studies_still_build(tmp_path):
    logbook = write_logbook(tmp_path / "logbook")
    bad = logbook / "broken"
    bad.mkdir()
    (bad / "study.yaml").write_text("study_id: broken\ntitle: [unclosed\n")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n")
    result = build_site(logbook, docs, tmp_path / "site", config=REPO / "mkdocs.yml")
    assert result.bad == ["broken"]
    assert any("broken/study.yaml" in str(p) for p in result.problems)
    assert (tmp_path / "site" / "studies" / "demo" / "index.html").is_file()
    index = (docs / "studies" / "index.md").read_text()
    assert "Studies with invalid records" in index and "broken&#58; invalid records" in index

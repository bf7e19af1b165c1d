"""An incremental build (unchanged study pages taken from the previous site) is byte for byte
the site a clean build makes from the same records and docs."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from reportgen.site import build_site
from reportgen.site.mkdocs_run import DEFAULT_DOCS
from tests.conftest import REPO

# real published studies: a round 2 that depends on its round 1, and two independent ones
STUDIES = ("schedule-digits-round1", "schedule-digits-round2", "clip-digits", "flax-digits-blocks")


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _project(root: Path) -> tuple[Path, Path, Path]:
    logbook = root / "logbook"
    for sid in STUDIES:
        shutil.copytree(REPO / "logbook" / sid, logbook / sid)
    shutil.copytree(DEFAULT_DOCS, root / "docs")
    return logbook, root / "docs", root / "site"


def _build(logbook: Path, docs: Path, site: Path):  # type: ignore[no-untyped-def]
    return build_site(logbook, docs, site, config=REPO / "mkdocs.yml", strict=True)


def _clean_build_of(root: Path, logbook: Path, docs: Path, clean: Path) -> dict[str, str]:
    """A clean build of the same records and hand-written docs, in a folder of its own."""
    shutil.copytree(logbook, clean / "logbook")
    shutil.copytree(docs, clean / "docs", ignore=shutil.ignore_patterns("studies"))
    first = _build(clean / "logbook", clean / "docs", clean / "site")
    assert first.pages_reused == 0
    return _tree(clean / "site")


def _retitle(spec: Path) -> None:
    """Append " (edited)" to the spec's title, quoted or not."""
    lines = spec.read_text().splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if line.startswith("title: "))
    line = lines[i].rstrip("\n")
    lines[i] = (line[:-1] + ' (edited)"' if line.endswith('"') else line + " (edited)") + "\n"
    spec.write_text("".join(lines))


def _assert_same(a: dict[str, str], b: dict[str, str]) -> None:
    assert sorted(a) == sorted(b)
    assert [k for k in a if a[k] != b[k]] == []


def test_one_study_changed_rebuilds_identical_to_a_clean_build(tmp_path):
    logbook, docs, site = _project(tmp_path / "inc")
    full = _build(logbook, docs, site)
    assert full.pages_reused == 0 and len(full.rendered) == len(STUDIES)

    _retitle(logbook / "clip-digits" / "study.yaml")
    one = _build(logbook, docs, site)
    assert one.rendered == ["clip-digits"]
    # the other studies' pages came from the previous site, not from MkDocs
    assert one.pages_reused >= 2 * (len(STUDIES) - 1)
    assert "(edited)" in (site / "studies" / "clip-digits" / "index.html").read_text()
    _assert_same(_tree(site), _clean_build_of(tmp_path, logbook, docs, tmp_path / "clean1"))

    # a round 1 changed: its round 2 (which reads it) is rendered again too
    _retitle(logbook / "schedule-digits-round1" / "study.yaml")
    dep = _build(logbook, docs, site)
    assert sorted(dep.rendered) == ["schedule-digits-round1", "schedule-digits-round2"]
    _assert_same(_tree(site), _clean_build_of(tmp_path, logbook, docs, tmp_path / "clean2"))


def test_a_changed_navigation_renders_every_page_again(tmp_path):
    logbook, docs, site = _project(tmp_path / "inc")
    _build(logbook, docs, site)
    # a hand-written page in the navigation gets a new title: every page's sidebar shows it
    guide = docs / "guide.md"
    text = guide.read_text()
    first = text.splitlines()[0]
    assert first.startswith("# ")
    guide.write_text(text.replace(first, first + " (revised)", 1))
    again = _build(logbook, docs, site)
    assert again.rendered == [] and again.mkdocs_ran and again.pages_reused == 0
    page = (site / "studies" / "clip-digits" / "index.html").read_text()
    assert "(revised)" in page
    _assert_same(_tree(site), _clean_build_of(tmp_path, logbook, docs, tmp_path / "clean"))


def test_records_from_the_record_cache_build_the_same_site(tmp_path, monkeypatch):
    """A build whose records all come from the record cache equals one that parsed every file."""
    from reportgen.store import record_cache

    studies = ("clip-digits", "flax-digits-blocks")
    monkeypatch.setenv(record_cache.CACHE_ENV, str(tmp_path / "cache"))
    root = tmp_path / "proj"
    for sid in studies:
        shutil.copytree(REPO / "logbook" / sid, root / "logbook" / sid)
    shutil.copytree(DEFAULT_DOCS, root / "docs")
    logbook = root / "logbook"
    _build(logbook, root / "docs", root / "first")  # parses every record, fills the cache
    for sid in studies:
        cache = record_cache.study_cache(logbook / sid)
        assert len(cache._entries) == len(list((logbook / sid / "trials").glob("*.json")))
    # the same records again, rendered anew (a fresh docs folder): taken from the cache
    shutil.rmtree(root / "docs")
    shutil.copytree(DEFAULT_DOCS, root / "docs")
    import reportgen.store.load as load_module

    def no_parse(raw, shown):  # type: ignore[no-untyped-def]
        raise AssertionError(f"{shown} was parsed although its stat did not change")

    with monkeypatch.context() as m:
        m.setattr(load_module, "parse_trial", no_parse)
        cached = build_site(
            logbook, root / "docs", root / "second", config=REPO / "mkdocs.yml", strict=True, jobs=1
        )
    assert sorted(cached.rendered) == sorted(studies)
    monkeypatch.setenv(record_cache.CACHE_ENV, "off")
    shutil.rmtree(root / "docs")
    shutil.copytree(DEFAULT_DOCS, root / "docs")
    _build(logbook, root / "docs", root / "third")
    _assert_same(_tree(root / "second"), _tree(root / "third"))
    _assert_same(_tree(root / "first"), _tree(root / "third"))


def test_an_edit_in_the_clock_tick_of_the_last_stat_is_still_seen(tmp_path):
    """File times move by ticks: an in-place edit of the same size in the tick of the last
    build's stat can keep size, times and inode. Such entries are hashed again."""
    import json
    import os

    logbook, docs, site = _project(tmp_path / "racy")
    _build(logbook, docs, site)
    trial = sorted((logbook / "clip-digits" / "trials").glob("*.json"))[0]
    text = trial.read_text()
    head, _, tail = text.partition('"wall_seconds": ')
    edited = head + '"wall_seconds": ' + ("9" if tail[0] != "9" else "8") + tail[1:]
    assert len(edited) == len(text) and edited != text
    trial.write_text(edited)
    # what the manifest would hold had the stat been taken after the edit, in the same tick
    path = docs / "studies" / ".manifest.json"
    manifest = json.loads(path.read_text())
    entry = manifest["studies"]["clip-digits"]["stats"]
    rel = os.path.join("trials", trial.name)
    st = os.stat(trial)
    entry[rel] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, entry[rel][4]]
    path.write_text(json.dumps(manifest))
    again = _build(logbook, docs, site)
    assert again.rendered == ["clip-digits"]

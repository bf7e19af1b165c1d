"""Issue 16, items 1–4: a killed build is never taken for a finished one; the incremental build
keys on content; ``--site`` never deletes a folder that is not ours; a FIFO cannot hang it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.errors import ReportgenError
from reportgen.site import build_site
from reportgen.site.output import MARKER
from tests.conftest import REPO
from tests.site.conftest import build_into
from tests.site.helpers import write_logbook
from tests.site.test_determinism import _tree


def _cli_build(root: Path, *extra: str) -> list[str]:
    return [
        "build",
        "--logbook", str(root / "logbook"),
        "--docs", str(root / "docs"),
        "--site", str(root / "site"),
        "--config", str(REPO / "mkdocs.yml"),
        *extra,
    ]  # fmt: skip


def test_build_killed_mid_mkdocs_is_not_taken_for_finished(tmp_path):
    """Item 1: SIGKILL once the site's index.html exists, then build again: a full site."""
    write_logbook(tmp_path / "logbook", n=60, steps=200)
    build_into(tmp_path, tmp_path / "logbook")
    shutil.rmtree(tmp_path / "site")
    # the same build in a child process, killed as soon as MkDocs has written its first page
    code = (
        "import sys; from reportgen.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = os.environ | {"PYTHONPATH": str(REPO)}
    # a changed docs page forces MkDocs to run even though the manifest is up to date
    (tmp_path / "docs" / "extra.md").write_text("# Extra\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *_cli_build(tmp_path)], env=env, cwd=tmp_path
    )
    killed = False
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        partial = [
            p for p in tmp_path.glob(".site.building/**/index.html")
        ] + list((tmp_path / "site").glob("index.html"))
        if partial:
            proc.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.005)
    proc.wait()
    if killed:  # the kill landed mid-build: no half-built site at the published path
        assert not (tmp_path / "site" / "index.html").exists() or (
            tmp_path / "site" / MARKER
        ).is_file()
    assert main(_cli_build(tmp_path)) == 0
    site = tmp_path / "site"
    assert (site / "studies" / "demo" / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()
    assert (site / MARKER).is_file()
    assert not (tmp_path / ".site.building").exists()


def test_half_written_site_without_marker_is_rebuilt(tmp_path):
    """Item 1, deterministic: only index.html left from a killed build → MkDocs runs again."""
    logbook = write_logbook(tmp_path / "logbook")
    site = build_into(tmp_path, logbook)
    index = (site / "index.html").read_bytes()
    shutil.rmtree(site)
    site.mkdir()
    (site / "index.html").write_bytes(index)  # what the killed build had written
    again = build_site(logbook, tmp_path / "docs", site, config=REPO / "mkdocs.yml", force=True)
    assert again.mkdocs_ran
    assert (site / "studies" / "demo" / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()


def test_same_size_edit_with_time_restored_is_rebuilt(tmp_path):
    """Item 2: the incremental build keys on content, not on size and modification time."""
    logbook = write_logbook(tmp_path / "logbook")
    site = build_into(tmp_path, logbook)
    spec = logbook / "demo" / "study.yaml"
    st = spec.stat()
    text = spec.read_text()
    assert "Demo study" in text
    spec.write_text(text.replace("Demo study", "Omed study"))
    os.utime(spec, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert spec.stat().st_size == st.st_size and spec.stat().st_mtime_ns == st.st_mtime_ns
    again = build_site(logbook, tmp_path / "docs", site, config=REPO / "mkdocs.yml")
    assert again.rendered == ["demo"] and again.mkdocs_ran
    assert "Omed study" in (site / "studies" / "demo" / "index.html").read_text()


def test_touched_but_unchanged_study_is_reused(tmp_path):
    """Item 2, cheaply: a new modification time with the same bytes renders nothing."""
    logbook = write_logbook(tmp_path / "logbook")
    site = build_into(tmp_path, logbook)
    trial = logbook / "demo" / "trials" / "t0001.json"
    os.utime(trial, ns=(trial.stat().st_atime_ns, trial.stat().st_mtime_ns + 10**9))
    again = build_site(logbook, tmp_path / "docs", site, config=REPO / "mkdocs.yml")
    assert again.rendered == [] and again.reused == ["demo"] and not again.mkdocs_ran


def test_docs_page_edited_with_time_restored_still_rebuilds_the_site(tmp_path):
    """The docs digests are cached by stat like the records': a same-size edit of a
    hand-written page with its modification time put back is still seen (its ctime moved)."""
    logbook = write_logbook(tmp_path / "logbook")
    site = build_into(tmp_path, logbook)
    page = tmp_path / "docs" / "guide.md"
    st, text = page.stat(), page.read_text(encoding="utf-8")
    page.write_text(text.replace("a", "b", 1), encoding="utf-8")
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert page.stat().st_size == st.st_size and page.stat().st_mtime_ns == st.st_mtime_ns
    again = build_site(logbook, tmp_path / "docs", site, config=REPO / "mkdocs.yml")
    assert again.rendered == [] and again.mkdocs_ran
    assert text.replace("a", "b", 1) != text


def test_unchanged_docs_are_not_read_again(tmp_path, monkeypatch):
    """After one hand-written page changed, only that page's bytes are hashed again."""
    import reportgen.site.manifest as manifest
    import reportgen.store.record_cache as record_cache

    # files written a moment ago are hashed again by design (a stat taken in the clock tick of
    # an edit may not show it: test_an_edit_in_the_clock_tick_of_the_last_stat_is_still_seen);
    # here the files count as old, as they are between a user's builds
    monkeypatch.setattr(record_cache, "RACY_NS", 0)
    logbook = write_logbook(tmp_path / "logbook")
    site = build_into(tmp_path, logbook)
    hashed: list[str] = []
    real = manifest._file_sha
    monkeypatch.setattr(manifest, "_file_sha", lambda p: hashed.append(p) or real(p))
    (tmp_path / "docs" / "extra.md").write_text("# Extra\n", encoding="utf-8")
    again = build_site(logbook, tmp_path / "docs", site, config=REPO / "mkdocs.yml")
    assert again.mkdocs_ran and (site / "extra.html").is_file()
    assert [Path(p).name for p in hashed if Path(p).is_relative_to(tmp_path / "docs")] == [
        "extra.md"
    ]


def test_site_folder_not_ours_is_refused_unless_forced(tmp_path, capsys):
    """Item 3: --site on a non-empty folder without our marker deletes nothing."""
    write_logbook(tmp_path / "logbook")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n")
    site = tmp_path / "site"
    site.mkdir()
    (site / "thesis.tex").write_text("years of work\n")
    assert main(_cli_build(tmp_path)) == 1
    err = capsys.readouterr().err
    assert f"{site}: folder is not empty and was not built by reportgen" in err
    assert "--force" in err and "Traceback" not in err
    assert (site / "thesis.tex").read_text() == "years of work\n"
    # an empty folder, or a site of ours, is fine; --force replaces a foreign one
    assert main(_cli_build(tmp_path, "--force")) == 0
    assert not (site / "thesis.tex").exists() and (site / MARKER).is_file()
    (tmp_path / "docs" / "more.md").write_text("# More\n")
    assert main(_cli_build(tmp_path)) == 0
    assert list(site.glob("more*"))  # the new page was published into our own site


def test_site_path_that_is_a_file_is_refused(tmp_path):
    logbook = write_logbook(tmp_path / "logbook")
    (tmp_path / "site").write_text("not a folder\n")
    with pytest.raises(ReportgenError, match="is not a folder"):
        build_site(logbook, tmp_path / "docs", tmp_path / "site", config=REPO / "mkdocs.yml")
    assert (tmp_path / "site").read_text() == "not a folder\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_under_docs_is_an_error_not_a_hang(tmp_path):
    """Item 4: a FIFO under docs/ fails the build with its path, within seconds."""
    write_logbook(tmp_path / "logbook")
    docs = tmp_path / "docs"
    (docs / "notes").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n")
    os.mkfifo(docs / "notes" / "pipe.md")
    env = os.environ | {"PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "reportgen", *_cli_build(tmp_path)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert f"{docs / 'notes' / 'pipe.md'}: a FIFO" in proc.stderr
    assert "Traceback" not in proc.stderr


def logbook_of(root: Path) -> Path:
    lb = write_logbook(root / "logbook")
    for other in ("beta", "gamma"):
        one = write_logbook(root / f"_{other}")
        shutil.move(one / "demo", lb / other)
        for f in (lb / other).rglob("*"):
            if f.is_file():
                text = re.sub(r'("study_id":\s*"|study_id:\s*)demo', rf"\g<1>{other}", f.read_text())
                f.write_text(text)
    return lb


def test_one_study_change_rebuild_equals_clean_build(tmp_path):
    """Issue 17: an incremental build after a one-study change equals a clean build, byte for byte."""
    inc = logbook_of(tmp_path / "inc")
    build_into(tmp_path / "inc", inc)
    spec = inc / "beta" / "study.yaml"
    spec.write_text(spec.read_text().replace("Demo study", "Beta study, edited"))
    again = build_site(inc, tmp_path / "inc" / "docs", tmp_path / "inc" / "site",
                       config=REPO / "mkdocs.yml", strict=True)  # fmt: skip
    assert again.rendered == ["beta"] and sorted(again.reused) == ["demo", "gamma"]

    clean = logbook_of(tmp_path / "clean")
    spec = clean / "beta" / "study.yaml"
    spec.write_text(spec.read_text().replace("Demo study", "Beta study, edited"))
    build_into(tmp_path / "clean", clean)
    a, b = _tree(tmp_path / "inc" / "site"), _tree(tmp_path / "clean" / "site")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    assert "Beta study, edited" in (tmp_path / "inc" / "site" / "studies" / "beta" / "index.html").read_text()


def test_study_pages_do_not_list_every_study(tmp_path):
    """Issue 17: the navigation names the studies index, not every study, on every page."""
    site = build_into(tmp_path, logbook_of(tmp_path))
    page = (site / "studies" / "demo" / "index.html").read_text()
    assert "studies/index.html" in page or "../index.html" in page
    assert "beta/index.html" not in page and "gamma/index.html" not in page
    index = (site / "studies" / "index.html").read_text()
    assert "beta/index.html" in index and "gamma/index.html" in index  # linked from the index


def test_study_signature_sees_nested_files_not_dot_folders_or_linked_folders(tmp_path):
    from reportgen.site.manifest import study_signature

    study = tmp_path / "s"
    (study / "trials").mkdir(parents=True)
    (study / "study.yaml").write_text("a")
    (study / "trials" / "t0.json").write_text("1")
    (study / ".claims").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "x.json").write_text("x")
    (study / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    digest, entries = study_signature(study)
    assert sorted(entries) == sorted(["study.yaml", os.path.join("trials", "t0.json")])

    (study / ".claims" / "w1").write_text("claim")  # a running worker's claim
    (tmp_path / "elsewhere" / "x.json").write_text("changed")  # behind a link: not followed
    assert study_signature(study, entries)[0] == digest
    (study / "trials" / "t0.json").write_text("2")  # a nested record
    assert study_signature(study, entries)[0] != digest


def test_a_signature_without_reading_is_the_same_or_says_a_file_must_be_read(tmp_path):
    """The main process stats only (``read=False``); a study with a new or changed file gets
    no signature there and is signed by the worker that renders it."""
    from reportgen.site.manifest import study_signature

    study = tmp_path / "s"
    (study / "trials").mkdir(parents=True)
    (study / "study.yaml").write_text("a")
    (study / "trials" / "t0.json").write_text("1")
    assert study_signature(study, read=False)[0] is None  # nothing cached: must be read
    digest, entries = study_signature(study)
    assert study_signature(study, entries, read=False) == (digest, entries)
    (study / "trials" / "t1.json").write_text("2")
    assert study_signature(study, entries, read=False)[0] is None


def test_a_clean_build_reads_each_record_once_to_sign_it(tmp_path, monkeypatch):
    """A clean build signs every study in the worker that renders it (not first in the main
    process as well), the manifest then lets the next build skip it without a read, and after
    an edit only the edited file is read, once."""
    import reportgen.site.manifest as manifest
    import reportgen.store.record_cache as record_cache

    monkeypatch.setattr(record_cache, "RACY_NS", 0)  # as above: the files count as old
    logbook = tmp_path / "logbook"
    shutil.copytree(REPO / "logbook" / "clip-digits", logbook / "clip-digits")
    docs = tmp_path / "docs"
    reads: list[str] = []
    plain = manifest._file_sha
    monkeypatch.setattr(manifest, "_file_sha", lambda p: reads.append(p) or plain(p))
    records = lambda: [p for p in reads if p.startswith(str(logbook))]  # noqa: E731 - not docs
    first = build_site(logbook, docs, tmp_path / "site", config=REPO / "mkdocs.yml", jobs=1)
    files = [p for p in (logbook / "clip-digits").rglob("*") if p.is_file()]
    assert first.rendered == ["clip-digits"]
    assert sorted(records()) == sorted(map(str, files))  # each record once
    reads.clear()
    again = build_site(logbook, docs, tmp_path / "site", config=REPO / "mkdocs.yml", jobs=1)
    assert again.reused == ["clip-digits"] and records() == [] and not again.mkdocs_ran
    spec = logbook / "clip-digits" / "study.yaml"
    spec.write_text(spec.read_text().replace("title: ", "title: Edited ", 1))
    edited = build_site(logbook, docs, tmp_path / "site", config=REPO / "mkdocs.yml", jobs=1)
    assert edited.rendered == ["clip-digits"] and records() == [str(spec)]  # once, not twice

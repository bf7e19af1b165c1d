"""`python -m reportgen build` on a copy of the fixture logbook: exit status, pages, bad files."""

from __future__ import annotations

import shutil

from reportgen.site.mkdocs_run import DEFAULT_DOCS
from tests.conftest import REPO, run_cli
from tests.site.conftest import FIXTURE_STUDY, copy_fixture_logbook

BAD_TRIAL = "r1-s0-0003.json"


def _build(tmp_path, logbook):
    docs = tmp_path / "docs"
    if not docs.exists():
        # the generic pages; the repository's home page lists the published studies
        shutil.copytree(DEFAULT_DOCS, docs)
    site = tmp_path / "site"
    args = ("build", "--logbook", str(logbook), "--docs", str(docs), "--site", str(site))
    return run_cli(*args, "--config", str(REPO / "mkdocs.yml"), cwd=tmp_path), docs, site


def test_build_writes_the_fixture_study(tmp_path):
    logbook = copy_fixture_logbook(tmp_path / "logbook")
    proc, docs, site = _build(tmp_path, logbook)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    page = site / "studies" / FIXTURE_STUDY / "index.html"
    assert page.is_file()
    assert "Does a wider hidden layer help the digits MLP?" in page.read_text()
    assert (site / "studies" / "index.html").is_file()


def test_a_corrupted_trial_is_listed_and_the_study_still_built(tmp_path):
    logbook = copy_fixture_logbook(tmp_path / "logbook")
    bad = logbook / FIXTURE_STUDY / "trials" / BAD_TRIAL
    bad.write_text(bad.read_text()[:200])  # a torn file
    proc, docs, site = _build(tmp_path, logbook)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert BAD_TRIAL in proc.stderr  # the bad file is named
    assert FIXTURE_STUDY in proc.stderr  # and its study listed as having invalid records
    page = (docs / "studies" / FIXTURE_STUDY / "index.md").read_text()
    # the study is built from its 17 valid trials, the torn one left out
    assert "r1-s0-0003" not in page and "r1-s0-0007" in page
    assert (site / "studies" / FIXTURE_STUDY / "index.html").is_file()
    index = (docs / "studies" / "index.md").read_text()
    assert "invalid records" in index

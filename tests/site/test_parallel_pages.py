"""Pages converted and indexed in worker processes give byte for byte the site MkDocs makes
serially, with the same warnings (so strict mode still aborts on a broken link)."""

from __future__ import annotations

import shutil

import pytest

import reportgen.site.parallel_pages as parallel
from reportgen.errors import ReportgenError
from reportgen.site import build_site
from reportgen.site.mkdocs_run import DEFAULT_DOCS, run_mkdocs
from tests.conftest import REPO
from tests.site.test_incremental_build import _assert_same, _tree

STUDIES = ("clip-digits", "flax-digits-blocks", "schedule-digits-round1")


@pytest.fixture
def counted(monkeypatch):
    """Workers even for a handful of pages, and what the last build took from them."""
    monkeypatch.setattr(parallel, "MIN_PAGES_PER_WORKER", 1)
    seen: dict[str, int] = {}
    post = parallel.ParallelPages.on_post_build

    def record(self, *, config):  # type: ignore[no-untyped-def]
        seen.update(taken=self.taken, indexed=self.indexed)
        return post(self, config=config)

    monkeypatch.setattr(parallel.ParallelPages, "on_post_build", record)
    return seen


@pytest.mark.skipif(parallel._workers(99, 2) < 2, reason="needs fork and two cores")
def test_parallel_conversion_gives_the_serial_site(tmp_path, counted):
    logbook = tmp_path / "logbook"
    for sid in STUDIES:
        shutil.copytree(REPO / "logbook" / sid, logbook / sid)
    sites = {}
    for jobs in (1, 2):
        docs, site = tmp_path / f"docs{jobs}", tmp_path / f"site{jobs}"
        shutil.copytree(DEFAULT_DOCS, docs)
        build_site(logbook, docs, site, config=REPO / "mkdocs.yml", strict=True, jobs=jobs)
        sites[jobs] = _tree(site)
        if jobs == 1:
            assert counted == {"taken": 0, "indexed": 0}  # jobs=1: nothing forked
    pages = sum(1 for p in sites[2] if p.endswith(".html") and p != "404.html")
    # every page but the theme's own templates came from a worker, index entries too
    assert counted["taken"] >= pages - 1 and counted["indexed"] == counted["taken"]
    _assert_same(sites[1], sites[2])


@pytest.mark.skipif(parallel._workers(99, 2) < 2, reason="needs fork and two cores")
def test_a_warning_in_a_worker_is_reported_once_and_aborts_strict_mode(tmp_path, counted, capsys):
    docs = tmp_path / "docs"
    shutil.copytree(DEFAULT_DOCS, docs)
    (docs / "broken.md").write_text("# Broken\n\nSee [the missing page](missing.md).\n")
    messages = {}
    for jobs in (1, 2):
        with pytest.raises(ReportgenError, match="strict mode"):
            run_mkdocs(REPO / "mkdocs.yml", docs, tmp_path / f"site{jobs}", strict=True, epoch=0,
                       jobs=jobs)  # fmt: skip
        err = capsys.readouterr().err
        messages[jobs] = [line for line in err.splitlines() if "missing.md" in line]
    assert counted["taken"] > 0
    assert len(messages[1]) == 1 and "broken.md" in messages[1][0]
    assert messages[2] == messages[1]

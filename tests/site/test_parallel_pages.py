"""Pages converted and indexed in worker processes give byte for byte the site MkDocs makes
serially, with the same warnings (so strict mode still aborts on a broken link).

Each build runs in a fresh Python process: the plugin never forks once JAX is loaded, and the
test session has loaded it (the runner tests)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from reportgen.site.mkdocs_run import DEFAULT_DOCS
from tests.conftest import REPO
from tests.site.test_incremental_build import _assert_same, _tree

STUDIES = ("clip-digits", "flax-digits-blocks", "schedule-digits-round1")

# run in the child: workers even for a handful of pages, and what the plugin took from them
CHILD = """
import json, sys
from pathlib import Path
import reportgen.site.parallel_pages as parallel
from reportgen.errors import ReportgenError
from reportgen.site import build_site
from reportgen.site.mkdocs_run import run_mkdocs

parallel.MIN_PAGES_PER_WORKER = 1
seen = {}
post = parallel.ParallelPages.on_post_build

def record(self, *, config):
    seen.update(taken=self.taken, indexed=self.indexed)
    return post(self, config=config)

parallel.ParallelPages.on_post_build = record
what, jobs, *paths = sys.argv[1:]
config = Path(paths[0])
try:
    if what == "build":
        build_site(Path(paths[1]), Path(paths[2]), Path(paths[3]), config=config, strict=True,
                   jobs=int(jobs))
    else:
        run_mkdocs(config, Path(paths[1]), Path(paths[2]), strict=True, epoch=0, jobs=int(jobs))
    seen["aborted"] = False
except ReportgenError as e:
    seen["aborted"] = "strict mode" in str(e)
print(json.dumps(seen))
"""

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
    reason="the workers are forked, on two cores or more",
)


def _child(*args: object) -> tuple[dict, str]:  # type: ignore[type-arg]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, args)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1]), out.stderr


def test_parallel_conversion_gives_the_serial_site(tmp_path):
    logbook = tmp_path / "logbook"
    for sid in STUDIES:
        shutil.copytree(REPO / "logbook" / sid, logbook / sid)
    sites, seen = {}, {}
    for jobs in (1, 2):
        docs, site = tmp_path / f"docs{jobs}", tmp_path / f"site{jobs}"
        shutil.copytree(DEFAULT_DOCS, docs)
        seen[jobs], _ = _child("build", jobs, REPO / "mkdocs.yml", logbook, docs, site)
        sites[jobs] = _tree(site)
    assert seen[1] == {"taken": 0, "indexed": 0, "aborted": False}  # jobs=1: nothing forked
    pages = sum(1 for p in sites[2] if p.endswith(".html") and p != "404.html")
    # every page came from a worker, its search entries too
    assert seen[2]["taken"] >= pages - 1 and seen[2]["indexed"] == seen[2]["taken"]
    _assert_same(sites[1], sites[2])


def test_a_warning_in_a_worker_is_reported_once_and_aborts_strict_mode(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DEFAULT_DOCS, docs)
    (docs / "broken.md").write_text("# Broken\n\nSee [the missing page](missing.md).\n")
    seen, messages = {}, {}
    for jobs in (1, 2):
        seen[jobs], err = _child("mkdocs", jobs, REPO / "mkdocs.yml", docs, tmp_path / f"s{jobs}")
        messages[jobs] = [line for line in err.splitlines() if "missing.md" in line]
    assert seen[1]["aborted"] and seen[2]["aborted"]
    assert seen[1]["taken"] == 0 and seen[2]["taken"] > 0
    assert len(messages[1]) == 1 and "broken.md" in messages[1][0]
    assert messages[2] == messages[1]

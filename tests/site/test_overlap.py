"""A first build of one study analyses it in a forked child while the chart code and MkDocs'
modules load (`reportgen.site.overlap`): the pages and the site are the bytes of a build without
the child, and the build process itself never imports scikit-learn (the child fitted the
importance forest)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
    reason="the overlap forks, and only with two cores or more",
)

PROBE = """
import json, sys
from pathlib import Path
from reportgen.site import build_site, pipeline
seen = {}
real = pipeline.run_mkdocs
def run_mkdocs(*args, **kwargs):
    seen["preloaded"] = "mkdocs.commands.build" in sys.modules and "pymdownx" in sys.modules
    seen["compiled"] = sum(1 for p in Path(sys.argv[4]).rglob("*.cache"))
    return real(*args, **kwargs)
pipeline.run_mkdocs = run_mkdocs
result = build_site(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
print(json.dumps({"problems": [str(p) for p in result.problems],
                  "sklearn": "sklearn" in sys.modules, **seen}))
"""


def _build(tmp: Path, overlap: str) -> tuple[dict, dict[str, bytes]]:
    logbook = tmp / overlap / "logbook"
    shutil.copytree(FIXTURES / "logbook", logbook)
    docs, site = tmp / overlap / "docs", tmp / overlap / "site"
    env = dict(os.environ, PYTHONPATH=str(REPO), REPORTGEN_OVERLAP=overlap,
               REPORTGEN_CACHE_DIR=str(tmp / overlap / "cache"),
               REPORTGEN_TEMPLATE_CACHE=str(tmp / overlap / "templates"))  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(logbook), str(docs), str(site),
         str(tmp / overlap / "templates")],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    pages = {
        str(p.relative_to(docs / "studies")): p.read_bytes()
        for p in sorted((docs / "studies").rglob("*"))
        if p.is_file() and p.name != ".manifest.json"  # the manifest holds file times
    }
    pages |= {
        f"site/{p.relative_to(site)}": p.read_bytes()
        for p in sorted(site.rglob("*.html"))
    }
    return json.loads(out.stdout.strip().splitlines()[-1]), pages


def test_the_forked_analysis_gives_the_same_pages_and_site_and_spares_the_build_sklearn(tmp_path):
    on, pages_on = _build(tmp_path, "on")
    off, pages_off = _build(tmp_path, "off")
    assert on["problems"] == off["problems"] == []
    assert any(name.endswith(".md") and "fixture-width" in name for name in pages_on)
    assert pages_on == pages_off
    assert off["sklearn"] is True  # analysed here: the importance forest was fitted here
    assert on["sklearn"] is False  # analysed in the child
    assert any(name.startswith("site/studies/fixture-width/") for name in pages_on)
    assert off["preloaded"] is False  # MkDocs is imported when it runs
    assert on["preloaded"] is True  # ... or while the child analyses
    # the theme's page templates were compiled into the template cache during the wait too;
    # without the overlap only the page renderer's own templates are there before MkDocs runs
    assert on["compiled"] >= off["compiled"] + 30, (on, off)


CLI_PROBE = """
import json, multiprocessing, sys
from reportgen.cli import main
from reportgen.site import overlap
seen = {"took_early": []}
real = overlap.meanwhile
def meanwhile(compute, warm):
    seen["took_early"].append(overlap._early is not None)
    return real(compute, warm)
overlap.meanwhile = meanwhile
real_start = overlap.start_early
def start_early(modules):
    real_start(modules)
    seen["started"] = overlap._early is not None
overlap.start_early = start_early
rc = main(["build", "--logbook", sys.argv[1], "--docs", sys.argv[2], "--site", sys.argv[3]])
print(json.dumps({"rc": rc, "sklearn": "sklearn" in sys.modules,
                  "children": len(multiprocessing.active_children()),
                  "left": overlap._early is not None, **seen}))
"""


def _cli_build(tmp: Path, logbook: Path, overlap: str) -> dict:
    (tmp / "cwd").mkdir(parents=True, exist_ok=True)  # no templates/ folder of overrides
    docs, site = tmp / "docs", tmp / "site"
    env = dict(os.environ, PYTHONPATH=str(REPO), REPORTGEN_OVERLAP=overlap,
               REPORTGEN_CACHE_DIR=str(tmp / "cache"),
               REPORTGEN_TEMPLATE_CACHE=str(tmp / "templates"))  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", CLI_PROBE, str(logbook), str(docs), str(site)],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp / "cwd",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_build_starts_the_child_first_and_hands_it_the_one_study_it_renders(tmp_path):
    logbook = tmp_path / "logbook"
    shutil.copytree(FIXTURES / "logbook", logbook)
    first = _cli_build(tmp_path / "a", logbook, "on")
    # forked before anything was loaded, then given the analysis as a pickled job
    assert first["started"] is True and first["took_early"] == [True], first
    assert first["sklearn"] is False and first["rc"] == 0
    assert first["children"] == 0 and first["left"] is False  # nothing left running
    page = tmp_path / "a" / "docs" / "studies" / "fixture-width"
    assert page.is_dir()
    # the same records built again: nothing to analyse, so the child is stopped unused
    again = _cli_build(tmp_path / "a", logbook, "on")
    assert again["started"] is True and again["took_early"] == [], again
    assert again["children"] == 0 and again["left"] is False
    # off: no child at all, and the pages are the bytes of the overlapped build's
    off = _cli_build(tmp_path / "b", logbook, "off")
    assert off.get("started") is False and off["took_early"] == [] and off["sklearn"] is True
    for f in sorted(page.rglob("*")):
        if f.is_file() and f.name != ".manifest.json":
            twin = tmp_path / "b" / "docs" / "studies" / f.relative_to(page.parent)
            assert twin.read_bytes() == f.read_bytes(), f.name


UNIT_PROBE = """
import json, os, signal, sys
from functools import partial
from reportgen.site import overlap
me = os.getpid()
def early_pid():
    overlap._forked = False  # one overlap per process: reset between the cases
    overlap.start_early(())
    return overlap._early.proc.pid
out = {}
pid = early_pid()
out["picklable"] = overlap.meanwhile(partial(os.getpid), lambda: None) == pid
pid = early_pid()  # a closure does not pickle: a child forked now runs it
out["closure"] = overlap.meanwhile(lambda: os.getpid(), lambda: None) not in (pid, me)
early_pid()
big = b"x" * (8 << 20)  # far past a pipe's buffer while the child is still importing
out["big"] = overlap.meanwhile(partial(len, big), lambda: None) == len(big)
pid = early_pid()
os.kill(pid, signal.SIGKILL)  # the child died: computed here
out["died"] = overlap.meanwhile(partial(os.getpid), lambda: None) == me
pid = early_pid()
overlap.release()
out["released"] = overlap._early is None and not os.path.exists(f"/proc/{pid}/status") or (
    open(f"/proc/{pid}/status").read().find("State:\\tZ") >= 0)
print(json.dumps(out))
"""


def test_the_early_child_takes_a_pickled_job_of_any_size_and_falls_back_when_it_cannot(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), REPORTGEN_OVERLAP="on")
    out = subprocess.run([sys.executable, "-c", UNIT_PROBE], env=env, capture_output=True,
                         text=True, timeout=120, cwd=tmp_path)  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "picklable": True, "closure": True, "big": True, "died": True, "released": True,
    }  # fmt: skip

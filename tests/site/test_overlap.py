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

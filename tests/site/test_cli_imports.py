"""Issue 17: a CLI call that does not need them never imports scipy, altair, pandas or numpy."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.site.conftest import FIXTURE_LOGBOOK

HEAVY = ("scipy", "altair", "pandas", "numpy", "mkdocs", "jax", "pydantic")
PROBE = """
import json, sys
from reportgen.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as e:
    code = e.code
print(json.dumps({"code": code, "loaded": sorted(m for m in HEAVY if m in sys.modules)}))
""".replace("HEAVY", repr(HEAVY))


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["build", "--help"], ["serve", "--help"], ["check", "--logbook", str(FIXTURE_LOGBOOK)]],
    ids=["help", "build-help", "serve-help", "check"],
)
def test_light_commands_import_no_heavy_library(argv):
    env = os.environ | {"PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True, timeout=120
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, out.stderr
    # check needs the schema (pydantic); --help needs nothing beyond the standard library
    allowed = ["pydantic"] if argv[0] == "check" else []
    assert result["loaded"] == allowed


def test_a_build_with_nothing_to_render_does_not_import_the_analysis(tmp_path):
    """The analysis (scipy) is imported only when a study is rendered: a build of an unchanged
    logbook (watching, CI) starts fast."""
    import shutil

    from reportgen.site.mkdocs_run import DEFAULT_DOCS

    shutil.copytree(DEFAULT_DOCS, tmp_path / "docs")
    argv = ["build", "--logbook", str(FIXTURE_LOGBOOK), "--docs", str(tmp_path / "docs"),
            "--site", str(tmp_path / "site"), "--config", str(REPO / "mkdocs.yml")]  # fmt: skip
    # a cache of its own: analyses kept by other tests' builds would spare the first one's
    env = os.environ | {"PYTHONPATH": str(REPO), "REPORTGEN_CACHE_DIR": str(tmp_path / "cache")}
    loaded = []
    for _ in range(2):  # the first build renders the studies, the second has nothing to do
        out = subprocess.run(
            [sys.executable, "-c", PROBE, *argv], env=env, capture_output=True, text=True,
            timeout=600, cwd=REPO,
        )  # fmt: skip
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["code"] == 0, out.stderr
        loaded.append(result["loaded"])
    assert "scipy" in loaded[0] and "mkdocs" in loaded[0]
    assert "scipy" not in loaded[1] and "mkdocs" not in loaded[1]

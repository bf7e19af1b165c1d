"""Issue 39: each command imports the heavy libraries only on the paths that use them.

Each case runs the real command in a fresh process on the fixture logbook and lists which of
the heavy modules are in ``sys.modules`` when it returns; the lists below are what each path
may not import. Nothing here is timed (bench/startup.py prints the times).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

LOGBOOK = FIXTURES / "logbook"
STUDY = "fixture-width"
HEAVY = (
    "sklearn",
    "pandas",
    "scipy",
    "scipy.stats",
    "scipy.optimize",
    "numpy",
    "altair",
    "mkdocs",
    "jinja2",
    "pydantic",
    "jax",
    "optuna",
    "reportgen.analysis",  # the analysis (numpy, scipy; scikit-learn when it ranks)
    "reportgen.charts",
    "reportgen.pages",  # the page templates (Jinja)
    "reportgen.site.pipeline",
)
PROBE = """
import json, sys
from reportgen.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as e:
    code = e.code
print(json.dumps({"code": code, "loaded": [m for m in HEAVY if m in sys.modules]}))
""".replace("HEAVY", repr(HEAVY))

LIBRARIES = ("sklearn", "pandas", "scipy", "altair", "mkdocs", "jinja2", "jax", "optuna")
NOT_IMPORTED = {
    # argparse alone: every command module imports its work lazily
    "help": HEAVY,
    # the schema (pydantic) and the registries: no numbers, charts, pages or site
    "check": tuple(m for m in HEAVY if m != "pydantic"),
    # a study analysed: numpy and scipy's special functions; no scikit-learn (the importance
    # only a page draws is left out), so no pandas and no scipy.stats either, and no
    # scipy.optimize (the spending bounds are bisected)
    "analyze": ("sklearn", "pandas", "scipy.stats", "scipy.optimize", "altair", "mkdocs",
                "jinja2", "jax", "optuna", "reportgen.charts", "reportgen.pages",
                "reportgen.site.pipeline"),  # fmt: skip
    # the kept answer read back: the schema, nothing of the analysis
    "analyze-kept": tuple(m for m in HEAVY if m != "pydantic"),
    # a first build needs everything but JAX and the importers' libraries
    "build": ("jax", "optuna"),
    # the chart templates a first build kept: Altair is not imported again
    "build-templates-kept": ("altair", "jax", "optuna"),
    # nothing changed: neither the analysis nor MkDocs (the index's timeline, from kept
    # templates, needs no Altair)
    "build-unchanged": ("sklearn", "pandas", "scipy", "altair", "mkdocs", "jax", "optuna",
                        "reportgen.analysis"),  # fmt: skip
}


def _aged(folder: Path) -> None:
    """A kept answer is given only for files older than the racy window
    (`store.record_cache.racy`, 2 s): wait out a fresh checkout of the fixtures."""
    newest = max(p.stat().st_ctime for p in folder.rglob("*"))
    wait = newest + 2.5 - time.time()
    if wait > 0:
        time.sleep(wait)


class Runner:
    def __init__(self, root: Path) -> None:
        self.cwd = root / "cwd"
        self.cwd.mkdir(parents=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REPORTGEN_")} | {
            "PYTHONPATH": str(REPO),
            "REPORTGEN_CACHE_DIR": str(root / "cache"),
            "REPORTGEN_TEMPLATE_CACHE": str(root / "templates"),
        }

    def __call__(self, *argv: str) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-c", PROBE, *argv], env=self.env, cwd=self.cwd,
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        result = json.loads(out.stdout.strip().splitlines()[-1])
        assert result["code"] == 0, out.stderr
        return result["loaded"]

    def build(self, out: Path) -> list[str]:
        from reportgen.site.mkdocs_run import DEFAULT_DOCS

        if not (out / "docs").exists():
            shutil.copytree(DEFAULT_DOCS, out / "docs")
        return self("build", "--logbook", str(LOGBOOK), "--docs", str(out / "docs"),
                    "--site", str(out / "site"))  # fmt: skip


def _check(case: str, loaded: list[str]) -> None:
    wrong = sorted(set(loaded) & set(NOT_IMPORTED[case]))
    assert not wrong, f"{case} imported {wrong} (all loaded: {loaded})"


def test_help_and_check(tmp_path):
    run = Runner(tmp_path)
    _check("help", run("--help"))
    _check("check", run("check", "--logbook", str(LOGBOOK)))


def test_analyze(tmp_path):
    _aged(LOGBOOK / STUDY)
    run = Runner(tmp_path)
    first = run("analyze", STUDY, "--logbook", str(LOGBOOK))
    _check("analyze", first)
    assert "reportgen.analysis" in first  # the study was analysed
    _check("analyze-kept", run("analyze", STUDY, "--logbook", str(LOGBOOK)))


@pytest.mark.slow
def test_build(tmp_path):
    run = Runner(tmp_path)
    first = run.build(tmp_path / "first")
    _check("build", first)
    assert "altair" in first and "mkdocs" in first  # charts built, site written
    second = run.build(tmp_path / "second")  # a fresh docs and site, the caches kept
    _check("build-templates-kept", second)
    assert "reportgen.charts" in second and "mkdocs" in second  # it did render and build
    _check("build-unchanged", run.build(tmp_path / "second"))

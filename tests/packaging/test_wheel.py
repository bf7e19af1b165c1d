"""The wheel works outside this repository: built from the repository's files, installed into a
fresh virtual environment in a scratch folder, its `reportgen` checks and builds a two-study
logbook with the packaged templates, assets and default MkDocs config. It installs no
top-level package but `reportgen` and `runners` (before: `examples` too, a name any project
may own)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from reportgen.store import write_spec, write_trial
from tests.conftest import FIXTURES, make_spec, make_trial
from tests.journeys.test_docs_walk import fresh_copy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = fresh_copy(tmp_path_factory.mktemp("src"))
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(dist), str(src)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    (built,) = dist.glob("*.whl")
    return built


def test_the_wheel_holds_reportgen_and_runners_only(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"reportgen", "runners"}, top
    assert any(n.startswith("reportgen/templates/") for n in names)
    assert any(n.startswith("reportgen/assets/") and n.endswith(".js") for n in names)
    assert "reportgen/guidance/playbook.yaml" in names
    assert any(n.startswith("reportgen/guidance/notes/") and n.endswith(".yaml") for n in names)


def test_the_installed_wheel_checks_and_builds_a_logbook(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
         "-q", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    # the dependencies (pydantic, mkdocs, altair, ...) come from this environment, after the
    # wheel's own packages: no network, and never this checkout's code
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    Path(purelib, "outer-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "logbook", work / "logbook")
    write_spec(work / "logbook", make_spec())
    write_trial(work / "logbook", make_trial())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    script = venv / "bin" / "reportgen"

    def reportgen(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(script), *args], cwd=work, env=env, capture_output=True,
                              text=True, timeout=600)  # fmt: skip

    r = reportgen("--help")
    assert r.returncode == 0 and "check" in r.stdout, r.stderr
    where = subprocess.run([str(py), "-c", "import reportgen; print(reportgen.__file__)"],
                           cwd=work, env=env, capture_output=True, text=True).stdout  # fmt: skip
    assert where.startswith(str(venv)), where  # the wheel's code, not this checkout's
    r = reportgen("check")
    assert r.returncode == 0 and "2 studies" in r.stderr, r.stdout + r.stderr
    r = reportgen("build")
    assert r.returncode == 0, r.stderr
    for page in ("index.html", "studies/demo/index.html", "studies/fixture-width/index.html"):
        assert (work / "site" / page).is_file(), page
    r = subprocess.run([str(py), "-c", "import examples"], cwd=tmp_path, env=env,
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode != 0  # no top-level `examples` installed

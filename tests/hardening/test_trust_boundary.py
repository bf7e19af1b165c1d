"""The trust boundary: a change confined to ``logbook/`` runs no code.

A study spec can name a workload by import path. Before this boundary, ``reportgen check``
imported whatever a spec named: ``sys:exit`` made it exit 0 in silence, ``os:abort`` killed it,
``http.server:test`` served the working folder, ``builtins:breakpoint`` opened a debugger, and a
``payload.py`` committed inside the logbook ran. Here every one of those specs sits in a logbook
beside a study with a broken trial, and every command a pull request's workflow runs (check,
analyze, build, review) runs nothing and still reports the broken trial.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO, run_cli

ATTACKS = {
    "exit": "sys:exit",
    "abort": "os:abort",
    "serve": "http.server:test",
    "debugger": "builtins:breakpoint",
    "fork": "os:fork",
    "payload": "logbook.evil_payload.payload:make_workload",
    "payload_pkg": "logbook:make_workload",
}

PAYLOAD = """\
from pathlib import Path
Path({marker!r}).write_text("ran")
def make_workload():
    Path({marker!r}).write_text("ran")
"""

SPEC = """\
study_id: evil_{name}
title: A study that names code
goal: Make reportgen run code named by a file under logbook/.
workload:
  entry: "{entry}"
search_space:
- {{name: width, role: scientific, scale: discrete, values: [16, 64]}}
trial_budget: 2
max_train_steps: 10
eval_every: 5
"""


def git(repo: Path, *args: str) -> str:
    r = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return r.stdout.strip()


@pytest.fixture
def attacked(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose base commit holds a real study, and whose head adds, under logbook/
    only, a broken trial and one study per attack (with payload files beside them)."""
    repo = tmp_path / "repo"
    book = repo / "logbook"
    shutil.copytree(FIXTURES / "logbook", book)
    (repo / "pyproject.toml").write_text('[project]\nname = "mine"\nversion = "0"\n')
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "Test")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    marker = tmp_path / "ran.txt"
    for name, entry in ATTACKS.items():
        folder = book / f"evil_{name}"
        folder.mkdir()
        (folder / "study.yaml").write_text(SPEC.format(name=name, entry=entry))
        (folder / "payload.py").write_text(PAYLOAD.format(marker=str(marker)))
    (book / "__init__.py").write_text(PAYLOAD.format(marker=str(marker)))
    broken = sorted((book / "fixture-width" / "trials").glob("*.json"))[0]
    broken.write_text(broken.read_text().replace('"status": "complete"', '"status": "exploded"'))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "logbook-only change")
    return repo, marker


def _python_m(repo: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m reportgen`` from the repository root: the working folder is importable, as
    it is in a pull request's workflow (the payloads' import paths resolve)."""
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(repo.parent)}
    import os

    env.update({k: v for k, v in os.environ.items() if k.startswith("REPORTGEN_")})
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args], cwd=repo, env=env, capture_output=True,
        text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )


def test_check_imports_nothing_a_study_names(attacked):
    repo, marker = attacked
    r = _python_m(repo, "check")
    assert not marker.exists(), "a payload under logbook/ ran"
    assert r.returncode == 1, r.stdout + r.stderr  # the broken trial is still reported
    assert "fixture-width/trials/r1-s0-0000.json: status: Input should be" in r.stdout
    for name, entry in ATTACKS.items():
        line = next(x for x in r.stdout.splitlines() if f"evil_{name}/study.yaml" in x)
        assert "workload.entry: warning: not checked:" in line, line
        assert f"{entry!r} is not an allowed plugin" in line, line
        assert "[tool.reportgen]" in line and str(repo / "pyproject.toml") in line, line
    assert "Traceback" not in r.stderr


def test_analyze_build_and_review_import_nothing_a_study_names(attacked, tmp_path):
    repo, marker = attacked
    for name in ATTACKS:
        r = _python_m(repo, "analyze", f"evil_{name}")
        assert "Traceback" not in r.stderr, r.stderr
    r = _python_m(repo, "build", "--site", str(tmp_path / "site"), "--jobs", "1")
    assert r.returncode == 1, r.stderr  # the broken trial
    assert (tmp_path / "site" / "index.html").is_file()
    r = _python_m(
        repo, "review", "--base", "HEAD~1", "--head", "HEAD", "--out", str(tmp_path / "out"),
        "--no-charts",
    )
    assert "Traceback" not in r.stderr, r.stderr
    assert (tmp_path / "out" / "review.md").is_file()
    assert not marker.exists(), "a payload under logbook/ ran"


def test_an_allowed_plugin_is_imported_and_checked(tmp_path):
    """The owner's allow-list outside logbook/ lets `check` import the plugin and validate its
    settings; the console script finds a plugin beside the logbook without PYTHONPATH."""
    project = tmp_path / "project"
    book = project / "logbook"
    (book / "mine").mkdir(parents=True)
    (project / "my_plugin.py").write_text(
        "from pydantic import BaseModel, ConfigDict\n"
        "class Settings(BaseModel):\n"
        "    model_config = ConfigDict(extra='forbid')\n"
        "    width: int = 8\n"
        "class W:\n"
        "    name = 'my_plugin'\n"
        "    description = 'a plugin'\n"
        "    settings_model = Settings\n"
        "    shape_settings = ('width',)\n"
        "def make_workload():\n"
        "    return W()\n"
    )
    (book / "mine" / "study.yaml").write_text(
        SPEC.format(name="x", entry="my_plugin:make_workload")
        .replace("evil_x", "mine")
        .replace('"\n', '"\n  settings: {colour: red}\n', 1)
    )
    script = Path(sys.executable).parent / "reportgen"  # the console script, as a user runs it

    def check() -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        return subprocess.run(
            [str(script), "check", "--logbook", str(book)], cwd=tmp_path, env=env,
            capture_output=True, text=True, timeout=120,
        )

    r = check()
    assert "not an allowed plugin" in r.stdout, r.stdout + r.stderr
    assert r.returncode == 0, r.stdout + r.stderr
    (project / "pyproject.toml").write_text('[tool.reportgen]\nplugins = ["my_plugin"]\n')
    r = check()
    assert r.returncode == 1, r.stdout + r.stderr
    assert "workload.settings.colour: my_plugin has no setting 'colour'" in r.stdout, r.stdout


def test_an_allowed_name_that_resolves_inside_the_logbook_is_refused(tmp_path):
    project = tmp_path / "project"
    book = project / "logbook"
    (book / "mine").mkdir(parents=True)
    marker = tmp_path / "ran.txt"
    (book / "__init__.py").write_text(PAYLOAD.format(marker=str(marker)))
    (project / "pyproject.toml").write_text('[tool.reportgen]\nplugins = ["logbook"]\n')
    (book / "mine" / "study.yaml").write_text(
        SPEC.format(name="x", entry="logbook:make_workload").replace("evil_x", "mine")
    )
    r = run_cli("check", "--logbook", str(book), cwd=project)
    assert not marker.exists()
    assert "would be imported from inside the logbook folder" in r.stdout, r.stdout + r.stderr

"""The two how-to pages, walked as a reader pastes them: every ``reportgen`` and ``python -m``
command in their code blocks runs as written, with the console script, in a scratch copy of
the repository (its tracked files, without the published studies: the reader's own logbook),
on sources written by the real tools under the names the page uses. Installing (``pip``,
``git clone``, ``venv``) is what the test environment already did."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.journeys.docs_sources import importing_sources
from tests.journeys.helpers import SCRIPT

SKIP = ("pip ", "git clone", "python -m venv", "mkdir ")


def blocks(page: str, language: str) -> list[str]:
    """The code blocks of a page fenced with ``language`` ("" for plain ones)."""
    out, current, fence = [], [], None
    for line in (REPO / "docs" / page).read_text(encoding="utf-8").splitlines():
        if fence is None and line.startswith("```"):
            fence, current = line[3:].strip(), []
        elif fence is not None and line.startswith("```"):
            if fence == language:
                out.append("\n".join(current) + "\n")
            fence = None
        elif fence is not None:
            current.append(line)
    return out


def commands(page: str) -> list[str]:
    """The commands of a page's plain code blocks, continuation lines joined, comments cut,
    each once (the page's closing summary repeats commands a reader has run already)."""
    out = []
    for block in blocks(page, ""):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("  #", 1)[0].strip()
            if line.startswith(("reportgen ", "python -m ")):
                if line not in out:
                    out.append(line)
            else:
                assert not line or line.startswith(SKIP), f"{page}: a command the walk skips: {line}"
    return out


def run(line: str, cwd: Path) -> subprocess.CompletedProcess:
    args = shlex.split(line)
    exe = [str(SCRIPT)] if args[0] == "reportgen" else [sys.executable]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([*exe, *args[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                       timeout=900, stdin=subprocess.DEVNULL)  # fmt: skip
    assert "Traceback" not in r.stderr, (line, r.stderr)
    assert r.returncode == 0, (line, r.stdout + r.stderr)
    return r


def fresh_copy(dest: Path) -> Path:
    """The repository's files as a clone has them, without the published logbook."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=REPO, check=True,
        capture_output=True, text=True,
    ).stdout.splitlines()  # fmt: skip
    for rel in listed:
        if rel.startswith("logbook/") or not (REPO / rel).is_file():
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, dest / rel)
    (dest / "logbook").mkdir()
    return dest


def example_study(page: str, study_id: str) -> str:
    return next(b for b in blocks(page, "yaml") if b.startswith(f"study_id: {study_id}"))


def test_importing_md_as_pasted(tmp_path):
    importing_sources(tmp_path)
    lines = commands("importing.md")
    assert len(lines) == 5 and all(x.startswith("reportgen import ") for x in lines)
    for line in lines:
        run(line, tmp_path)
    r = run("reportgen check", tmp_path)
    assert "5 studies" in r.stderr


@pytest.mark.jax
def test_tune_your_own_model_md_as_pasted(tmp_path):
    page = "tune-your-own-model.md"
    repo = fresh_copy(tmp_path / "tuning-logbook")
    lines = commands(page)
    # 1. the plugin: save the study as the page says, then its commands
    (repo / "logbook" / "flax-digits-blocks").mkdir()
    (repo / "logbook" / "flax-digits-blocks" / "study.yaml").write_text(
        example_study(page, "flax-digits-blocks")
    )
    for line in lines:
        if "flax-digits-blocks" in line or line in ("reportgen check", "reportgen build"):
            run(line, repo)
    assert (repo / "site" / "studies" / "flax-digits-blocks" / "index.html").is_file()
    trials = list((repo / "logbook" / "flax-digits-blocks" / "trials").glob("*.json"))
    assert len(trials) == 8 + 3
    # 2. the loop: the study, a look at the next points, one completed from a curves file, the
    # example loop for the rest
    (repo / "logbook" / "numpy-digits-schedule").mkdir()
    (repo / "logbook" / "numpy-digits-schedule" / "study.yaml").write_text(
        example_study(page, "numpy-digits-schedule")
    )
    points = json.loads(run("reportgen suggest numpy-digits-schedule --count 4 --json", repo).stdout)
    assert [p["trial_id"] for p in points][-1] == "r1-s0-0003"
    (repo / "curves.json").write_text(json.dumps({
        "step": [25, 50, 75], "train_loss": [1.2, 0.8, 0.6], "valid_loss": [1.3, 0.9, 0.7],
        "valid_error": [0.4, 0.25, 0.2],
    }))  # fmt: skip
    for line in lines:
        if "numpy-digits-schedule" in line:
            run(line, repo)
    written = {p.stem for p in (repo / "logbook" / "numpy-digits-schedule" / "trials").glob("*.json")}
    assert "r1-s0-0003" in written and len(written) >= 5
    run("reportgen check", repo)

"""The study-review GitHub workflow: valid against the workflow schema, and doing what it says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "study-review.yml"


def test_workflow_matches_the_github_workflow_schema():
    beside = Path(sys.executable).parent / "check-jsonschema"
    exe = str(beside) if beside.exists() else shutil.which("check-jsonschema")
    if exe is None:
        pytest.skip("check-jsonschema is not installed (pip install -e '.[dev]')")
    r = subprocess.run(
        [exe, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_workflow_builds_reviews_uploads_and_comments_once():
    wf = yaml.safe_load(WORKFLOW.read_text())
    on = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as True
    assert on["pull_request"]["paths"] == ["logbook/**"]
    steps = wf["jobs"]["review"]["steps"]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "reportgen build" in runs and "reportgen review --base" in runs
    uploads = [
        s["with"]["path"] for s in steps if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert uploads == ["site", "review-out"]
    script = next(
        s["with"]["script"] for s in steps if s.get("uses", "").startswith("actions/github-script")
    )
    assert "updateComment" in script and "createComment" in script
    marker = "<!-- reportgen review: generated, do not edit -->"
    assert marker in script
    assert (REPO / "reportgen/templates/review.md.j2").read_text().startswith(marker)
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0


def test_workflow_checks_the_records_first_and_gates_on_the_check():
    """A study with an unknown workload or a broken trial fails the gate: `check` runs before
    anything else uses the logbook, and its status counts."""
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["review"]["steps"]
    runs = [s.get("run", "") for s in steps]
    first = next(i for i, r in enumerate(runs) if "reportgen " in r)
    assert "reportgen check" in runs[first]
    check = steps[first]
    gate = steps[-1]
    assert f"steps.{check['id']}.outputs.status != '0'" in gate["if"]
    assert "exit 1" in gate["run"]

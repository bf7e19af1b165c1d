"""`reportgen suggest` to look at the next points, as a user would. Before: every call claimed
its points for an hour (no dry run, no way to give them back); `open_suggested` silently took
over another owner's point; `git add -A` committed `.claims/` and `.suggested/`."""

from __future__ import annotations

import json
import subprocess

import pytest

from reportgen.errors import ReportgenError
from reportgen.logger import open_suggested
from tests.external_book import EXTERNAL_SPEC
from tests.journeys.helpers import reportgen


def _repo(tmp_path):  # type: ignore[no-untyped-def]
    (tmp_path / "logbook" / "numpy-digits").mkdir(parents=True)
    (tmp_path / "logbook" / "numpy-digits" / "study.yaml").write_text(EXTERNAL_SPEC)
    for args in (("init", "-q", "-b", "main"), ("config", "user.email", "t@example.com"),
                 ("config", "user.name", "Test")):  # fmt: skip
        subprocess.run(["git", *args], cwd=tmp_path, check=True)
    return tmp_path


def test_a_dry_run_claims_nothing_and_release_gives_points_back(tmp_path):
    repo = _repo(tmp_path)
    r = reportgen("suggest", "numpy-digits", "--count", "3", "--json", "--dry-run", cwd=repo)
    assert r.returncode == 0 and "dry run" in r.stderr, r.stderr
    looked = [p["trial_id"] for p in json.loads(r.stdout)]
    assert len(looked) == 3
    assert not (repo / "logbook" / "numpy-digits" / ".claims").exists()
    assert not (repo / "logbook" / "numpy-digits" / ".suggested").exists()
    r = reportgen("suggest", "numpy-digits", "--count", "3", "--json", cwd=repo)
    taken = [p["trial_id"] for p in json.loads(r.stdout)]
    assert taken == looked  # the dry run showed exactly what was then handed out
    r = reportgen("suggest", "numpy-digits", "--count", "3", "--json", cwd=repo)
    assert [p["trial_id"] for p in json.loads(r.stdout)] != taken  # claimed: others come next
    r = reportgen("release", "numpy-digits", *taken[:2], cwd=repo)
    assert r.returncode == 0 and r.stdout.split() == taken[:2], r.stderr
    r = reportgen("suggest", "numpy-digits", "--count", "2", "--json", cwd=repo)
    assert [p["trial_id"] for p in json.loads(r.stdout)] == taken[:2]  # handed out again at once
    r = reportgen("release", "numpy-digits", "r1-s0-0011", cwd=repo)
    assert r.returncode == 1 and "is not handed out" in r.stderr
    # the in-flight files never reach a commit
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    staged = subprocess.run(["git", "diff", "--cached", "--name-only"], cwd=repo, check=True,
                            capture_output=True, text=True).stdout.split()  # fmt: skip
    assert "logbook/numpy-digits/study.yaml" in staged and "logbook/.gitignore" in staged
    assert not [f for f in staged if "/.claims/" in f or "/.suggested/" in f], staged


def test_another_owners_point_is_taken_over_only_when_asked(tmp_path):
    repo = _repo(tmp_path)
    r = reportgen("suggest", "numpy-digits", "--owner", "alice", "--json", cwd=repo)
    (trial,) = [p["trial_id"] for p in json.loads(r.stdout)]
    book = repo / "logbook"
    with pytest.raises(ReportgenError, match="handed out to another owner"):
        open_suggested(book, "numpy-digits", trial, owner="bob", progress=False)
    with open_suggested(book, "numpy-digits", trial, owner="bob", take_over=True, progress=False) as t:
        t.log(25, train_loss=0.5, valid_loss=0.6, valid_error=0.2)
    assert t.record is not None
    r = reportgen("complete", "numpy-digits", trial, "--curves", "x.json", cwd=repo)
    assert r.returncode == 1  # written once, by bob

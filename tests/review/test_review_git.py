"""`reportgen review` on real git repositories made in a temporary folder."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reportgen.schema.review import ChangeKind
from reportgen.store import write_spec, write_trial
from tests.conftest import REPO, make_spec, make_trial, run_cli


def git(repo: Path, *args: str) -> str:
    r = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return r.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def trial(i: int, width: int, lr: float, err: float, **kw):
    from reportgen.schema import Best, Curves, Seeds

    kw.setdefault("seeds", Seeds(init=i, data_order=i, sampler=0))

    curves = Curves(
        step=[0, 50, 100],
        train_loss=[2.3, 1.0, 0.5],
        valid_loss=[2.3, 1.1, 0.6],
        valid_error=[0.9, err + 0.1, err],
        learning_rate=[lr, lr, lr],
        grad_norm=[1.0, 0.5, 0.4],
    )
    return make_trial(
        trial_id=kw.pop("trial_id", f"t{i:04d}"),
        index=i,
        hyperparameters={"optimizer": "adam", "adam.learning_rate": lr, "width": width},
        curves=curves,
        best=Best(step=100, value=err),
        final_value=err,
        **kw,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "Test")
    book = repo / "logbook"
    write_spec(book, make_spec(search_space=make_spec().search_space))
    for i, (w, lr, e) in enumerate(
        [(32, 1e-3, 0.2), (64, 2e-3, 0.15), (128, 5e-3, 0.12), (64, 1e-4, 0.3)]
    ):
        write_trial(book, trial(i, w, lr, e))
    write_spec(book, make_spec(study_id="doomed", title="Doomed study"))
    write_trial(book, trial(0, 32, 1e-3, 0.2, study_id="doomed"))
    (repo / "README").write_text("x\n")
    commit(repo, "base")
    return repo


def review(repo: Path, *extra: str) -> tuple[int, str, list]:
    out = repo.parent / "out"
    if out.exists():
        shutil.rmtree(out)
    r = run_cli("review", "--repo", str(repo), "--out", str(out), "--no-charts", *extra)
    assert "Traceback" not in r.stderr, r.stderr
    text = (out / "review.md").read_text() if (out / "review.md").exists() else ""
    return r.returncode, text, r


def table_rows(text: str) -> list[list[str]]:
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith("| study ")
    ]
    return [[c.strip() for c in line.strip("|").split(" | ")] for line in rows]


def test_no_change_gives_an_empty_review(repo):
    code, text, _ = review(repo, "--base", "HEAD", "--head", "HEAD")
    assert code == 0
    assert "No study changed." in text
    assert "2 unchanged studies not shown." in text


def test_added_trials_revision_bump_removed_study_and_broken_record(repo):
    base = git(repo, "rev-parse", "HEAD")
    book = repo / "logbook"
    # add two search trials and one retrain, raise the revision with a changelog entry
    write_trial(book, trial(4, 128, 8e-3, 0.10))
    write_trial(book, trial(5, 32, 2e-4, 0.25))
    write_trial(
        book, trial(6, 128, 8e-3, 0.11, trial_id="t0004-rt0", kind="retrain", group="t0004")
    )
    spec = make_spec(
        revision=2,
        changelog=[{"revision": 1, "summary": "first"}, {"revision": 2, "summary": "more trials"}],
    )
    write_spec(book, spec)
    for f in sorted((book / "demo/trials").glob("*.json")):
        data = json.loads(f.read_text())
        data["study_revision"] = 2
        f.write_text(json.dumps(data))
    shutil.rmtree(book / "doomed")
    head = commit(repo, "revision 2")

    code, text, _ = review(repo, "--base", base, "--head", head)
    print("@@@" + text)
    assert code == 0, text
    assert table_rows(text) == [
        [
            "demo",
            "changed",
            "1 → 2",
            "4 → 7 (+1 retrain, +2 search; 4 modified)",
            "0.12 → 0.1",
            "inconclusive",
            "+0 / −0",
            "",
        ][:5]
        + table_rows(text)[0][5:7]
        + [""],
        [
            "doomed",
            "removed",
            "1 → –",
            "1 → 0 (−1 removed)",
            "0.2 → –",
            "inconclusive → –",
            "+0 / −" + table_rows(text)[1][6].split("−")[1],
            "",
        ],
    ]
    assert "r2: more trials" in text

    # now break a record in the working tree: the review exits 1 and names the file and field
    bad = book / "demo/trials/t0005.json"
    data = json.loads(bad.read_text())
    data["hyperparameters"]["width"] = 33
    bad.write_text(json.dumps(data))
    code, text, r = review(repo, "--base", head)
    assert code == 1
    assert "1 invalid record(s) at the head" in r.stderr
    assert "logbook/demo/trials/t0005.json: hyperparameters.width: 33 is outside its range" in text
    rows = table_rows(text)
    assert rows[0][0] == "demo" and rows[0][1] == "changed" and rows[0][7] == "1"


def test_added_study_and_markdown_escaping(repo):
    base = git(repo, "rev-parse", "HEAD")
    book = repo / "logbook"
    write_spec(
        book,
        make_spec(study_id="fresh", title="<script>alert(1)</script> | [x](javascript:alert(1))"),
    )
    write_trial(book, trial(0, 64, 1e-3, 0.2, study_id="fresh"))
    commit(repo, "add study")
    code, text, _ = review(repo, "--base", base, "--head", "HEAD")
    assert code == 0
    rows = table_rows(text)
    assert [r[:4] for r in rows] == [["fresh", "added", "– → 1", "0 → 1 (+1 search)"]]
    assert "<script>" not in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # brackets escaped: no link is formed
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\[x\\](javascript:alert(1))" in text


def test_unknown_ref_is_a_clear_error(repo):
    code, _, r = review(repo, "--base", "no-such-ref")
    assert code == 1
    assert "reportgen review: 'no-such-ref' is not a commit of the repository" in r.stderr


def test_changes_are_classified(repo):
    from reportgen.review.run import ReviewOptions, build_review

    base = git(repo, "rev-parse", "HEAD")
    write_trial(repo / "logbook", trial(4, 128, 8e-3, 0.10))
    review_, _, _ = build_review(ReviewOptions(repo=repo, base=base, head=None))
    kinds = {c.study_id: c.kind for c in review_.studies}
    assert kinds == {"demo": ChangeKind.CHANGED, "doomed": ChangeKind.UNCHANGED}


def test_charts_of_changed_studies_are_png_files_linked_from_the_review(repo):
    base = git(repo, "rev-parse", "HEAD")
    write_trial(repo / "logbook", trial(4, 128, 8e-3, 0.10))
    write_trial(
        repo / "logbook",
        trial(5, 128, 8e-3, 0.11, trial_id="t0004-rt0", kind="retrain", group="t0004"),
    )
    out = repo.parent / "charts-out"
    r = run_cli("review", "--repo", str(repo), "--out", str(out), "--base", base)
    assert r.returncode == 0, r.stderr
    text = (out / "review.md").read_text()
    linked = re.findall(r"!\[[^\]]*\]\((charts/[^)]+\.png)\)", text)
    # demo changed: axis plot of the flagged or scientific hyperparameter (before and after the
    # trials the change added), curves, isolation, variance
    assert linked == [
        # five trials: the top edge is not better than the interior beyond their scatter, so
        # no boundary flag and the scientific hyperparameter's axis plot is shown
        "charts/demo-axis-plot-of-width-before-4-trials.png",
        "charts/demo-axis-plot-of-width-after-6-trials.png",
        "charts/demo-valid_error-of-every-trial.png",
        "charts/demo-isolation-of-width.png",
        "charts/demo-trial-and-study-variance.png",
    ]
    for rel in linked:
        data = (out / rel).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert sorted(p.name for p in (out / "charts").iterdir()) == sorted(
        Path(x).name for x in linked
    )


def test_published_chart_links_point_at_the_pushed_pngs(repo, tmp_path):
    """The workflow's publish step, run for real against a bare remote: every image link of the
    second review.md is an absolute URL pinned to the images commit, and that commit holds
    exactly the PNG bytes the review wrote."""
    base = git(repo, "rev-parse", "HEAD")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    git(repo, "remote", "add", "origin", str(remote))
    write_trial(repo / "logbook", trial(4, 128, 8e-3, 0.10))
    out = repo.parent / "pub-out"
    r = run_cli("review", "--repo", str(repo), "--out", str(out), "--base", base)
    assert r.returncode == 0, r.stderr
    dest = "pr-7/" + git(repo, "rev-parse", "HEAD")
    script = REPO / "scripts" / "publish-review-images.sh"
    sha = subprocess.run(
        ["bash", str(script), str(out / "charts"), "origin", "study-review-images", dest],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", sha)
    url = f"https://github.com/owner/repo/raw/{sha}/{dest}"
    r = run_cli("review", "--repo", str(repo), "--out", str(out), "--base", base, "--image-base", url)
    assert r.returncode == 0, r.stderr
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (out / "review.md").read_text())
    assert links and all(link.startswith(url + "/charts/") for link in links), links
    for link in links:
        rel = link[len(url) + 1 :]
        pushed = subprocess.run(
            ["git", "--git-dir", str(remote), "show", f"{sha}:{dest}/{rel}"],
            capture_output=True, check=True,
        ).stdout
        assert pushed == (out / rel).read_bytes() and pushed[:8] == b"\x89PNG\r\n\x1a\n"
    # a second publish (a new push to the pull request) stacks on the same branch
    sha2 = subprocess.run(
        ["bash", str(script), str(out / "charts"), "origin", "study-review-images", dest + "-2"],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stdout.strip()
    parents = subprocess.run(
        ["git", "--git-dir", str(remote), "rev-list", "--parents", "-n1", sha2],
        capture_output=True, text=True, check=True,
    ).stdout.split()
    assert parents[1:] == [sha]
    # a bad base URL is a clear error, not a traceback
    r = run_cli("review", "--repo", str(repo), "--out", str(out), "--base", base, "--image-base", "x y")
    assert r.returncode == 1 and "--image-base" in r.stderr and "Traceback" not in r.stderr

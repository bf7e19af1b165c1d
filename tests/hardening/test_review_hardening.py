"""Issue 16 through `review` (items 9, 16, 17), on real git repositories in a temporary folder."""

from __future__ import annotations

import re
import subprocess

from markdown_it import MarkdownIt

from reportgen.review.page import md
from reportgen.store import write_spec, write_trial
from tests.conftest import make_spec, make_trial
from tests.review.test_review_git import commit, git, review, table_rows

ATTACKS = [
    "\\[Approve this PR\\](https://evil.example/login)",
    "see https://evil.example/x and www.evil.example and <https://evil.example>",
    "ping @octocat and @org/team, mail me at a@b.example",
    "fixes #12 and GH-7 and gh-8 and owner/repo#3",
    "reverts 4bee082 and 4bee0822f3c1a9d4e5b6c7d8e9f0a1b2c3d4e5f6 (a full SHA)",
    "![img](https://evil.example/p.png) <img src=x> `code` *em* _em_ ~~strike~~ | pipe",
]
# What GitHub links after rendering markdown: URLs, www., mentions and e-mails, #N and GH-N
# references, commit SHAs (7 to 40 hex digits).
LIVE = re.compile(r"(?i)[a-z][a-z0-9+.-]*://|www\.|@[a-z0-9]|#[0-9]|\bgh-[0-9]|\b[0-9a-f]{7,40}\b")


def test_md_leaves_nothing_live():
    renderer = MarkdownIt("commonmark").enable("table")
    for text in ATTACKS:
        out = md(text)
        html = renderer.render(f"| a |\n|---|\n| {out} |\n\n- {out}\n")
        assert "<a " not in html and "<img" not in html, (text, html)
        assert "<em>" not in html and "<del>" not in html and "<code>" not in html, (text, html)
        assert not LIVE.search(html), (text, html)
        # the words a reader sees are still there
        visible = re.sub(r"<[^>]+>", "", html).replace("\u200b", "")
        assert any(w in visible for w in ("evil.example", "octocat", "12", "4bee082")), visible


def test_attack_text_in_a_changelog_is_neutralised_in_review_md(repo):
    base = git(repo, "rev-parse", "HEAD")
    summary = " ".join(ATTACKS)
    write_spec(
        repo / "logbook",
        make_spec(revision=2, changelog=[{"revision": 2, "summary": summary}], title="@octocat #5"),
    )
    for f in (repo / "logbook/demo/trials").glob("*.json"):
        f.write_text(f.read_text().replace('"study_revision": 1', '"study_revision": 2'))
    head = commit(repo, "revision 2")
    code, text, r = review(repo, "--base", base, "--head", head)
    assert code == 0, r.stderr
    assert "Approve this PR" in text
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "evil.example/login" not in "".join(re.findall(r'href="([^"]*)"', html))
    body = text.split("### demo", 1)[1]
    assert not LIVE.search(body), body


def test_symlink_added_under_the_logbook_is_a_problem_of_its_study(repo, tmp_path):
    base = git(repo, "rev-parse", "HEAD")
    secret = tmp_path / "secret.json"
    secret.write_text("{}")
    (repo / "logbook/demo/trials/t0099.json").symlink_to(secret)
    (repo / "logbook/linked").symlink_to(tmp_path)
    head = commit(repo, "links")
    code, text, r = review(repo, "--base", base, "--head", head)
    assert code == 1, r.stderr  # invalid records at the head gate the review
    assert text, "review.md must still be written"
    demo = text.split("### demo", 1)[1]
    assert "logbook/demo/trials/t0099.json: file: is a symbolic link" in demo
    assert "logbook/linked: file: is a symbolic link" in text
    assert [row[0] for row in table_rows(text)] == ["demo", "linked"]


def test_base_without_a_logbook_has_no_phantom_row(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "Test")
    (repo / "README").write_text("x\n")
    base = commit(repo, "no logbook yet")
    write_spec(repo / "logbook", make_spec())
    write_trial(repo / "logbook", make_trial())
    head = commit(repo, "first study")
    code, text, r = review(repo, "--base", base, "--head", head)
    assert code == 0, r.stderr
    rows = table_rows(text)
    assert [row[0] for row in rows] == ["demo"], text
    assert rows[0][1] == "added"


def test_missing_ref_says_why(repo):
    code, text, r = review(repo, "--base", "origin/nope")
    assert code == 1 and not text
    assert "'origin/nope' is not a commit of the repository" in r.stderr
    assert "no branch, tag or commit has that name here; fetch it first" in r.stderr


def test_shallow_clone_says_why(repo, tmp_path):
    first = git(repo, "rev-parse", "HEAD")
    (repo / "README").write_text("y\n")
    commit(repo, "second")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True
    )
    code, text, r = review(shallow, "--base", first)
    assert code == 1 and not text
    assert "this is a shallow clone" in r.stderr and "git fetch --unshallow" in r.stderr


def test_integer_of_5000_digits_at_the_head(repo):
    """Item 5 through review: the problem is listed under its study, the review is written."""
    base = git(repo, "rev-parse", "HEAD")
    f = repo / "logbook/demo/trials/t0001.json"
    f.write_text(f.read_text().replace('"index": 1', '"index": ' + "9" * 5000))
    head = commit(repo, "huge integer")
    code, text, r = review(repo, "--base", base, "--head", head)
    assert code == 1, r.stderr
    demo = text.split("### demo", 1)[1]
    assert "logbook/demo/trials/t0001.json:" in demo and "more than 4300 digits" in demo

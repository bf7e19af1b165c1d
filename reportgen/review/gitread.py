"""Read the logbook as it was at a git revision, without touching the user's working tree.

``git archive <ref> -- <logbook>`` streams the committed files, which are unpacked into a
temporary folder; the working tree (``ref=None``) is read in place.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import Problem, ReportgenError


@dataclass(frozen=True)
class Revision:
    """A resolved side of the comparison: the ref as given, its commit (or None for the worktree)."""

    ref: str
    commit: str | None

    @property
    def label(self) -> str:
        return f"{self.ref} ({self.commit[:10]})" if self.commit else f"{self.ref} (working tree)"


def _git(repo: Path, *args: str) -> bytes:
    try:
        r = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError as e:
        raise ReportgenError("git is not installed") from e
    if r.returncode != 0:
        raise ReportgenError(f"git {' '.join(args)}: {r.stderr.decode(errors='replace').strip()}")
    return r.stdout


def repo_root(path: Path) -> Path:
    return Path(_git(path, "rev-parse", "--show-toplevel").decode().strip())


def resolve(repo: Path, ref: str | None) -> Revision:
    if ref is None:
        return Revision("HEAD+worktree", None)
    try:
        commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    except ReportgenError:
        raise ReportgenError(_unknown_ref(repo, ref)) from None
    return Revision(ref, commit)


def _unknown_ref(repo: Path, ref: str) -> str:
    """Why a ref does not resolve, and what to do about it."""
    msg = f"{ref!r} is not a commit of the repository {repo}"
    try:
        shallow = _git(repo, "rev-parse", "--is-shallow-repository").decode().strip() == "true"
    except ReportgenError:
        shallow = False
    if shallow:
        return (
            f"{msg}: this is a shallow clone, so the history that holds it was not fetched; "
            "run `git fetch --unshallow origin` (in GitHub Actions: actions/checkout with "
            "fetch-depth: 0) and try again"
        )
    return (
        f"{msg}: no branch, tag or commit has that name here; fetch it first "
        f"(e.g. `git fetch origin`, then --base origin/main)"
    )


def export_logbook(
    repo: Path, rev: Revision, logbook_rel: str, dest: Path
) -> tuple[Path, list[Problem]]:
    """The logbook folder at ``rev``: unpacked under ``dest`` for a commit, in place for the worktree.

    A revision without the logbook folder gives an empty folder (every study counts as added).
    Symbolic links are not unpacked: each comes back as a problem of the study that holds it.
    """
    if rev.commit is None:
        return repo / logbook_rel, []
    out = dest / rev.commit
    out.mkdir(parents=True, exist_ok=True)
    listed = (
        _git(repo, "ls-tree", "-d", "--name-only", rev.commit, "--", logbook_rel).decode().strip()
    )
    if not listed:
        (out / logbook_rel).mkdir(parents=True, exist_ok=True)
        return out / logbook_rel, []
    data = _git(repo, "archive", "--format=tar", rev.commit, "--", logbook_rel)
    links: list[str] = []

    def no_links(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
        if member.issym() or member.islnk():
            links.append(member.name)
            return None
        return tarfile.data_filter(member, path)

    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(out, filter=no_links)
    except (tarfile.TarError, OSError) as e:
        raise ReportgenError(f"cannot unpack {logbook_rel} at {rev.label}: {e}") from None
    (out / logbook_rel).mkdir(parents=True, exist_ok=True)
    problems = [
        Problem(
            str(out / name),
            None,
            "file",
            "is a symbolic link; a study holds only plain files (a link can point outside the "
            "logbook)",
        )
        for name in sorted(links)
    ]
    return out / logbook_rel, problems

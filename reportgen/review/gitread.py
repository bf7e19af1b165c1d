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

from reportgen.errors import ReportgenError


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
    commit = _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").decode().strip()
    return Revision(ref, commit)


def export_logbook(repo: Path, rev: Revision, logbook_rel: str, dest: Path) -> Path:
    """The logbook folder at ``rev``: unpacked under ``dest`` for a commit, in place for the worktree.

    A revision without the logbook folder gives an empty folder (every study counts as added).
    """
    if rev.commit is None:
        return repo / logbook_rel
    out = dest / rev.commit
    out.mkdir(parents=True, exist_ok=True)
    listed = (
        _git(repo, "ls-tree", "-d", "--name-only", rev.commit, "--", logbook_rel).decode().strip()
    )
    if not listed:
        return out / logbook_rel
    data = _git(repo, "archive", "--format=tar", rev.commit, "--", logbook_rel)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(out, filter="data")
    return out / logbook_rel

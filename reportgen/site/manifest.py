"""The build manifest (``<docs>/studies/.manifest.json``): what was rendered from which records.

A study's *signature* is a digest of the names and contents of its files. Contents are hashed
only for files whose (size, mtime, ctime, inode) changed since the last build (the manifest
keeps each file's last stat and content digest), so an unchanged study costs one ``stat`` per
file, and an edit that keeps the size and restores the modification time is still seen (the
change time cannot be set back). The manifest keeps,
per study, that signature, the generator digest, the files written and the study's row of the
index. The digest of the docs tree a site was built from lives in the site's own marker file
(``site/output.py``), so a build with nothing changed skips MkDocs too. The manifest file starts with '.', which MkDocs ignores.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.errors import ReportgenError
from reportgen.store.record_cache import racy
from reportgen.store.write import atomic_write_text

MANIFEST_NAME = ".manifest.json"
FORMAT = 2


def study_signature(
    folder: Path,
    cache: dict[str, list] | None = None,  # type: ignore[type-arg]
    *,
    read: bool = True,
) -> tuple[str | None, dict[str, list]]:  # type: ignore[type-arg]
    """Digest of (relative path, content digest) of every file under a study folder.

    ``cache`` maps a relative path to ``[size, mtime_ns, ctime_ns, inode, sha256]`` from the
    last build; a file whose stat is unchanged is not read again. Returns the signature and the
    cache entries of this folder. A file that is not a regular file (a FIFO, a socket) is named
    in the digest but never opened, so it cannot block the build.

    With ``read=False`` no file is read: when one would have to be (new, or its stat changed)
    the signature is None. The build then renders the study, and the worker that renders it
    signs it with ``read=True`` (so a clean build reads each record in the workers, not first
    in the main process too).
    """
    cache = cache or {}
    seen: dict[str, list] = {}  # type: ignore[type-arg]
    # os.scandir with relative paths built by concatenation: a third of os.walk + relpath's
    # time over the 20 000 trial files of a 100-study logbook, which every build stats
    stack = [(os.fspath(folder), "")]
    while stack:
        path, prefix = stack.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            rel = prefix + entry.name
            try:
                if entry.is_dir():
                    # dot-folders (the claims of running workers) are not records: they never
                    # force a rebuild; like os.walk, a link to a folder is not followed
                    if not entry.name.startswith(".") and not entry.is_symlink():
                        stack.append((entry.path, rel + os.sep))
                    continue
                st = entry.stat()
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                seen[rel] = [*_stat_key(st), f"special:{stat.S_IFMT(st.st_mode)}"]
            else:
                seen[rel] = _cached_sha(entry.path, st, cache.get(rel), read)
    if any(v[4] is None for v in seen.values()):
        return None, seen
    h = hashlib.sha256()
    for rel in sorted(seen):
        h.update(f"{rel}\0{seen[rel][4]}\n".encode())
    return h.hexdigest(), seen


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _cached_sha(path: str, st: os.stat_result, old: list | None, read: bool = True) -> list:  # type: ignore[type-arg]
    """``[size, mtime_ns, ctime_ns, inode, sha256]`` of a regular file: the cached entry
    ``old`` while its stat is unchanged, else the file is read and hashed (sha256 None when
    ``read`` is False)."""
    key = _stat_key(st)
    if old is not None and old[:4] == key:
        return old
    return [*key, _file_sha(path) if read else None]


def _file_sha(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()  # one reused buffer
    except OSError as e:
        return f"unreadable:{e.errno}"


@dataclass
class StudyEntry:
    signature: str
    generator: str
    digest: str
    files: list[str]
    row: dict[str, Any]
    date: str = ""
    stats: dict[str, list] = field(default_factory=dict)  # type: ignore[type-arg]  # path -> stat + sha


@dataclass
class Manifest:
    studies: dict[str, StudyEntry] = field(default_factory=dict)
    # docs-relative path -> stat + sha256 of the docs files at the last build (`file_digests`)
    docs: dict[str, list] = field(default_factory=dict)  # type: ignore[type-arg]
    # when the stats above were taken (the start of the build; just before the docs were
    # hashed): a stat taken in the clock tick of an edit may not show it (`trusted`)
    records_stat_ns: int = 0
    docs_stat_ns: int = 0
    # what the file held when loaded, but the stat times: a build that changed nothing else
    # writes nothing (`mkdocs serve` reloads every open page on any write under docs/)
    loaded: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return cls()
            return cls(
                studies={k: StudyEntry(**v) for k, v in data["studies"].items()},
                docs=dict(data.get("docs", {})),
                records_stat_ns=int(data.get("records_stat_ns", 0)),
                docs_stat_ns=int(data.get("docs_stat_ns", 0)),
                loaded=_without_times(data),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return cls()  # no manifest or an unreadable one: rebuild everything

    def save(self, path: Path) -> None:
        """Write the manifest, unless only its stat times would change: the older times it
        keeps only make a few recently changed files count as racy (hashed again)."""
        data = {
            "format": FORMAT,
            "studies": {k: self.studies[k].__dict__ for k in sorted(self.studies)},
            "docs": dict(sorted(self.docs.items())),
            "records_stat_ns": self.records_stat_ns,
            "docs_stat_ns": self.docs_stat_ns,
        }
        text = json.dumps(data, indent=1, sort_keys=True) + "\n"
        if self.loaded is not None and self.loaded == _without_times(json.loads(text)):
            return
        atomic_write_text(Path(path), text)
        self.loaded = _without_times(json.loads(text))


def _without_times(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("records_stat_ns", "docs_stat_ns")}


def trusted(cache: dict[str, list], stat_ns: int) -> dict[str, list]:  # type: ignore[type-arg]
    """The entries of ``cache`` whose stat can stand for their content (taken at ``stat_ns``,
    not `racy`); the others are hashed again."""
    return {rel: e for rel, e in cache.items() if not racy(e[2], stat_ns)}


def file_digests(
    root: Path,
    skip: tuple[str, ...] = (MANIFEST_NAME,),
    cache: dict[str, list] | None = None,  # type: ignore[type-arg]
) -> tuple[dict[str, str], dict[str, list]]:  # type: ignore[type-arg]
    """sha256 of every file under ``root`` (the docs the site is built from) by its
    '/'-separated relative path, in walk order; and the entries for ``cache`` next time.

    ``cache`` maps a relative path to ``[size, mtime_ns, ctime_ns, inode, sha256]`` from the
    last build, as for the records (`study_signature`): a file whose stat is unchanged is not
    read again, so a build after one study changed hashes that study's pages, not the 100 MB
    of every other page. Raises ``ReportgenError`` on anything that is not a regular file or
    folder (a FIFO would block the read, and MkDocs could not copy it).
    """
    cache = cache or {}
    out: dict[str, str] = {}
    seen: dict[str, list] = {}  # type: ignore[type-arg]
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name in skip:
                continue
            p = Path(dirpath) / name
            st = check_regular(p)
            rel = p.relative_to(root).as_posix()
            seen[rel] = _cached_sha(str(p), st, cache.get(rel))
            out[rel] = seen[rel][4]
            if out[rel].startswith("unreadable:"):
                raise ReportgenError(f"{p}: cannot read ({out[rel]})")
    return out, seen


def digest_of(digests: dict[str, str]) -> str:
    """The tree digest of ``file_digests`` (paths and contents, in walk order)."""
    h = hashlib.sha256()
    for rel, sha in digests.items():
        h.update(rel.encode() + b"\0")
        h.update(bytes.fromhex(sha))
    return h.hexdigest()


def check_regular(path: Path) -> os.stat_result:
    """Refuse a docs entry that is not a regular file (FIFO, socket, device): it would hang.
    Returns its stat."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise ReportgenError(f"{path}: cannot read: {e.strerror}") from None
    mode = st.st_mode
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        raise ReportgenError(f"{path}: {kind}; only regular files can be published (remove it)")
    return st

"""The build manifest (``<docs>/studies/.manifest.json``): what was rendered from which records.

A study's *signature* is a cheap digest of the names, sizes and modification times of its
files, so an unchanged study is recognised without reading its records. The manifest keeps,
per study, that signature, the generator digest, the files written and the study's row of the
index. It also remembers the digest of the docs tree the site was last built from, so a build
with nothing changed skips MkDocs too. The manifest file starts with '.', which MkDocs ignores.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.store.write import atomic_write_text

MANIFEST_NAME = ".manifest.json"
FORMAT = 1


def study_signature(folder: Path) -> str:
    """Digest of (relative path, size, mtime) of every file under a study folder."""
    h = hashlib.sha256()
    entries = []
    for dirpath, dirnames, filenames in os.walk(folder):
        # dot-folders (the claims of running workers) are not records: they never force a rebuild
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            p = os.path.join(dirpath, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            entries.append(f"{os.path.relpath(p, folder)}\0{st.st_size}\0{st.st_mtime_ns}")
    for e in sorted(entries):
        h.update(e.encode() + b"\n")
    return h.hexdigest()


@dataclass
class StudyEntry:
    signature: str
    generator: str
    digest: str
    files: list[str]
    row: dict[str, Any]
    date: str = ""


@dataclass
class Manifest:
    studies: dict[str, StudyEntry] = field(default_factory=dict)
    site_docs_digest: str = ""
    site_dir: str = ""

    @classmethod
    def load(cls, path: Path) -> Manifest:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return cls()
            return cls(
                studies={k: StudyEntry(**v) for k, v in data["studies"].items()},
                site_docs_digest=data.get("site_docs_digest", ""),
                site_dir=data.get("site_dir", ""),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return cls()  # no manifest or an unreadable one: rebuild everything

    def save(self, path: Path) -> None:
        data = {
            "format": FORMAT,
            "studies": {k: self.studies[k].__dict__ for k in sorted(self.studies)},
            "site_docs_digest": self.site_docs_digest,
            "site_dir": self.site_dir,
        }
        atomic_write_text(Path(path), json.dumps(data, indent=1, sort_keys=True) + "\n")


def tree_digest(root: Path, skip: tuple[str, ...] = (MANIFEST_NAME,)) -> str:
    """Digest of every file's path and bytes under ``root`` (the docs the site is built from)."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name in skip:
                continue
            p = Path(dirpath) / name
            h.update(str(p.relative_to(root)).encode() + b"\0")
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()

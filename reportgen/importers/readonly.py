"""Importers only read their source: each tool's library opens a private snapshot of it.

Optuna's and MLflow's libraries write to what they open (Optuna adds its tables to any SQLite
file and creates a database for a mistyped URL; MLflow's file store adds ``.trash/`` and a
default experiment; their SQL stores run migrations). So a local source is never handed to
them: an SQLite file is copied with SQLite's own backup API from a read-only connection (a
consistent copy even while a sweep still writes) and a folder is copied, and
the library reads the copy in a temporary folder that is removed afterwards. An Optuna journal
file, which Optuna only appends to when a study is written, is read in place once it is known to
exist. Probing a file's kind reads its first 16 bytes only.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from reportgen.errors import ReportgenError

SQLITE_MAGIC = b"SQLite format 3\x00"


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A private temporary folder for snapshots, removed whatever happens."""
    with tempfile.TemporaryDirectory(prefix="reportgen-import-") as tmp:
        yield Path(tmp)


def is_sqlite(path: Path) -> bool:
    """Whether ``path`` starts like an SQLite database (reads 16 bytes, whatever its size)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)


def sqlite_tables(path: Path, what: str = "an SQLite database") -> set[str]:
    """The tables of an SQLite file, read through a read-only connection."""
    try:
        with contextlib.closing(_read_only(path)) as db:
            return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as e:
        raise ReportgenError(f"{path}: cannot be read as {what}: {e}") from None


def sqlite_snapshot(path: Path, into: Path, what: str = "an SQLite database") -> Path:
    """A consistent copy of an SQLite file in ``into`` (the source opened read-only)."""
    copy = into / "snapshot.db"
    try:
        with contextlib.closing(_read_only(path)) as src, contextlib.closing(
            sqlite3.connect(copy)
        ) as dst:
            src.backup(dst)
    except sqlite3.Error as e:
        raise ReportgenError(f"{path}: cannot be read as {what}: {e}") from None
    return copy


def sqlite_path(url: str) -> Path | None:
    """The local file of an ``sqlite:`` URL (None for an in-memory or non-SQLite URL)."""
    for prefix in ("sqlite:////", "sqlite:///"):
        if url.startswith(prefix):
            rest = url[len("sqlite:///") :].split("?", 1)[0]
            return Path(rest) if rest else None
    return None


def existing_file(path: Path, shown: str) -> Path:
    if not path.is_file():
        raise ReportgenError(f"{shown}: no such file (nothing was created)")
    return path


def folder_snapshot(folder: Path, into: Path, empty: tuple[str, ...] = ()) -> Path:
    """A copy of ``folder`` in ``into``, following symbolic links (a run kept elsewhere and
    linked in is read like the others); subfolders named in ``empty`` are copied empty."""
    copy = into / "snapshot"

    def ignore(where: str, names: list[str]) -> list[str]:
        return names if Path(where).name in empty else []

    try:
        shutil.copytree(folder, copy, symlinks=False, ignore=ignore)
    except (OSError, shutil.Error, RecursionError) as e:
        raise ReportgenError(f"{folder}: cannot be read whole: {e}") from None
    return copy

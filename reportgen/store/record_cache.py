"""Validated trial records kept between runs, outside the logbook: an unchanged file is not parsed again.

Parsing is most of what loading a study costs (0.6–0.8 ms per 1000-point record: pydantic
turning JSON text into floats, and the pre-pass that refuses duplicate keys). The cache keeps,
per study folder, every trial record that parsed and validated, with the file's stat
(size, mtime, ctime, inode) and content digest. A file whose stat is unchanged loads from the
cache; any other file is read and parsed as usual. What the cache returns is the record the
same bytes gave, so `load_study` finds the same problems and the same digest either way.

Where: ``records/`` in ``$REPORTGEN_CACHE_DIR`` when set (``off`` turns the cache off), else
in ``$XDG_CACHE_HOME/reportgen``, else in ``~/.cache/reportgen``: never inside the logbook, so
a repository cannot plant an entry. One folder per study folder (named by a digest of its
absolute path) holds:

- ``folder.txt``: the study folder's path (the cache of a folder that is gone is dropped when
  another study is cached for the first time);
- ``index.json``: the cache format, a digest of the code that parses records (a new schema or
  parser empties the cache), and per trial file its stat, content digest, the record without
  its curves (JSON, as the file wrote it) and where its curves sit;
- ``seg-<token>.bin``: the curves of the records added by one load, as raw 8-byte values
  (the bytes of the `Column` buffers, this machine's byte order).

Nothing in it can execute: JSON and raw numbers, read back through the schema's models (the
record's own validators run again; only the curves, validated when first parsed, are taken as
they were stored). Each entry is sealed (`store.cache_seal`: a keyed digest of its folder,
file name, stat, content digest, record and curve bytes, with the cache folder's private key)
and checked on every read, so random bytes in a segment or an edited entry are a miss, not a
wrong curve. Only regular files are opened, never through a link. A missing, torn, forged or
foreign cache is a miss, never an error.

A file changed within the same clock tick as the moment it was cached could keep its stat; as
git does for its index, an entry whose change time is not clearly older than the moment it was
cached is trusted only after the file's content digest is checked again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from reportgen.schema import TrialRecord
from reportgen.schema.columns import Column, empty_floats, shared_steps
from reportgen.schema.trial import Curves
from reportgen.store.cache_seal import Sealer, open_regular, read_regular, sealer

CACHE_ENV = "REPORTGEN_CACHE_DIR"
FORMAT = 3
INDEX_LIMIT = 1 << 30  # bytes: far above the index of a 100 000-trial study
INDEX_NAME = "index.json"
SWEPT_NAME = ".swept"  # in the cache root: when gone folders were last looked for
SWEEP_EVERY_S = 3600
FOLDER_NAME = "folder.txt"  # the study folder cached here, to forget it once it is gone
MAX_SEGMENTS = 32
RACY_NS = 2_000_000_000  # entries changed less than this before they were cached are re-hashed
_COLUMN_FIELDS = tuple(name for name in Curves.model_fields if name != "extra")
_PARSING_CODE = ("schema", "store")
_TOKEN = re.compile(r"^[0-9a-f]{16}$")  # segment names: seg-<token>.bin, never a path  # the code that decides what a file's bytes load as


def cache_root() -> Path | None:
    """reportgen's cache folder (records in ``records/``, kept analyses in ``analyses/``, chart
    templates in ``charts/``), or None when ``REPORTGEN_CACHE_DIR=off``."""
    env = os.environ.get(CACHE_ENV)
    if env is not None and env.strip():
        return None if env.strip().lower() in ("off", "0", "no", "false") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reportgen"


@lru_cache(maxsize=8)
def sources_digest(parts: tuple[str, ...], salt: str) -> str:
    """A digest of ``salt`` and the ``.py`` sources of the package's subpackages ``parts``: what
    a kept result was computed by (a code change starts every cache that names it afresh)."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(salt.encode())
    for part in parts:
        for f in sorted((package / part).glob("*.py")):
            h.update(f"{part}/{f.name}\0".encode() + hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


# the numeric libraries a kept analysis is computed with: another version starts afresh
ANALYSIS_LIBRARIES = ("numpy", "scipy", "pandas", "scikit-learn", "pydantic-core")


def versions_of(names: tuple[str, ...]) -> list[str]:
    """``name=version`` of each installed distribution of ``names`` (missing ones left out)."""
    from importlib import metadata

    versions = []
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{name}={metadata.version(name)}")
    return versions


def code_digest() -> str:
    """A digest of what turns a file's bytes into a record: the schema and store code, pydantic."""
    import pydantic_core

    salt = f"{FORMAT}\0{sys.byteorder}\0{pydantic_core.__version__}"
    return sources_digest(_PARSING_CODE, salt)


def racy(ctime_ns: int, stat_ns: int) -> bool:
    """Whether a file changed at ``ctime_ns`` may have changed again unseen by a stat taken at
    ``stat_ns``: file times move by ticks of a few milliseconds, so an in-place edit of the same
    size in the tick of the stat keeps size, times and inode. Such files are hashed again
    (git's rule for its index); ``RACY_NS`` is a wide margin over any tick."""
    return ctime_ns >= stat_ns - RACY_NS


def stat_key(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


class StudyRecordCache:
    """The cached records of one study folder, for one load: look up, keep, then `save`."""

    def __init__(self, root: Path, folder: Path):
        self.dir = Path(root) / hashlib.sha256(os.fsencode(os.path.abspath(folder))).hexdigest()[:32]
        self._folder = os.path.abspath(folder)
        self._started = time.time_ns()  # before any stat of this load is taken
        self._entries: dict[str, list[Any]] = {}
        self._cached_at = 0
        self._segments: dict[str, int] = {}
        self._open: dict[str, BinaryIO] = {}
        self._kept: dict[str, list[Any]] = {}  # entries still true (hits), by file name
        self._new: list[tuple[str, list[int], str, TrialRecord]] = []
        self.hits = 0
        self._sealer: Sealer | None = sealer(Path(root))
        if self._sealer is not None:  # no key (an unwritable or shared folder): nothing kept
            self._read_index()

    # -- reading -----------------------------------------------------------------------------

    def _read_index(self) -> None:
        try:
            index = json.loads(read_regular(self.dir / INDEX_NAME, INDEX_LIMIT))
            if (
                index.get("format") != FORMAT
                or index.get("code") != code_digest()
                or index.get("folder") != self._folder
            ):
                return
            self._segments = {
                str(k): int(v) for k, v in index["segments"].items() if _TOKEN.match(str(k))
            }
            self._cached_at = int(index["cached_at_ns"])
            layouts = index["layouts"]
            # entries hold their layout (shared: a study's trials nearly all have one) and
            # their record as a JSON string, parsed only when it is looked up
            self._entries = {
                name: [key, sha, token, offset, layouts[lay], meta, seal]
                for name, (key, sha, token, offset, lay, meta, seal) in index["trials"].items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self._entries, self._segments = {}, {}

    def lookup(self, name: str, st: os.stat_result, path: Path) -> tuple[TrialRecord, bytes] | None:
        """The record and content digest of trial file ``name`` when its stat is unchanged."""
        entry = self._entries.get(name)
        if entry is None or not stat.S_ISREG(st.st_mode):
            return None
        try:
            key, sha, token, offset, layout, meta, seal = entry
            if key != stat_key(st):
                return None
            if racy(st.st_ctime_ns, self._cached_at) and _file_sha(path) != sha:
                return None  # changed in the tick it was cached: the content says
            raw = self._column_bytes(token, offset, layout)
            if seal != self._seal(name, key, sha, layout, meta, [raw]):
                return None  # not what this cache wrote: corrupted, edited or planted
            record = self._record(meta, raw, layout)
        except Exception:  # noqa: BLE001 - a torn or foreign entry is a miss, never an error
            return None
        self._kept[name] = entry
        self.hits += 1
        return record, bytes.fromhex(sha)

    def _column_bytes(self, token: str, offset: int, layout: list[list[Any]]) -> bytes:
        fh = self._open.get(token)
        if fh is None:
            expected = self._segments[token]  # only tokens of the index's own form
            fd, st = open_regular(self.dir / f"seg-{token}.bin", expected)
            fh = os.fdopen(fd, "rb")  # closed in `close`
            if st.st_size != expected:
                fh.close()
                raise ValueError("segment size does not match the index")
            self._open[token] = fh
        size = sum(8 * n for _, _, n in layout)
        fh.seek(offset)
        raw = fh.read(size)
        if len(raw) != size:
            raise ValueError("segment ends early")
        return raw

    @staticmethod
    def _record(meta_text: str, raw: bytes, layout: list[list[Any]]) -> TrialRecord:
        columns: dict[str, Column] = {}
        extra: dict[str, Column] = {}
        at = 0
        for name, typecode, n in layout:
            if typecode not in ("d", "q"):
                raise ValueError(f"unknown column type {typecode!r}")
            part = raw[at : at + 8 * n]  # bytes: an array takes them as its buffer
            at += 8 * n
            if typecode == "q":
                column = shared_steps(Column("q", part))
            else:
                column = Column("d", part) if n else empty_floats()
            if name.startswith("extra."):
                extra[name[len("extra.") :]] = column
            elif name in _COLUMN_FIELDS:
                columns[name] = column
            else:
                raise ValueError(f"unknown column {name!r}")
        meta = json.loads(meta_text)
        fields_set = set(meta["curves_set"])
        curves = Curves.model_construct(_fields_set=fields_set, **columns, extra=extra)
        data = dict(meta["record"])
        data["curves"] = curves
        # the record's own validators run again (status, best step, ids); the curves were
        # validated when the file was first parsed and are taken as stored
        return TrialRecord.model_validate(data)

    # -- writing -----------------------------------------------------------------------------

    def _seal(
        self, name: str, key: list[int], sha: str, layout: list[list[Any]], meta: str,
        buffers: list[Any],
    ) -> str:
        """The keyed digest of one entry: where it belongs, what it says, its curve bytes."""
        assert self._sealer is not None
        h = self._sealer.digest()
        h.update(json.dumps([self._folder, name, key, sha, layout, meta]).encode())
        for buffer in buffers:
            h.update(buffer)
        return h.hexdigest()

    def keep(self, name: str, st: os.stat_result, sha: bytes, record: TrialRecord) -> None:
        """Remember a record just parsed from trial file ``name`` (whose stat before reading
        was ``st``)."""
        if stat.S_ISREG(st.st_mode) and self._sealer is not None:
            self._new.append((name, stat_key(st), sha.hex(), record))

    def save(self) -> None:
        """Write the index of this load's trial files (those looked up and still true, and those
        parsed), if it differs. Errors (a read-only home, a full disk) leave the cache as it was."""
        if not self._new and len(self._kept) == len(self._entries):
            return
        try:
            self._write(self._kept)
        except (OSError, ValueError, KeyError):
            pass  # the cache stays as it was: the next load parses what it lacks
        finally:
            self.close()

    def _write(self, kept: dict[str, list[Any]]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        entries = dict(kept)
        segments = {t: self._segments[t] for t in {e[2] for e in kept.values()}}
        # each load that parsed something adds a segment: past MAX_SEGMENTS (a study that
        # `serve` watched for a long time), every record is copied into one new segment
        compact = len(segments) >= MAX_SEGMENTS
        if self._new or compact:
            token = secrets.token_hex(8)
            path = self.dir / f"seg-{token}.bin"
            tmp = self.dir / f".seg-{token}.tmp"
            offset = 0
            with open(tmp, "wb") as fh:
                if compact:
                    for name, (key, sha, old, at, layout, meta, seal) in kept.items():
                        raw = self._column_bytes(old, at, layout)
                        fh.write(raw)
                        entries[name] = [key, sha, token, offset, layout, meta, seal]
                        offset += len(raw)
                    self.close()
                    segments = {}
                for name, key, sha, record in self._new:
                    layout, columns = _columns_of(record)
                    for column in columns:
                        fh.write(column)  # the column's own buffer, not a copy
                    meta = _meta(record)
                    seal = self._seal(name, key, sha, layout, meta, columns)
                    entries[name] = [key, sha, token, offset, layout, meta, seal]
                    offset += sum(8 * n for _, _, n in layout)
            os.replace(tmp, path)
            segments[token] = offset
        now = time.time_ns()
        layouts: dict[str, int] = {}
        trials = {
            name: [*e[:4], layouts.setdefault(json.dumps(e[4]), len(layouts)), e[5], e[6]]
            for name, e in entries.items()
        }
        index = {
            "format": FORMAT,
            "code": code_digest(),
            "folder": self._folder,
            # stats taken since this moment may hide an edit in their clock tick (`lookup`)
            "cached_at_ns": self._started,
            "segments": segments,
            "layouts": [json.loads(text) for text in layouts],
            "trials": trials,
        }
        tmp = self.dir / f".{INDEX_NAME}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        tmp.write_text(json.dumps(index, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.dir / INDEX_NAME)
        if not (self.dir / FOLDER_NAME).exists():
            (self.dir / FOLDER_NAME).write_text(self._folder, encoding="utf-8")
            _forget_gone_folders(self.dir.parent)
        # segments no entry points at any more (and temporaries of killed writers) go; a load
        # that still reads one of them sees a miss, never a wrong record
        for f in self.dir.iterdir():
            token = f.name[len("seg-") : -len(".bin")] if f.name.startswith("seg-") else None
            stale = token is not None and token not in segments
            old_tmp = f.name.startswith(".") and now - f.stat().st_mtime_ns > 3600 * 10**9
            if stale or old_tmp:
                with contextlib.suppress(OSError):
                    f.unlink()

    def close(self) -> None:
        for fh in self._open.values():
            fh.close()
        self._open.clear()


def _forget_gone_folders(root: Path) -> None:
    """Drop the caches of study folders that no longer exist (a deleted or moved logbook, a
    temporary one); run when a study is cached for the first time, at most once an hour (a
    first build of 1000 studies looks once, not 1000 times)."""
    swept = root / SWEPT_NAME
    with contextlib.suppress(OSError):
        if time.time() - swept.stat().st_mtime < SWEEP_EVERY_S:
            return
    with contextlib.suppress(OSError):
        swept.touch()
    for d in root.iterdir():
        try:
            folder = (d / FOLDER_NAME).read_text(encoding="utf-8")
        except OSError:
            continue
        if not os.path.isdir(folder):
            shutil.rmtree(d, ignore_errors=True)


def _columns_of(record: TrialRecord) -> tuple[list[list[Any]], list[Column]]:
    curves = record.curves
    layout, columns = [], []
    named = [(n, getattr(curves, n)) for n in _COLUMN_FIELDS]
    named += [(f"extra.{n}", c) for n, c in curves.extra.items()]
    for name, column in named:
        if not isinstance(column, Column):  # a record built without validation
            column = Column("q" if name == "step" else "d", column)
        if column.itemsize != 8:
            raise ValueError(f"column {name} is not 8-byte")
        layout.append([name, column.typecode, len(column)])
        columns.append(column)
    return layout, columns


def _meta(record: TrialRecord) -> str:
    """The record without its curves, as JSON text that validates back into the same record."""
    data = record.model_dump_json(exclude_unset=True, exclude={"curves"})
    return f'{{"record":{data},"curves_set":{json.dumps(sorted(record.curves.model_fields_set))}}}'


def _file_sha(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def study_cache(folder: Path) -> StudyRecordCache | None:
    """The record cache of one study folder, or None when the cache is off."""
    root = cache_root()
    return None if root is None else StudyRecordCache(root / "records", folder)

"""Crash-safe writes: temporary file in the same folder, fsync, ``os.replace``, fsync the folder."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import yaml

from reportgen.schema import StudySpec, TrialRecord
from reportgen.store.layout import spec_path, trial_path, trials_folder


def _format(obj: Any, indent: int = 0) -> str:
    """JSON with one key per line, but lists of scalars on one line (curves stay reviewable)."""
    pad = "  " * (indent + 1)
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f"{pad}{json.dumps(k)}: {_format(v, indent + 1)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(obj, list) and any(isinstance(x, dict | list) for x in obj):
        items = [f"{pad}{_format(v, indent + 1)}" for v in obj]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return json.dumps(obj, separators=(", ", ": "), allow_nan=False)


def dumps_record(record: TrialRecord) -> str:
    """The canonical text of a trial record (NaN and inf as JSON strings)."""
    return _format(json.loads(record.model_dump_json())) + "\n"


def atomic_write_text(path: Path, text: str, *, exclusive: bool = False) -> None:
    """Write ``text`` to ``path`` whole or not at all. ``exclusive``: only when ``path`` does not
    exist yet (FileExistsError otherwise; of two such writers exactly one wins)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if exclusive:
            os.link(tmp, path)  # like O_CREAT | O_EXCL, and no reader sees a half-written file
        else:
            os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_trial(logbook: Path, record: TrialRecord, *, new: bool = False) -> Path:
    """Write one trial atomically; a crash leaves the old file or the new one, never a torn one.
    ``new``: only when no record of that trial exists (FileExistsError otherwise: one writer per
    trial, and of two racing writers exactly one wins)."""
    path = trial_path(logbook, record.study_id, record.trial_id)
    atomic_write_text(path, dumps_record(record), exclusive=new)
    return path


def write_spec(logbook: Path, spec: StudySpec) -> Path:
    path = spec_path(logbook, spec.study_id)
    data = json.loads(spec.model_dump_json(exclude_defaults=True))
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def remove_dead_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files of ``atomic_write_text`` whose writer is no longer running
    (a process killed between its write and its rename); returns what was removed."""
    removed = []
    for p in Path(folder).glob(".*.tmp-*"):
        pid = p.name.rpartition(".tmp-")[2]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        p.unlink(missing_ok=True)
        removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def existing_trial_ids(logbook: Path, study_id: str) -> set[str]:
    """Trial ids already on disk (for ``--resume``); temporary files are ignored, and those
    of writers that died before renaming them are removed."""
    folder = trials_folder(logbook, study_id)
    if not folder.is_dir():
        return set()
    remove_dead_temporaries(folder)
    return {p.stem for p in folder.glob("*.json") if not p.name.startswith(".")}

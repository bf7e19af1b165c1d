"""The journal of a trial in flight: ``<study>/trials/.<trial_id>.journal.json``.

Hidden (the store skips dot-files), replaced atomically, and owned by one process (host, pid).
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

from reportgen.store.layout import trials_folder
from reportgen.store.write import atomic_write_text

SUFFIX = ".journal.json"


def journal_path(logbook: Path, study_id: str, trial_id: str) -> Path:
    return trials_folder(logbook, study_id) / f".{trial_id}{SUFFIX}"


def write_journal(path: Path, state: dict[str, Any]) -> None:
    atomic_write_text(path, json.dumps(state, allow_nan=True))


def read_journal(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def journals(logbook: Path, study_id: str) -> list[Path]:
    folder = trials_folder(logbook, study_id)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(f".*{SUFFIX}"))


def process() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def owner_alive(state: dict[str, Any]) -> bool:
    """Whether the process that wrote the journal still runs (only knowable on its own host;
    a journal of another host counts as alive)."""
    if state.get("host") != socket.gethostname():
        return True
    pid = state.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"

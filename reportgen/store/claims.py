"""Claims on trials of a study, with a lease: ``<study>/.claims/<trial_id>.json``.

Minimal version written by helper `plugins` against the agreed API (to be replaced by helper
`scale`'s module of the same path and API). A claim is created with ``O_CREAT | O_EXCL`` (one
winner); an expired claim is taken over by renaming it aside first (``os.rename`` is atomic, so
two callers never both take it over).
"""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from reportgen.store.layout import safe_id
from reportgen.store.write import atomic_write_text

CLAIMS_DIR = ".claims"


class ClaimBook:
    """The claims of one ``owner`` on trials of the study at ``study_dir``."""

    def __init__(self, study_dir: Path | str, owner: str, lease_seconds: float):
        self.folder = Path(study_dir) / CLAIMS_DIR
        self.owner = owner
        self.lease_seconds = float(lease_seconds)

    def _path(self, trial_id: str) -> Path:
        return self.folder / f"{safe_id(trial_id, 'trial id')}.json"

    def _body(self) -> str:
        return json.dumps({"owner": self.owner, "expires": time.time() + self.lease_seconds})

    @staticmethod
    def _read(path: Path) -> dict | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def try_claim(self, trial_id: str) -> bool:
        """Claim ``trial_id`` unless someone else holds a live claim on it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(trial_id)
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                held = self._read(path)
                if held is not None and held.get("owner") == self.owner:
                    self.renew([trial_id])
                    return True
                if held is not None and float(held.get("expires", 0)) > time.time():
                    return False
                if held is None and time.time() - _mtime(path) < 5:
                    return False  # being written right now
                aside = path.with_name(f".{path.name}.expired-{secrets.token_hex(4)}")
                try:
                    os.rename(path, aside)
                except FileNotFoundError:
                    pass  # another caller took it over first; try to create it again
                else:
                    aside.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(self._body())
                fh.flush()
                os.fsync(fh.fileno())
            return True
        return False

    def renew(self, trial_ids) -> None:  # type: ignore[no-untyped-def]
        """Extend the lease of this owner's claims on ``trial_ids``."""
        for trial_id in trial_ids:
            path = self._path(trial_id)
            held = self._read(path)
            if held is not None and held.get("owner") == self.owner:
                atomic_write_text(path, self._body())

    def release(self, trial_id: str) -> None:
        path = self._path(trial_id)
        held = self._read(path)
        if held is not None and held.get("owner") == self.owner:
            path.unlink(missing_ok=True)

    def live_claims(self) -> set[str]:
        """Trial ids with a claim whose lease has not run out (anyone's)."""
        if not self.folder.is_dir():
            return set()
        now = time.time()
        out = set()
        for path in self.folder.glob("*.json"):
            if path.name.startswith("."):
                continue
            held = self._read(path)
            if held is None or float(held.get("expires", 0)) > now:
                out.add(path.stem)
        return out


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0

"""Claims: which worker is training which trial, so no trial is trained twice while it is alive.

One mechanism serves every way of sharing a study's work: independent workers started on the
same study (a Slurm array, one process per GPU), the Ray driver, and ``reportgen suggest``.

Layout (under the study folder, ignored by ``check``, the build and git)::

    <logbook>/<study_id>/.claims/<trial_id>/<generation>

A trial's claim is the file with the highest generation number in its folder. It is live while
``mtime + lease_seconds`` (the lease is written in the file) lies in the future; its owner keeps
it alive by renewing it (touching the file) well inside the lease.

- Claiming a free trial creates generation 1 atomically (written to a private file, then
  ``os.link``-ed to its name: like ``O_CREAT | O_EXCL`` the link fails when the name exists, and
  no reader ever sees a half-written claim).
- Taking over an expired claim of generation ``g`` creates generation ``g + 1`` the same way, so
  when several workers see the same expired claim, exactly one of them wins; the others get
  ``EEXIST`` and move on.
- Generations only grow while a trial is unfinished (a release expires the file instead of
  deleting it), so a claimer never creates a generation below a live one.
- A trial whose record (``trials/<trial_id>.json``) exists is done: it is never claimed again.
  The record is checked before and after the claim file is created, so a claim won in the
  instant the record appeared is given back at once.

A claim held by a process of this host that no longer exists (killed, crashed) is expired at
once, without waiting for its lease; across hosts the lease decides.

Leases compare a file's modification time with this machine's clock: on a shared file system the
workers' clocks must agree to well within the lease (NTP does this).

The first claim of a logbook writes its ``.gitignore`` for the in-flight files
(`store.layout.ignore_in_flight_files`), so ``git add -A`` never commits them.

No JAX: this module is imported by the trial logger and ``suggest``, which run without it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from reportgen.store.layout import ignore_in_flight_files

CLAIMS_DIR = ".claims"
TRIALS_DIR = "trials"
DEFAULT_LEASE_SECONDS = 600.0
MAX_LEASE_SECONDS = 7 * 24 * 3600.0
"""A lease never outlives a week without renewal: a claim that could never expire (``inf``)
would keep its point from every other worker forever."""
"""Default lease: long enough that a renewer thread (every third of it) never misses on a busy
machine, short enough that a crashed worker's trials come back within ten minutes."""


def default_owner() -> str:
    """A name unique to this process: host, pid and a random tag (pids are reused)."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class ClaimBook:
    """The claims of one study folder, as seen by one owner (a worker process or a driver)."""

    def __init__(
        self,
        study_dir: Path,
        owner: str | None = None,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        *,
        bound_to_process: bool = True,
    ):
        """``bound_to_process``: the claims end with this process (a worker); False for claims
        handed to someone else, such as ``reportgen suggest``'s, which only the lease ends."""
        if not 0 < lease_seconds <= MAX_LEASE_SECONDS:  # NaN fails too
            raise ValueError(
                f"lease_seconds must be a number of seconds in (0, {MAX_LEASE_SECONDS:.0f}], "
                f"got {lease_seconds}"
            )
        self.study_dir = Path(study_dir)
        self.owner = owner or default_owner()
        self.lease_seconds = float(lease_seconds)
        self.folder = self.study_dir / CLAIMS_DIR
        self.bound_to_process = bound_to_process
        self._held: dict[str, int] = {}  # trial id -> generation we hold
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ queries
    def is_done(self, trial_id: str) -> bool:
        """True when the trial's record exists: it is never claimed again."""
        return (self.study_dir / TRIALS_DIR / f"{trial_id}.json").is_file()

    def held(self) -> set[str]:
        """Trial ids this owner holds (as far as it knows; see :meth:`renew`)."""
        with self._lock:
            return set(self._held)

    def generation(self, trial_id: str) -> int | None:
        """The generation of this owner's claim on ``trial_id`` (1: the first hand-out; more:
        the trial was taken over after an earlier claim ran out), None when not held."""
        with self._lock:
            return self._held.get(trial_id)

    def owner_of(self, trial_id: str) -> str | None:
        """The owner of the live claim on ``trial_id`` (None when nobody holds it)."""
        _check_id(trial_id)
        top = self._top(trial_id)
        if top is None:
            return None
        path = self.folder / trial_id / str(top)
        return _owner(path) if _expires(path) > time.time() else None

    def live_claims(self) -> set[str]:
        """Trial ids with a live claim by anyone (finished trials excluded)."""
        if not self.folder.is_dir():
            return set()
        now = time.time()
        out = set()
        for entry in os.scandir(self.folder):
            if not entry.is_dir() or entry.name.startswith("."):
                continue
            top = self._top(entry.name)
            live = top is not None and _expires(Path(entry.path) / str(top)) > now
            if live and not self.is_done(entry.name):
                out.add(entry.name)
        return out

    # ----------------------------------------------------------------- changes
    def try_claim(self, trial_id: str) -> bool:
        """Claim ``trial_id`` for this owner; False when it is done or someone else holds it."""
        _check_id(trial_id)
        if self.is_done(trial_id):
            return False
        with self._lock:
            if trial_id in self._held and self._is_top(trial_id, self._held[trial_id]):
                return True
        folder = self.folder / trial_id
        if not self.folder.is_dir():
            ignore_in_flight_files(self.study_dir.parent)
        folder.mkdir(parents=True, exist_ok=True)
        top = self._top(trial_id)
        if top is not None and _expires(folder / str(top)) > time.time():
            if _owner(folder / str(top)) != self.owner:
                return False
            # Our own live claim, made by another process under the same owner name
            # (``reportgen suggest`` claims, the user's loop later logs and renews): adopt it.
            with self._lock:
                self._held[trial_id] = top
            with contextlib.suppress(FileNotFoundError):
                os.utime(folder / str(top))
            return True
        generation = (top or 0) + 1
        path = folder / str(generation)
        body = json.dumps(
            {
                "owner": self.owner,
                "lease_seconds": self.lease_seconds,
                "host": socket.gethostname(),
                "pid": os.getpid() if self.bound_to_process else None,
            }
        ).encode()
        # The claim appears whole or not at all: written to a private file, then linked to its
        # generation's name (like O_CREAT | O_EXCL, link fails when the name exists, and no
        # reader ever sees a half-written claim).
        tmp = folder / f".tmp-{self.owner}-{uuid.uuid4().hex[:8]}"
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileNotFoundError:
            return False  # the folder was just removed: the trial finished
        try:
            os.write(fd, body)
            os.fsync(fd)
        except OSError:  # a full disk: leave no half-written claim behind
            os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise
        os.close(fd)
        try:
            os.link(tmp, path)
        except (FileExistsError, FileNotFoundError):
            return False  # another worker won this generation (or the trial was just finished)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        if self.is_done(trial_id):  # the record appeared while we were claiming
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return False
        with self._lock:
            self._held[trial_id] = generation
        for old in _generations(folder):  # earlier, expired generations are history
            if old < generation:
                with contextlib.suppress(FileNotFoundError):
                    (folder / str(old)).unlink()
        return True

    def claim_many(self, trial_ids: Iterable[str], limit: int | None = None) -> list[str]:
        """Claim as many of ``trial_ids`` as possible, in order, up to ``limit``."""
        won: list[str] = []
        for t in trial_ids:
            if limit is not None and len(won) >= limit:
                break
            if self.try_claim(t):
                won.append(t)
        return won

    def renew(self, trial_ids: Iterable[str] | None = None) -> set[str]:
        """Extend the lease of claims this owner holds; returns the ids it has lost (taken over
        after its lease ran out, or never held)."""
        ids = self.held() if trial_ids is None else set(trial_ids)
        lost = set()
        for t in ids:
            with self._lock:
                generation = self._held.get(t)
            if generation is None or not self._is_top(t, generation):
                lost.add(t)
                with self._lock:
                    self._held.pop(t, None)
                continue
            try:
                os.utime(self.folder / t / str(generation))
            except FileNotFoundError:
                lost.add(t)
                with self._lock:
                    self._held.pop(t, None)
        return lost

    def release(self, trial_id: str) -> None:
        """Give a claim back. A finished trial's claims are removed; an unfinished one's claim is
        expired, so any worker may take it at once (generations keep growing)."""
        with self._lock:
            generation = self._held.pop(trial_id, None)
        folder = self.folder / trial_id
        if self.is_done(trial_id):
            for g in _generations(folder):
                with contextlib.suppress(FileNotFoundError):
                    (folder / str(g)).unlink()
            with contextlib.suppress(OSError):
                folder.rmdir()
            return
        if generation is not None and self._is_top(trial_id, generation):
            self._expire(folder / str(generation))

    def expire(self, trial_id: str) -> None:
        """End the live claim on ``trial_id``, whoever holds it (an operator giving a point back
        with `reportgen release`): any worker may take the trial at once."""
        _check_id(trial_id)
        top = self._top(trial_id)
        if top is not None:
            self._expire(self.folder / trial_id / str(top))
        with self._lock:
            self._held.pop(trial_id, None)

    def release_all(self) -> None:
        for t in self.held():
            self.release(t)

    def renewing(self, interval: float | None = None) -> ClaimRenewer:
        """A context manager that renews every held claim in the background (long groups)."""
        return ClaimRenewer(self, interval)

    # ---------------------------------------------------------------- helpers
    def _top(self, trial_id: str) -> int | None:
        gens = _generations(self.folder / trial_id)
        return max(gens) if gens else None

    def _is_top(self, trial_id: str, generation: int) -> bool:
        return self._top(trial_id) == generation

    @staticmethod
    def _expire(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.utime(path, (0, 0))


class ClaimRenewer:
    """Renews a claim book's held claims every ``interval`` seconds (a third of the lease by
    default) on a daemon thread; ``lost`` collects ids whose claims were taken over."""

    def __init__(self, book: ClaimBook, interval: float | None = None):
        self.book = book
        self.interval = interval if interval is not None else book.lease_seconds / 3
        self.lost: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="claim-renewer", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(OSError):
                self.lost |= self.book.renew()

    def start(self) -> ClaimRenewer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> ClaimRenewer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _generations(folder: Path) -> list[int]:
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return [int(n) for n in names if n.isdigit()]


def _expires(path: Path) -> float:
    """When the claim in ``path`` runs out (0 when it is gone, unreadable, released, or held by a
    process of this host that no longer exists: a killed worker's claims come back at once)."""
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            body = json.loads(fh.read(4096) or b"{}")
        lease = float(body.get("lease_seconds", 0))
    except (OSError, ValueError, AttributeError):
        return 0.0
    if st.st_mtime <= 0:
        return 0.0
    if body.get("host") == socket.gethostname() and not _alive(body.get("pid")):
        return 0.0
    return st.st_mtime + lease


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return True  # unknown: trust the lease
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _owner(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return json.loads(fh.read(4096) or b"{}").get("owner")
    except (OSError, ValueError, AttributeError):
        return None


def _check_id(trial_id: str) -> None:
    ok = (
        isinstance(trial_id, str)
        and 0 < len(trial_id) <= 128
        and trial_id[0].isalnum()
        and all(c.isalnum() or c in "._-" for c in trial_id)
        and trial_id.isascii()
    )
    if not ok:
        raise ValueError(f"trial id {trial_id!r} cannot name a claim (one safe path component)")


def iter_claim_files(study_dir: Path) -> Iterator[Path]:
    """Every claim file of a study (for diagnostics and tests)."""
    folder = Path(study_dir) / CLAIMS_DIR
    if folder.is_dir():
        for sub in sorted(folder.iterdir()):
            for g in sorted(_generations(sub)):
                yield sub / str(g)

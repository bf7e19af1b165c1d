"""One build at a time per docs folder and per site folder.

Two builds writing the same ``docs/studies`` or the same site used to interleave: one removed
the other's half-built site, and the survivor marked a torn site as finished. A build now holds
an exclusive ``flock`` on ``<docs>/studies/.build.lock`` and on ``.<site>.lock`` beside the site
(taken in that order, so two builds never wait on each other crosswise). A second build waits,
saying once what it waits for; the kernel drops the lock when a build ends or is killed, so a
crashed build never leaves a stale lock behind. The lock files are empty and never rewritten
(``mkdocs serve`` would reload on every write), and both start with '.', which MkDocs ignores.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: builds are not serialised there
    fcntl = None  # type: ignore[assignment]

DOCS_LOCK = ".build.lock"


def docs_lock(studies_dir: Path) -> Path:
    return studies_dir / DOCS_LOCK


def site_lock(site: Path) -> Path:
    site = Path(os.path.abspath(site))
    return site.with_name(f".{site.name}.lock")


@contextlib.contextmanager
def held(locks: list[Path], say=None) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Hold an exclusive lock on each of ``locks`` (in order), waiting while another process
    holds one; ``say`` (default: stderr) hears once what is waited for."""
    say = say or (lambda text: print(text, file=sys.stderr, flush=True))
    with contextlib.ExitStack() as stack:
        for path in locks:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            stack.callback(os.close, fd)
            if fcntl is None:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say(f"waiting for another reportgen build that holds {path} to finish")
                fcntl.flock(fd, fcntl.LOCK_EX)
        yield

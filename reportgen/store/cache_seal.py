"""Seals for what reportgen keeps in its cache folders, and reads that cannot hang or flood.

Every cache reportgen keeps between runs (validated records, kept analyses, chart templates,
compiled page templates) lives in the user's own cache folder, never in a repository. What a
cache returns is still checked before it is used: each entry carries a keyed BLAKE2b digest
(a MAC) of its content, made with a random 32-byte key created once in the cache folder,
readable by its owner only. Random bytes, a cut file, an edited entry or a file planted by
anything that does not hold the key fail the check and are a cache miss, never data; and a
compiled template is un-marshalled only after its seal checks out.

Cache files are opened without following symbolic links and without blocking, and only
regular files of a bounded size are read: a cache entry pointing at ``/dev/zero`` or a FIFO is
a miss, not a hang or a memory blow-up.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

KEY_NAME = "key"
KEY_BYTES = 32
SEAL_BYTES = 32


def cache_key(folder: Path) -> bytes | None:
    """The key of a cache folder, created on first use (None when it cannot be made or read,
    or when others could read it: the cache is then not used)."""
    path = Path(folder) / KEY_NAME
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    except (OSError, ValueError):
        return None
    try:
        Path(folder).mkdir(parents=True, exist_ok=True)
        tmp = Path(folder) / f".{KEY_NAME}.{os.getpid()}-{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)  # the first writer's key wins; the others read it
        except FileExistsError:
            pass
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink()
        return _read_key(path)
    except (OSError, ValueError):
        return None


def _read_key(path: Path) -> bytes:
    data, st = _read_regular(path, KEY_BYTES)
    if len(data) != KEY_BYTES or st.st_mode & 0o077 or st.st_uid != os.getuid():
        raise ValueError(f"{path}: not a private {KEY_BYTES}-byte key")
    return data


class Sealer:
    """Keyed digests of cache content: ``seal`` when writing, ``verify`` when reading."""

    def __init__(self, key: bytes):
        self._key = key

    def digest(self) -> hashlib.blake2b:
        return hashlib.blake2b(key=self._key, digest_size=SEAL_BYTES)

    def seal(self, *parts: bytes | str | memoryview) -> str:
        h = self.digest()
        for part in parts:
            data = part.encode() if isinstance(part, str) else part
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()

    def verify(self, expected: object, *parts: bytes | str | memoryview) -> bool:
        if not isinstance(expected, str):
            return False
        return hmac.compare_digest(expected.encode("utf-8", "replace"), self.seal(*parts).encode())


def sealer(folder: Path | None) -> Sealer | None:
    """The sealer of a cache folder, or None when it has no usable key (no caching then)."""
    if folder is None:
        return None
    key = cache_key(folder)
    return None if key is None else Sealer(key)


def open_regular(path: Path | str, limit: int) -> tuple[int, os.stat_result]:
    """A file descriptor of ``path`` when it is a regular file of at most ``limit`` bytes
    (opened without following a link or blocking on a FIFO); ValueError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{path}: not a regular file")
        if st.st_size > limit:
            raise ValueError(f"{path}: {st.st_size} bytes, more than {limit}")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def _read_regular(path: Path | str, limit: int) -> tuple[bytes, os.stat_result]:
    fd, st = open_regular(path, limit)
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{path}: grew past {limit} bytes while read")
    return data, st


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most ``limit`` bytes."""
    return _read_regular(path, limit)[0]


def write_sealed(path: Path, seal: Sealer, body: bytes) -> None:
    """Write ``body`` under its seal, atomically (a temporary file renamed over ``path``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        with open(tmp, "wb") as fh:
            fh.write(seal.seal(body).encode() + b"\n" + body)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def read_sealed(path: Path, seal: Sealer, limit: int) -> bytes | None:
    """The body ``write_sealed`` wrote to ``path``, or None when it is missing, not a regular
    file, too big, or not sealed with this key (torn, edited or planted)."""
    try:
        data = read_regular(path, limit)
    except (OSError, ValueError):
        return None
    mac, _, body = data.partition(b"\n")
    return body if seal.verify(mac.decode("ascii", "replace"), body) else None

"""Defensive parsing of JSON and YAML bytes into plain data, with line numbers for errors.

Nothing here raises on bad input: every failure comes back as a `Problem`. Files are read
through `read_bounded`, which checks the size before reading and never reads past the limit.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from reportgen.errors import Problem
from reportgen.schema.limits import (
    EARLIEST_TIME,
    LATEST_TIME,
    MAX_INT_DIGITS,
    MAX_RECORD_BYTES,
)

# Digits to "1", everything else to "0": a run of too many digits is then one bytes.find (a
# regex would try a match at every position, several times slower than the whole parse).
_DIGITS = bytes.maketrans(b"0123456789", b"1" * 10).translate(
    bytes(b if 48 <= b <= 57 else 48 for b in range(256))
)
_TOO_LONG = b"1" * (MAX_INT_DIGITS + 1)
# A run of more than MAX_INT_DIGITS digits holds a whole slice [k*_HALF, (k+1)*_HALF] for some k.
_HALF = (MAX_INT_DIGITS + 1) // 2
# Arrays of numbers only (no quote can occur inside, so a match never crosses a string's edge).
_NUMBER_ARRAY = re.compile(rb"\[[-0-9eE.+,\s]*\]")
# What an array of numbers holds besides them: the non-finite values as written (`dumps_record`).
_NUMBER_CHARS = b"0123456789eE.+-, \t\r\n"
_NON_FINITE = (b'"NaN"', b'"-Infinity"', b'"Infinity"')
_BLANK_ARRAYS_AT_MOST = 1000  # arrays blanked one by one; beyond, one regex pass
# A \u escape of a character an array of numbers can hold: the same key could then be written
# once blankable and once not (``"[1]"`` and ``"\u005b1]"``), so nothing is blanked.
_ARRAY_CHAR_ESCAPE = re.compile(rb"\\u00[2-6]")
_EARLIEST = dt.datetime.fromisoformat(EARLIEST_TIME)
_LATEST = dt.datetime.fromisoformat(LATEST_TIME)


class _Duplicate(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def read_bounded(path: Path, shown: str, limit: int = MAX_RECORD_BYTES) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a regular file of at most ``limit`` bytes; symlinks, FIFOs and big files refused.

    The size is checked before reading, and at most ``limit + 1`` bytes are ever read (a file
    that grows while it is read is refused too), so memory stays bounded whatever is on disk.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return None, [Problem(shown, None, "file", _SYMLINK)]
        return None, [Problem(shown, None, "file", f"cannot be read: {e.strerror or e}")]
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, [Problem(shown, None, "file", "is not a regular file")]
        if st.st_size > limit:
            return None, [_too_big(shown, limit)]
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None, [_too_big(shown, limit)]
        return b"".join(chunks), []
    except OSError as e:
        return None, [Problem(shown, None, "file", f"cannot be read: {e.strerror or e}")]
    finally:
        os.close(fd)


_SYMLINK = "is a symbolic link; a study holds only plain files (a link can point outside the logbook)"


def _too_big(shown: str, limit: int) -> Problem:
    return Problem(shown, None, "file", f"larger than {limit} bytes (the limit of one file)")


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses aliases ('billion laughs'), duplicate keys and bad values.

    Every refusal carries the line it happened on.
    """

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a study spec", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # type: ignore[no-untyped-def]
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    hash(key)
                except TypeError:
                    continue  # the base class reports unhashable keys
                line = key_node.start_mark.line + 1
                if key in first:
                    raise yaml.constructor.ConstructorError(
                        None,
                        None,
                        f"duplicate key {_short(key)} (first at line {first[key]}, again at line "
                        f"{line}); a second value would silently replace the first",
                        key_node.start_mark,
                    )
                first[key] = line
        return super().construct_mapping(node, deep=deep)


def _guarded(construct):  # type: ignore[no-untyped-def]
    """Turn a constructor's ValueError (a 5000-digit integer, month 13) into a marked YAML error."""

    def wrapper(loader, node):  # type: ignore[no-untyped-def]
        try:
            value = construct(loader, node)
        except (ValueError, OverflowError) as e:
            raise yaml.constructor.ConstructorError(
                None, None, f"{_short(node.value)} is not a valid {node.tag.rsplit(':', 1)[-1]}: {e}",
                node.start_mark,
            ) from None
        return value

    return wrapper


for _tag, _fn in (
    ("tag:yaml.org,2002:int", yaml.SafeLoader.construct_yaml_int),
    ("tag:yaml.org,2002:float", yaml.SafeLoader.construct_yaml_float),
    ("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_timestamp),
):
    _NoAliasLoader.add_constructor(_tag, _guarded(_fn))


def _short(value: object) -> str:
    text = value if isinstance(value, str) else type(value).__name__
    return repr(text[:60] + "…" if len(text) > 60 else text)


def decode_text(raw: bytes, path: str, limit: int = MAX_RECORD_BYTES) -> tuple[str | None, list[Problem]]:
    if len(raw) > limit:
        return None, [_too_big(path, limit)]
    if not raw.strip():
        return None, [Problem(path, None, "file", "is empty")]
    at = _long_number_at(raw)
    if at >= 0:
        line = raw[:at].count(b"\n") + 1
        return None, [
            Problem(path, line, "file", f"a number has more than {MAX_INT_DIGITS} digits")
        ]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return None, [Problem(path, line, "file", f"not valid UTF-8 (byte {e.start})")]


def _long_number_at(raw: bytes) -> int:
    """Offset of the first run of more than MAX_INT_DIGITS digits, or -1.

    Such a run covers a whole slice ``[k*_HALF, (k+1)*_HALF]``: only slices that are all digits
    (one ``isdigit`` each, which stops at the first other byte) are looked at closely.
    """
    n = len(raw)
    if n <= MAX_INT_DIGITS:
        return -1
    for k in range(0, n - _HALF, _HALF):
        if raw[k : k + _HALF + 1].isdigit():
            lo = max(0, k - MAX_INT_DIGITS)
            at = raw[lo : k + _HALF + MAX_INT_DIGITS + 1].translate(_DIGITS).find(_TOO_LONG)
            if at >= 0:
                return lo + at
    return -1


def _blank_number_arrays(raw: bytes) -> bytes:
    """``raw`` with every array of plain numbers (NaN and infinities included) written ``[]``.

    An array here is a ``[`` and the next ``]`` with no other bracket between. In valid JSON
    one that holds only number characters and ``"NaN"``-like strings never crosses a string's
    edge (a string followed by ``NaN"`` is not JSON), so keys change only as a function of their
    own text: two equal keys stay equal. Without a regex: ``find`` and ``translate`` run in C.
    """
    if (b := raw.find(b"\\")) >= 0 and _ARRAY_CHAR_ESCAPE.search(raw, b):
        return raw
    find = raw.find
    parts: list[bytes] = []
    start = 0
    i = find(b"[")
    for _ in range(_BLANK_ARRAYS_AT_MOST):
        if i < 0:
            break
        k = find(b"[", i + 1)
        j = find(b"]", i + 1, k if k >= 0 else len(raw))  # -1: another array starts first
        if j >= 0:
            inner = raw[i + 1 : j]
            if b'"' in inner:
                for word in _NON_FINITE:
                    inner = inner.replace(word, b"")
            if not inner.translate(None, _NUMBER_CHARS):
                parts.append(raw[start : i + 1])
                start = j
        i = k
    else:
        return _NUMBER_ARRAY.sub(b"[]", raw)  # many small arrays: one pass in C
    parts.append(raw[start:])
    return b"".join(parts)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for k, _ in pairs:
            if k in seen:
                raise _Duplicate(k)
            seen.add(k)
    return out


def _duplicate_problem(raw: bytes, key: str, path: str) -> Problem:
    """Name both places of a duplicate key: the lines of its first two occurrences."""
    pattern = re.compile(re.escape(json.dumps(key)).encode() + rb"\s*:")
    lines = [raw[: m.start()].count(b"\n") + 1 for m in pattern.finditer(raw)][:2]
    where = (
        f"first at line {lines[0]}, again at line {lines[1]}"
        if len(lines) == 2
        else "given twice in one object"
    )
    return Problem(
        path,
        lines[1] if len(lines) == 2 else None,
        "file",
        f"duplicate key {_short(key)} ({where}); a second value would silently replace the first",
    )


def json_problems(raw: bytes, path: str) -> list[Problem]:
    """Cheap checks the fast pydantic parse does not make: duplicate keys, huge integers, size.

    Arrays of plain numbers (the curves, the bulk of a trial) are blanked before the scan,
    so this costs a small fraction of the parse. Returns [] for bytes that are fine or not JSON at all
    (the careful path then says what is wrong).
    """
    if len(raw) > MAX_RECORD_BYTES:
        return [_too_big(path, MAX_RECORD_BYTES)]
    if _long_number_at(raw) >= 0:
        return decode_text(raw, path)[1]
    try:
        json.loads(_blank_number_arrays(raw), object_pairs_hook=_no_duplicates)
    except _Duplicate:
        # Blanking could only make two keys equal inside their strings; confirm on the real bytes.
        try:
            json.loads(raw, object_pairs_hook=_no_duplicates)
        except _Duplicate as e:
            return [_duplicate_problem(raw, e.key, path)]
        except (ValueError, RecursionError):
            return []
    except (ValueError, RecursionError):
        return []
    return []


def parse_json(raw: bytes, path: str) -> tuple[Any, list[Problem]]:
    text, problems = decode_text(raw, path)
    if text is None:
        return None, problems
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates), []
    except _Duplicate as e:
        return None, [_duplicate_problem(raw, e.key, path)]
    except json.JSONDecodeError as e:
        return None, [Problem(path, e.lineno, "file", f"not valid JSON: {e.msg}")]
    except ValueError as e:
        return None, [Problem(path, None, "file", f"not valid JSON: {e}")]
    except RecursionError:
        return None, [Problem(path, None, "file", "JSON nested too deeply")]


def parse_yaml(raw: bytes, path: str, limit: int = MAX_RECORD_BYTES) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """Parse YAML; return the data, its node tree (for line numbers) and problems."""
    text, problems = decode_text(raw, path, limit)
    if text is None:
        return None, None, problems
    loader = None
    try:
        loader = _NoAliasLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(x for x in (e.context, e.problem) if x) or "invalid"
        return None, None, [Problem(path, line, "file", f"not valid YAML: {msg}")]
    except yaml.YAMLError as e:
        return None, None, [Problem(path, None, "file", f"not valid YAML: {e}")]
    except (ValueError, OverflowError, TypeError) as e:
        return None, None, [Problem(path, None, "file", f"not valid YAML: {e}")]
    except RecursionError:
        return None, None, [Problem(path, None, "file", "YAML nested too deeply")]
    finally:
        if loader is not None:
            loader.dispose()
    return data, node, []


def time_problem(value: dt.datetime, path: str, field: str) -> Problem | None:
    """A time the site cannot write (gzip and zip headers hold 32-bit seconds since 1970)."""
    if value.tzinfo is None:
        return Problem(path, None, field, f"{value.isoformat()} has no time zone (write UTC, ending in Z)")
    if _EARLIEST <= value <= _LATEST:
        return None
    return Problem(path, None, field, f"{value.isoformat()} is outside {EARLIEST_TIME[:10]}..{LATEST_TIME[:10]}")


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (a pydantic error location), or its nearest parent."""
    if node is None:
        return None
    best = node.start_mark.line + 1
    for key in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    child = v
                    best = k.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(key, int)
            and 0 <= key < len(node.value)
        ):
            child = node.value[key]
            best = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return best


def symlink_problem(shown: str) -> Problem:
    return Problem(shown, None, "file", _SYMLINK)


def list_folder(folder: Path, shown: str) -> tuple[list[Path] | None, list[Problem]]:
    """The sorted entries of ``folder``; None when it does not exist, a problem when unusable."""
    if folder.is_symlink():
        return None, [symlink_problem(shown)]
    if not folder.exists():
        return None, []
    if not folder.is_dir():
        return None, [Problem(shown, None, "file", "must be a folder")]
    try:
        return sorted(folder.iterdir()), []
    except OSError as e:
        return None, [Problem(shown, None, "file", f"cannot be listed: {e.strerror or e}")]


def digest_bounded(path: Path, limit: int = MAX_RECORD_BYTES) -> bytes:
    """SHA-256 of a regular file read in chunks; of nothing for links, oversized or unreadable files."""
    h = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return h.digest()
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and st.st_size <= limit:
            while chunk := os.read(fd, 1 << 20):
                h.update(chunk)
    except OSError:
        pass
    finally:
        os.close(fd)
    return h.digest()

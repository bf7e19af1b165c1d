"""Caches verify what they return.

Before seals, random bytes of the right size in a record-cache segment put wrong curves on the
page while `check` said ok; an edited entry made the site report a forged best result; an index
whose segment was ``/dev/zero`` cost gigabytes, and a FIFO hung the load. Each of those is now
a cache miss: the records come from parsing the files, exactly as with the cache off.
"""

from __future__ import annotations

import json
import os
import struct
import threading
from pathlib import Path

import pytest

from reportgen.store import dumps_record, load_study, write_spec, write_trial
from reportgen.store import record_cache as rc
from reportgen.store.cache_seal import KEY_NAME, cache_key, read_regular
from tests.conftest import make_spec, make_trial


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(rc.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(rc, "RACY_NS", 0)  # the files count as old: the cache is trusted
    return tmp_path / "cache" / "records"


def _study(root: Path) -> Path:
    write_spec(root, make_spec())
    for i in range(4):
        lr = 0.001 * (i + 1)
        write_trial(
            root,
            make_trial(
                trial_id=f"t{i:04d}", index=i,
                seeds={"init": 10 + i, "data_order": 20 + i, "sampler": 0},
                hyperparameters={"optimizer": "adam", "adam.learning_rate": lr, "width": 64},
            ),
        )  # fmt: skip
    return root / "demo"


def _cached(folder: Path) -> tuple[list[str], int]:
    """The records loaded through the cache, and how many came from it."""
    hits = 0
    lookup = rc.StudyRecordCache.lookup

    def counting(self, *args):  # type: ignore[no-untyped-def]
        nonlocal hits
        found = lookup(self, *args)
        hits += found is not None
        return found

    rc.StudyRecordCache.lookup = counting  # type: ignore[method-assign]
    try:
        records, problems = load_study(folder, folder.parent, cached=True)
    finally:
        rc.StudyRecordCache.lookup = lookup  # type: ignore[method-assign]
    assert problems == []
    return [dumps_record(t) for t in records.trials], hits


def _truth(folder: Path) -> list[str]:
    records, _ = load_study(folder, folder.parent, cached=False)
    return [dumps_record(t) for t in records.trials]


def _one(cache_dir: Path, pattern: str) -> Path:
    (path,) = cache_dir.glob(f"*/{pattern}")
    return path


def test_the_cache_is_used_when_intact(tmp_path, cache_dir):
    folder = _study(tmp_path / "book")
    _cached(folder)
    records, hits = _cached(folder)
    assert hits == 4 and records == _truth(folder)


def test_random_bytes_in_a_segment_are_a_miss(tmp_path, cache_dir):
    folder = _study(tmp_path / "book")
    _cached(folder)
    segment = _one(cache_dir, "seg-*.bin")
    segment.write_bytes(os.urandom(segment.stat().st_size))
    records, hits = _cached(folder)
    assert hits == 0
    assert records == _truth(folder)


def test_plausible_numbers_in_a_segment_are_a_miss(tmp_path, cache_dir):
    """Finite doubles over the last curve columns: they would load as a different curve."""
    folder = _study(tmp_path / "book")
    _cached(folder)
    segment = _one(cache_dir, "seg-*.bin")
    raw = bytearray(segment.read_bytes())
    raw[-64:] = struct.pack("<8d", *[0.25] * 8)
    segment.write_bytes(bytes(raw))
    records, hits = _cached(folder)
    assert hits == 3  # the trial whose curves were overwritten is parsed again
    assert records == _truth(folder)


def test_an_edited_entry_is_a_miss(tmp_path, cache_dir):
    """An entry whose best value was changed by hand: the page would report a forged result."""
    folder = _study(tmp_path / "book")
    _cached(folder)
    index = _one(cache_dir, "index.json")
    data = json.loads(index.read_text())
    for entry in data["trials"].values():
        entry[5] = entry[5].replace('"value":0.1', '"value":0.0001')
    index.write_text(json.dumps(data))
    assert "0.0001" in index.read_text()
    records, hits = _cached(folder)
    assert hits == 0
    assert records == _truth(folder)
    assert not any('"value": 0.0001' in r for r in records)


def test_a_planted_cache_without_the_key_is_a_miss(tmp_path, cache_dir):
    """A whole cache folder written by someone else (another key): nothing of it is used."""
    folder = _study(tmp_path / "book")
    _cached(folder)
    (cache_dir / KEY_NAME).unlink()
    records, hits = _cached(folder)
    assert hits == 0 and records == _truth(folder)


@pytest.mark.parametrize("kind", ["dev-zero", "fifo", "symlink"])
def test_a_segment_that_is_not_a_regular_file_is_a_miss(tmp_path, cache_dir, kind):
    folder = _study(tmp_path / "book")
    _cached(folder)
    segment = _one(cache_dir, "seg-*.bin")
    index = _one(cache_dir, "index.json")
    data = json.loads(index.read_text())
    data["segments"] = {k: 1 << 40 for k in data["segments"]}  # "a terabyte to read"
    index.write_text(json.dumps(data))
    segment.unlink()
    if kind == "dev-zero":
        segment.symlink_to("/dev/zero")
    elif kind == "fifo":
        os.mkfifo(segment)
    else:
        other = tmp_path / "elsewhere.bin"
        other.write_bytes(b"\0" * 4096)
        segment.symlink_to(other)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(_cached(folder)), daemon=True)
    worker.start()
    worker.join(60)
    assert result, "the load hung on a cache file"
    records, hits = result[0]
    assert hits == 0 and records == _truth(folder)


def test_an_index_that_is_a_fifo_is_a_miss(tmp_path, cache_dir):
    folder = _study(tmp_path / "book")
    _cached(folder)
    index = _one(cache_dir, "index.json")
    index.unlink()
    os.mkfifo(index)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(_cached(folder)), daemon=True)
    worker.start()
    worker.join(60)
    assert result, "the load hung on a FIFO index"
    assert result[0][1] == 0


def test_the_key_is_private_and_a_shared_one_is_refused(tmp_path):
    folder = tmp_path / "c"
    key = cache_key(folder)
    assert key is not None and len(key) == 32
    assert (folder / KEY_NAME).stat().st_mode & 0o777 == 0o600
    assert cache_key(folder) == key
    os.chmod(folder / KEY_NAME, 0o644)  # others could read it, so forge entries
    assert cache_key(folder) is None


def test_read_regular_refuses_devices_and_big_files(tmp_path):
    with pytest.raises(ValueError):
        read_regular("/dev/zero", 1 << 20)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 100)
    with pytest.raises(ValueError):
        read_regular(big, 10)
    assert read_regular(big, 100) == b"x" * 100

"""The record cache: a hit loads what parsing the same file gives; any change is a miss."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest

from reportgen.schema import Status, TrialRecord
from reportgen.store import dumps_record, load_study, write_spec, write_trial
from reportgen.store import record_cache as rc
from tests.conftest import make_spec, make_trial


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(rc.CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "records"


def _study(root: Path, n: int = 6) -> Path:
    write_spec(root, make_spec())
    for i in range(n):
        write_trial(root, _trial(i))
    return root / "demo"


def _trial(i: int, **overrides) -> TrialRecord:
    values = dict(
        trial_id=f"t{i:04d}",
        index=i,
        seeds={"init": 10 + i, "data_order": 20 + i, "sampler": 0},
        hyperparameters={"optimizer": "adam", "adam.learning_rate": 0.001 * (i + 1), "width": 64},
    )
    values.update(overrides)
    return make_trial(**values)


def _dumped(records) -> list[str]:
    return [dumps_record(t) for t in records.trials]


def _study_dir(cache_dir: Path) -> Path:
    (d,) = (d for d in cache_dir.iterdir() if d.is_dir())
    return d


def _load(folder: Path, cached: bool = True):
    return load_study(folder, folder.parent, cached=cached)


def _age(folder: Path, seconds: float = 10) -> None:
    """Make the files look older than the racy window (their change time still moves on)."""
    index = next(Path(os.environ[rc.CACHE_ENV]).glob("records/*/index.json"))
    data = json.loads(index.read_text())
    data["cached_at_ns"] += int(seconds * 1e9)
    index.write_text(json.dumps(data))


def test_a_hit_loads_what_parsing_gives(tmp_path, cache_dir):
    folder = _study(tmp_path / "book")
    plain, plain_problems = _load(folder, cached=False)
    first, _ = _load(folder)  # a miss: parses and fills the cache
    _age(folder)
    cache = rc.study_cache(folder)
    second, problems = _load(folder)
    assert problems == plain_problems == []
    assert _dumped(second) == _dumped(first) == _dumped(plain)
    assert second.digest == plain.digest
    assert [t.model_fields_set for t in second.trials] == [t.model_fields_set for t in plain.trials]
    assert [t.curves.model_fields_set for t in second.trials] == [
        t.curves.model_fields_set for t in plain.trials
    ]
    # every trial came from the cache: none of its files was parsed
    for t in second.trials:
        assert cache.lookup(f"{t.trial_id}.json", os.lstat(folder / "trials" / f"{t.trial_id}.json"),
                            folder / "trials" / f"{t.trial_id}.json") is not None  # fmt: skip
    assert cache.hits == len(plain.trials)
    # cached records share their sets of field names as parsed ones do (5 KB a record)
    a, b = second.trials[0], second.trials[1]
    assert a.__pydantic_fields_set__ is b.__pydantic_fields_set__
    assert a.curves.__pydantic_fields_set__ is b.curves.__pydantic_fields_set__


def test_non_finite_values_and_extra_curves_come_back(tmp_path, cache_dir):
    root = tmp_path / "book"
    folder = _study(root, 2)
    t = _trial(
        3,
        status=Status.DIVERGED,
        status_reason="loss became NaN",
        best=None,
        test_metrics={"accuracy": 0.5},
    )
    curves = t.curves.model_copy(
        update={
            "train_loss": [1.0, math.inf, math.nan],
            "extra": {"valid_accuracy": [0.1, 0.2, math.nan]},
        }
    )
    write_trial(root, t.model_copy(update={"curves": curves}))
    plain, _ = _load(folder, cached=False)
    _load(folder)
    _age(folder)
    cached, problems = _load(folder)
    assert problems == []
    assert _dumped(cached) == _dumped(plain)
    got = cached.trials[-1].curves
    assert math.isinf(got.train_loss[1]) and math.isnan(got.train_loss[2])
    assert list(got.extra) == ["valid_accuracy"] and math.isnan(got.extra["valid_accuracy"][2])


def test_any_edit_is_a_miss(tmp_path, cache_dir):
    folder = _study(tmp_path / "book")
    _load(folder)
    _age(folder)
    path = folder / "trials" / "t0002.json"
    text = path.read_text()
    # same size, same modification time: only the content (and the change time) differ
    st = os.stat(path)
    edited = text.replace('"adam.learning_rate": 0.003', '"adam.learning_rate": 0.004')
    assert edited != text and len(edited) == len(text)
    path.write_text(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    records, problems = _load(folder)
    assert problems == []
    assert records.trials[2].hyperparameters["adam.learning_rate"] == 0.004
    # and a record that no longer validates is reported, not served from the cache
    path.write_text(text.replace('"status": "complete"', '"status": "completed"'))
    records, problems = _load(folder)
    assert [p.field for p in problems] == ["status"]
    assert [t.trial_id for t in records.trials] == ["t0000", "t0001", "t0003", "t0004", "t0005"]


def test_an_edit_within_the_racy_window_is_seen_even_with_the_same_stat(tmp_path, cache_dir):
    folder = _study(tmp_path / "book", 2)
    _load(folder)
    path = folder / "trials" / "t0001.json"
    before = os.stat(path)
    text = path.read_text()
    path.write_text(text.replace('"adam.learning_rate": 0.002', '"adam.learning_rate": 0.003'))
    after = os.stat(path)
    # pretend the file system's clock did not move (it moves by ticks): the stat key matches
    index = next(cache_dir.glob("*/index.json"))
    data = json.loads(index.read_text())
    data["trials"]["t0001.json"][0] = rc.stat_key(after)
    index.write_text(json.dumps(data))
    assert before.st_size == after.st_size
    records, problems = _load(folder)
    assert problems == []
    assert records.trials[1].hyperparameters["adam.learning_rate"] == 0.003


def test_removed_and_added_files_and_a_torn_cache(tmp_path, cache_dir):
    root = tmp_path / "book"
    folder = _study(root)
    _load(folder)
    (folder / "trials" / "t0001.json").unlink()
    write_trial(root, _trial(7))
    records, _ = _load(folder)
    assert [t.trial_id for t in records.trials] == ["t0000", "t0002", "t0003", "t0004", "t0005", "t0007"]
    index = json.loads(next(cache_dir.glob("*/index.json")).read_text())
    assert sorted(index["trials"]) == [f"{t.trial_id}.json" for t in records.trials]
    # the curves of the removed trial are dropped with their segment once nothing points at it
    segments = {e[2] for e in index["trials"].values()}
    assert {p.name for p in _study_dir(cache_dir).glob("seg-*.bin")} == {
        f"seg-{s}.bin" for s in segments
    }
    # a cut segment, a garbled index: misses, the same records
    for seg in _study_dir(cache_dir).glob("seg-*.bin"):
        seg.write_bytes(seg.read_bytes()[:100])
    again, problems = _load(folder)
    assert problems == [] and _dumped(again) == _dumped(records)
    next(cache_dir.glob("*/index.json")).write_text("{not json")
    again, problems = _load(folder)
    assert problems == [] and _dumped(again) == _dumped(records)


def test_a_foreign_code_digest_or_folder_is_a_miss(tmp_path, cache_dir, monkeypatch):
    folder = _study(tmp_path / "book", 2)
    _load(folder)
    _age(folder)
    assert rc.study_cache(folder)._entries
    index = next(cache_dir.glob("*/index.json"))
    data = json.loads(index.read_text())
    index.write_text(json.dumps({**data, "code": "0" * 64}))
    assert not rc.study_cache(folder)._entries
    index.write_text(json.dumps({**data, "folder": "/elsewhere"}))
    assert not rc.study_cache(folder)._entries
    # a copy of the study elsewhere has a cache of its own
    copy = tmp_path / "other" / "demo"
    shutil.copytree(folder, copy)
    assert rc.study_cache(copy).dir != rc.study_cache(folder).dir


def test_off_and_unwritable(tmp_path, monkeypatch):
    folder = _study(tmp_path / "book", 2)
    monkeypatch.setenv(rc.CACHE_ENV, "off")
    assert rc.cache_root() is None
    records, problems = _load(folder)
    assert problems == [] and len(records.trials) == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(rc.CACHE_ENV, str(blocker / "cache"))  # cannot be made: no error
    records, problems = _load(folder)
    assert problems == [] and len(records.trials) == 2


def test_default_location_is_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv(rc.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert rc.cache_root() == tmp_path / "xdg" / "reportgen"


def test_cached_load_feeds_check_the_same_problems(tmp_path, cache_dir, cli):
    folder = _study(tmp_path / "book", 3)
    path = folder / "trials" / "t0001.json"
    path.write_text(path.read_text().replace('"trial_id": "t0001"', '"trial_id": "t0009"'))
    for _ in range(2):  # a miss, then a hit: the cross-checks run on cached records too
        out = cli("check", "--logbook", str(tmp_path / "book"), cwd=tmp_path)
        assert out.returncode == 1
        assert "trial_id: 't0009' does not match its file name 't0001'" in out.stdout
    assert list(cache_dir.glob("*/index.json"))


def test_the_cache_of_a_folder_that_is_gone_is_dropped(tmp_path, cache_dir):
    first = _study(tmp_path / "one")
    _load(first)
    (old,) = (d for d in cache_dir.iterdir() if d.is_dir())
    shutil.rmtree(tmp_path / "one")
    second = _study(tmp_path / "two")
    _load(second)
    assert old.exists()  # looked for at most once an hour
    os.utime(cache_dir / rc.SWEPT_NAME, (0, 0))
    third = _study(tmp_path / "three")
    _load(third)
    assert not old.exists()
    assert sorted(d.name for d in cache_dir.iterdir() if d.is_dir()) == sorted(
        rc.study_cache(f).dir.name for f in (second, third)
    )


def test_segments_are_compacted_as_trials_keep_landing(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr(rc, "MAX_SEGMENTS", 3)
    root = tmp_path / "book"
    folder = _study(root, 1)
    _load(folder)
    for i in range(1, 8):  # a trial lands between loads, as `reportgen serve` sees a study
        write_trial(root, _trial(i))
        _load(folder)
        assert len(list(_study_dir(cache_dir).glob("seg-*.bin"))) <= 3
    _age(folder)
    plain, _ = _load(folder, cached=False)
    cache = rc.study_cache(folder)
    cached, problems = _load(folder)
    assert problems == [] and _dumped(cached) == _dumped(plain)
    for t in cached.trials:
        path = folder / "trials" / f"{t.trial_id}.json"
        assert cache.lookup(path.name, os.lstat(path), path) is not None


def test_the_racy_window_counts_from_before_the_first_stat_of_the_load(tmp_path, cache_dir, monkeypatch):
    """A long load must not move the window past the stats it took at its start."""
    import time

    import reportgen.store.load as load_module

    folder = _study(tmp_path / "book", 3)
    stat_times: list[int] = []
    lstat = os.lstat

    def timed_lstat(path):  # type: ignore[no-untyped-def]
        stat_times.append(time.time_ns())
        time.sleep(0.01)
        return lstat(path)

    monkeypatch.setattr(load_module.os, "lstat", timed_lstat)
    _load(folder)
    index = json.loads(next(cache_dir.glob("*/index.json")).read_text())
    assert stat_times and index["cached_at_ns"] <= stat_times[0]

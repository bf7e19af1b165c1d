"""Compiled group programs kept between processes (`runners.program_cache`): a second trainer
loads them without tracing and trains the same bits; another plan, a tampered entry, a plugin's
workload or a process without a compilation cache compiles as before."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.runners.conftest import ADAM_TRIAL

pytest.importorskip("jax")
pytestmark = pytest.mark.jax

HPS = [dict(ADAM_TRIAL, learning_rate=3e-3), dict(ADAM_TRIAL, learning_rate=1e-2)]
SEEDS = [(1, 11, 21), (2, 12, 22)]


@pytest.fixture
def cache_dir(tmp_path):
    """JAX's compilation cache folder pointed at a temporary one for the test, then restored."""
    import jax

    old = jax.config.jax_compilation_cache_dir
    jax.config.update("jax_compilation_cache_dir", str(tmp_path / "cache"))
    try:
        yield tmp_path / "cache"
    finally:
        jax.config.update("jax_compilation_cache_dir", old)


def _trainer(workload=None, steps: int = 20):
    from runners.device_data import device_data
    from runners.vectorised import GroupPlan, GroupTrainer
    from runners.workloads import get_workload

    w = workload or get_workload("digits_mlp")
    cfg = {**w.all_settings(), "width": 8, "batch_size": 16}
    return GroupTrainer(GroupPlan(w, cfg, "adam", steps, 10), device_data(w.load(cfg), 100))


def _numbers(outcome) -> list:
    return [(t.curves, t.test_metrics, t.diverged_step) for t in outcome.trials]


def _no_tracing(monkeypatch) -> list[str]:
    """Make every ``jax.jit`` the trainer calls fail the test; returns the calls made."""
    import runners.vectorised as vectorised

    calls: list[str] = []

    class NoJit:
        def __call__(self, fn, **kw):
            calls.append(getattr(fn, "__name__", repr(fn)))
            raise AssertionError("traced although the program was kept")

    monkeypatch.setattr(vectorised.jax, "jit", NoJit())
    return calls


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "programs").glob("*.bin"))


@pytest.mark.parametrize("mode", ["vectorised", "sequential"])
def test_a_second_trainer_loads_the_programs_and_trains_the_same_bits(cache_dir, monkeypatch, mode):
    first = _trainer().train(HPS, SEEDS, mode)
    assert len(_entries(cache_dir)) == 3  # init, one segment length, test
    calls = _no_tracing(monkeypatch)
    second = _trainer().train(HPS, SEEDS, mode)
    assert calls == []
    assert _numbers(second) == _numbers(first)
    assert second.compile_seconds < first.compile_seconds


def test_another_plan_or_group_size_is_compiled_not_loaded(cache_dir):
    _trainer().train(HPS, SEEDS)
    kept = set(_entries(cache_dir))
    _trainer(steps=30).train(HPS, SEEDS)  # the schedule's span is traced into the program
    longer = set(_entries(cache_dir)) - kept
    assert len(longer) == 3
    _trainer().train(HPS * 2, SEEDS * 2)  # four trials: other shapes
    assert len(set(_entries(cache_dir)) - kept - longer) == 3


def test_a_tampered_or_planted_entry_is_a_miss(cache_dir, monkeypatch):
    import runners.vectorised as vectorised

    first = _trainer().train(HPS, SEEDS)
    entries = _entries(cache_dir)
    for path in entries[:2]:  # one edited, one replaced by a file sealed with another key
        data = bytearray(path.read_bytes())
        data[-100] ^= 0xFF
        path.write_bytes(bytes(data))
    entries[2].write_bytes(b"0" * 64 + b"\n" + b"not an executable")
    jits = []
    real = vectorised.jax.jit
    monkeypatch.setattr(vectorised.jax, "jit", lambda fn, **kw: jits.append(1) or real(fn, **kw))
    again = _trainer().train(HPS, SEEDS)
    assert len(jits) == 3  # all three compiled again
    assert _numbers(again) == _numbers(first)


def test_a_plugin_workload_or_no_compilation_cache_keeps_nothing(tmp_path, cache_dir):
    import jax

    from runners.program_cache import builtin
    from runners.workloads import get_workload

    digits = get_workload("digits_mlp")
    plugin = dataclasses.replace(digits, init=lambda key, cfg: digits.init(key, cfg))
    assert builtin(digits) and not builtin(plugin)
    _trainer(plugin).train(HPS, SEEDS)
    assert _entries(cache_dir) == []
    jax.config.update("jax_compilation_cache_dir", None)
    _trainer().train(HPS, SEEDS)
    assert not (cache_dir / "programs").exists()


def test_the_key_names_the_program_the_options_and_the_argument_types():
    import jax.numpy as jnp

    from runners.program_cache import program_key

    plan = _trainer().plan
    args = ({"lr": jnp.ones(2)}, jnp.zeros((2, 3), jnp.uint32))
    key = program_key(plan, ("init", True, 0, 2, frozenset()), args, None)
    assert key == program_key(plan, ("init", True, 0, 2, frozenset()), args, None)
    others = [
        program_key(plan, ("test", True, 0, 2, frozenset()), args, None),
        program_key(plan, ("init", True, 0, 2, frozenset({"dropout"})), args, None),
        program_key(plan, ("init", True, 0, 2, frozenset()), args, {"a": 1}),
        program_key(plan, ("init", True, 0, 2, frozenset()), ({"lr": jnp.ones(3)}, args[1]), None),
        program_key(plan, ("init", True, 0, 2, frozenset()), ({"lr": 1.0 * jnp.ones(2)},
                                                             args[1].astype(jnp.int32)), None),
        program_key(dataclasses.replace(plan, optimizer="nadam"),
                    ("init", True, 0, 2, frozenset()), args, None),
    ]  # fmt: skip
    assert len({key, *others}) == len(others) + 1
    assert len(key) == 64  # a sha256, a safe file name

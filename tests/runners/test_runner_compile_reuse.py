"""A retrain in a second process reuses the group program a run compiled: group sizes are padded
to a power of two (``runners.group_size.group_bucket``) and the persistent compilation cache
keeps the program between processes (and `runners.program_cache` keeps it ready to load without
tracing)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reportgen.store import load_study, write_spec
from tests.conftest import REPO
from tests.runners.conftest import tiny_spec

pytest.importorskip("jax")
pytestmark = [pytest.mark.jax, pytest.mark.slow]


def _cli(lb, cache, *args: str, buckets: str = "on") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), REPORTGEN_COMPILE_CACHE=str(cache))
    env["REPORTGEN_GROUP_BUCKETS"] = buckets
    env.pop("XLA_FLAGS", None)
    cmd = [sys.executable, "-m", "reportgen", *args, "tiny", "--logbook", str(lb), "--quiet"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return r


def _entries(cache) -> set[str]:
    return {p.name for p in cache.iterdir() if "segment" in p.name or "init" in p.name}


@pytest.mark.parametrize("buckets", ["on", "off"])
def test_a_retrain_of_three_reuses_the_program_a_run_of_four_compiled(tmp_path, buckets):
    spec = tiny_spec(
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-3,
                "high": 1e-2,
            },  # fmt: skip
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [16]},
        ],
        trial_budget=4,
    )
    lb, cache = tmp_path / "lb", tmp_path / "cache"
    write_spec(lb, spec)
    _cli(lb, cache, "run", buckets=buckets)  # one group of 4 trials
    after_run = _entries(cache)
    programs = set((cache / "programs").glob("*.bin"))  # `runners.program_cache`
    assert after_run and programs
    _cli(lb, cache, "retrain", "--trial", "best", "--seeds", "3", buckets=buckets)
    new = _entries(cache) - after_run
    study, problems = load_study(lb / "tiny")
    assert problems == [] and study is not None
    retrains = [t for t in study.trials if t.kind.value == "retrain"]
    # the padded copy of the last retrain is never written
    assert len(retrains) == 3 and {t.execution.group_size for t in retrains} == {3}
    if buckets == "on":
        assert new == set()  # 3 padded to 4: the run's compiled programs served the retrain
        assert set((cache / "programs").glob("*.bin")) == programs  # loaded, not traced
    else:
        assert new  # without buckets the group of 3 is a new shape, compiled and cached anew


def test_a_program_jax_s_cache_gave_back_is_not_kept_and_later_runs_still_train(tmp_path):
    """An executable loaded from JAX's persistent cache serialises without its code: it is not
    kept (`runners.program_cache.compiled_and_kept`), so a third process still trains."""
    import shutil

    lb, cache = tmp_path / "lb", tmp_path / "cache"
    write_spec(lb, tiny_spec(trial_budget=2))
    _cli(lb, cache, "run")
    assert list((cache / "programs").glob("*.bin"))
    shutil.rmtree(cache / "programs")
    # one seed: a group of one, the run's shapes, so JAX's cache gives back every program
    _cli(lb, cache, "retrain", "--trial", "best", "--seeds", "1")
    assert list((cache / "programs").glob("*.bin")) == []
    _cli(lb, cache, "retrain", "--trial", "best", "--seeds", "2")  # trains the second seed alone
    study, problems = load_study(lb / "tiny")
    assert problems == [] and study is not None
    assert len([t for t in study.trials if t.kind.value == "retrain"]) == 2

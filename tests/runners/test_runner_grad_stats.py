"""Gradient-norm statistics recorded per eval interval inside the scanned step: mean, max, p90
and the fraction of steps clipped; a digits run writes them into the trial records."""

from __future__ import annotations

import numpy as np
import pytest

from tests.runners.conftest import ADAM_TRIAL, tiny_spec

pytest.importorskip("jax")
pytestmark = pytest.mark.jax

BASE = ADAM_TRIAL


def test_interval_statistics_and_clipped_fraction():
    from runners.device_data import device_data
    from runners.vectorised import GroupPlan, GroupTrainer
    from runners.workloads import get_workload

    w = get_workload("digits_mlp")
    cfg = {**w.all_settings(), "depth": 1, "width": 16, "batch_size": 32}
    trainer = GroupTrainer(GroupPlan(w, cfg, "adam", 40, 20), device_data(w.load(cfg), 1000))
    hps = [dict(BASE, grad_clip=0.0), dict(BASE, grad_clip=1e-6), dict(BASE, grad_clip=1e6)]
    out = trainer.train(hps, [(1, 2, 3)] * 3, "vectorised").trials
    for t in out:
        mean, p90, mx = (
            np.asarray(t.curves[k]) for k in ("grad_norm", "grad_norm_p90", "grad_norm_max")
        )
        assert mean.shape == p90.shape == mx.shape == (2,)
        assert np.all(mx >= p90) and np.all(mx >= mean) and np.all(mean > 0)
    assert out[0].curves["clipped_fraction"] == [0.0, 0.0]  # clipping off
    assert out[1].curves["clipped_fraction"] == [1.0, 1.0]  # every step clipped
    assert out[2].curves["clipped_fraction"] == [0.0, 0.0]  # threshold never reached


def test_a_digits_run_records_the_columns(tmp_path):
    from reportgen.store import load_study, write_spec
    from tests.conftest import run_cli

    logbook = tmp_path / "logbook"
    spec = tiny_spec(trial_budget=2)
    spec = spec.model_copy(
        update={
            "search_space": [
                *spec.search_space[:2],
                spec.search_space[2].model_copy(update={"values": [16]}),
            ]
        }
    )
    write_spec(logbook, spec)
    done = run_cli("run", "tiny", "--logbook", str(logbook), "--quiet")
    assert done.returncode == 0, done.stderr
    records, problems = load_study(logbook / "tiny")
    assert problems == []
    for t in records.trials:
        c = t.curves
        assert len(c.grad_norm_max) == len(c.grad_norm_p90) == len(c.clipped_fraction) == len(c)
        assert c.clipped_fraction == [0.0] * len(c)  # no clipping in this study
        assert all(m >= g for m, g in zip(c.grad_norm_max, c.grad_norm, strict=True))

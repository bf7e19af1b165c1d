"""The group trainer on digits_mlp: vectorised = sequential, divergence masked, accuracy."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.runners.conftest import ADAM_TRIAL

pytest.importorskip("jax")
pytestmark = pytest.mark.jax

BASE = ADAM_TRIAL


@pytest.fixture(scope="module")
def digits():
    from runners.device_data import device_data
    from runners.workloads import get_workload

    w = get_workload("digits_mlp")
    cfg = {**w.all_settings(), "depth": 1, "width": 32, "batch_size": 64}
    return w, cfg, device_data(w.load(cfg), 1000)


def _trainer(digits, steps=120, every=40):
    from runners.vectorised import GroupPlan, GroupTrainer

    w, cfg, data = digits
    return GroupTrainer(GroupPlan(w, cfg, "adam", steps, every), data)


def test_vectorised_and_sequential_agree_on_non_chaotic_trials(digits):
    trainer = _trainer(digits)
    hps = [dict(BASE, learning_rate=lr) for lr in (3e-4, 1e-3, 3e-3)]
    seeds = [(1, 2, 3), (4, 5, 6), (7, 8, 9)]
    vec = trainer.train(hps, seeds, "vectorised")
    seq = trainer.train(hps, seeds, "sequential")
    for a, b in zip(vec.trials, seq.trials, strict=True):
        assert a.steps == b.steps == [40, 80, 120]
        for m in ("train_loss", "valid_loss", "valid_error", "grad_norm", "learning_rate"):
            np.testing.assert_allclose(a.curves[m], b.curves[m], rtol=1e-3, atol=1e-4)
        assert a.test_metrics == pytest.approx(b.test_metrics, abs=1e-3)


def test_a_diverged_trial_is_masked_and_never_poisons_its_group(digits):
    trainer = _trainer(digits)
    good = dict(BASE, learning_rate=1e-3)
    alone = trainer.train([good, good], [(1, 2, 3), (4, 5, 6)], "vectorised")
    mixed = trainer.train(
        [good, dict(BASE, learning_rate=1e4)], [(1, 2, 3), (4, 5, 6)], "vectorised"
    )
    healthy, blown = mixed.trials
    np.testing.assert_allclose(
        healthy.curves["valid_loss"], alone.trials[0].curves["valid_loss"], rtol=1e-5
    )
    assert all(math.isfinite(x) for x in healthy.curves["train_loss"])
    assert blown.diverged_step is not None and blown.diverged_step <= 40
    assert math.isnan(blown.curves["valid_loss"][0])  # the eval after divergence is marked


def test_digits_mlp_reaches_95_percent_validation_accuracy(digits):
    from runners.vectorised import GroupPlan, GroupTrainer

    w, cfg, data = digits
    cfg = {**cfg, "depth": 2, "width": 64, "batch_size": 128}
    trainer = GroupTrainer(GroupPlan(w, cfg, "adam", 600, 100), data)
    hp = dict(BASE, learning_rate=3e-3, schedule=2.0, warmup_steps=50.0)
    out = trainer.train([hp], [(11, 12, 13)], "vectorised").trials[0]
    best_error = min(out.curves["valid_error"])
    assert 1.0 - best_error >= 0.95, out.curves["valid_error"]
    assert out.test_metrics["test_accuracy"] >= 0.93

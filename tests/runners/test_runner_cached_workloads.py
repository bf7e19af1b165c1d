"""fashion_cnn and shakespeare_lm train a few steps (skipped when their data is not cached)."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("jax")
pytestmark = [pytest.mark.jax, pytest.mark.slow]

HP = {
    "learning_rate": 3e-3,
    "b1": 0.9,
    "b2": 0.999,
    "eps": 1e-8,
    "warmup_steps": 0.0,
    "weight_decay": 0.0,
    "grad_clip": 1.0,
    "label_smoothing": 0.0,
    "dropout": 0.1,
    "schedule": 0.0,
}


@pytest.mark.parametrize(
    ("name", "small"),
    [
        ("fashion_cnn", {"channels1": 4, "channels2": 8, "hidden": 16, "batch_size": 16}),
        (
            "shakespeare_lm",
            {"context": 16, "d_model": 16, "layers": 1, "heads": 2, "eval_windows": 32},
        ),
    ],
)
def test_workload_learns_in_a_few_steps(name, small):
    import dataclasses

    from reportgen.errors import ReportgenError
    from runners.device_data import device_data
    from runners.vectorised import GroupPlan, GroupTrainer
    from runners.workloads import get_workload

    w = get_workload(name)
    cfg = {**w.all_settings(), **small}
    try:
        data = w.load(cfg)
    except ReportgenError as e:
        pytest.skip(str(e))
    data = dataclasses.replace(
        data,
        x_valid=data.x_valid[:256],
        y_valid=data.y_valid[:256],
        x_test=data.x_test[:256],
        y_test=data.y_test[:256],
    )
    trainer = GroupTrainer(GroupPlan(w, cfg, "adam", 60, 30), device_data(data, 128))
    out = trainer.train([HP, HP], [(1, 2, 3), (4, 5, 6)], "vectorised").trials
    for t in out:
        assert t.diverged_step is None
        assert all(math.isfinite(x) for x in t.curves["valid_loss"])
        assert t.curves["train_loss"][-1] < t.curves["train_loss"][0]
    assert data.info["n_train"] > 0

"""A group whose trials all set a regulariser to 0 gets a program without it
(`runners.specialise`): the same curves as the general program, and a group where one trial
uses it keeps it for all of them."""

from __future__ import annotations

import numpy as np
import pytest

from tests.runners.conftest import ADAM_TRIAL

pytest.importorskip("jax")
pytestmark = pytest.mark.jax

BASE = dict(ADAM_TRIAL, learning_rate=3e-3, schedule=2.0)


def test_compiled_out_names_only_what_every_trial_leaves_at_zero():
    from runners.specialise import REGULARISERS, compiled_out

    assert compiled_out([BASE, BASE]) == frozenset(REGULARISERS)
    mixed = compiled_out([BASE, dict(BASE, dropout=0.1, grad_clip=1.0)])
    assert mixed == frozenset({"weight_decay", "label_smoothing"})


def _train(off, hps):
    import jax
    import jax.numpy as jnp

    from runners.device_data import device_data
    from runners.vectorised import GroupPlan, Program
    from runners.workloads import get_workload

    w = get_workload("digits_mlp")
    cfg = {**w.all_settings(), "depth": 2, "width": 32, "batch_size": 32}
    data = device_data(w.load(cfg), 100)
    prog = Program(GroupPlan(w, cfg, "adam", 60, 30), off)
    hp = {k: jnp.asarray([h[k] for h in hps], jnp.float32) for k in sorted(hps[0])}
    sd = jnp.asarray(np.asarray([(i + 1, i + 11, i + 21) for i in range(len(hps))], np.uint32))
    state = jax.jit(jax.vmap(prog.init))(hp, sd)
    seg = jax.jit(jax.vmap(lambda s, h, k: prog.segment(s, h, k, data, 30)))
    rows = []
    for _ in range(2):
        state, metrics = seg(state, hp, sd)
        rows.append({k: np.asarray(v) for k, v in metrics.items()})
    return rows, state


def test_the_specialised_program_trains_the_same_numbers():
    """Dropout at rate 0 keeps every unit, a clip at infinity and a decay of 0 change nothing,
    labels smoothed by 0 are the labels: the program without them gives the general program's
    curves to float32 rounding (XLA fuses the two programs differently)."""
    from runners.specialise import compiled_out

    hps = [BASE, dict(BASE, learning_rate=1e-2)]
    general, g_state = _train(frozenset(), hps)
    special, s_state = _train(compiled_out(hps), hps)
    for a, b in zip(general, special, strict=True):
        for k in ("train_loss", "valid_loss", "valid_error", "grad_norm", "learning_rate"):
            np.testing.assert_allclose(a[k], b[k], rtol=1e-5, atol=1e-6, err_msg=k)
    assert general[-1]["valid_error"].max() < 0.5  # it trained


def test_one_trial_with_dropout_keeps_dropout_for_the_group():
    """A group with one dropout trial keeps the traced rate: that trial's curve differs from
    the same trial without dropout, and its partner's does not."""
    from runners.device_data import device_data
    from runners.vectorised import GroupPlan, GroupTrainer
    from runners.workloads import get_workload

    w = get_workload("digits_mlp")
    cfg = {**w.all_settings(), "depth": 2, "width": 32, "batch_size": 32}
    trainer = GroupTrainer(GroupPlan(w, cfg, "adam", 60, 30), device_data(w.load(cfg), 100))
    seeds = [(1, 2, 3), (4, 5, 6)]
    plain = trainer.train([BASE, BASE], seeds).trials
    mixed = trainer.train([BASE, dict(BASE, dropout=0.5)], seeds).trials
    np.testing.assert_allclose(
        plain[0].curves["train_loss"], mixed[0].curves["train_loss"], rtol=1e-5
    )
    assert not np.allclose(plain[1].curves["train_loss"], mixed[1].curves["train_loss"])

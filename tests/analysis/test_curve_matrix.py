"""Checks run on every trial through matrices of equal-length curves find exactly what the
same checks find trial by trial: spikes in the training loss, hand-edited schedules."""

from __future__ import annotations

import numpy as np
import pytest

from reportgen.analysis import loss_spikes, schedule
from reportgen.analysis.curve_matrix import curve_matrices
from reportgen.analysis.objective import score_trials
from reportgen.schema import Curves, Objective, Policy, Status
from tests.analysis.analysis_builders import spec, trial


def _trials(seed: int) -> list:
    """Trials of three lengths and a few odd ones: spikes, schedules that rise again, NaN."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(300):
        n = (10, 25, 60)[k % 3] if k % 11 else int(rng.integers(1, 8))
        x = np.arange(n) / max(n, 1)
        loss = 2.0 * np.exp(-3 * x) + rng.normal(0, 0.01, n)
        if k % 4 == 0 and n > 4:  # a spike of a few evaluations
            at = int(rng.integers(1, n - 2))
            loss[at : at + int(rng.integers(1, 4))] *= rng.uniform(1.05, 3.0)
        lr = 0.1 * np.minimum(1.0, (x + 0.1) / 0.3) * (1 - x)  # warmup, then linear decay
        if k % 5 == 0 and n > 3:  # raised again by hand
            lr[int(rng.integers(n // 2, n)) :] *= rng.uniform(0.9, 2.0)
        if k % 13 == 0 and n > 2:
            (loss if k % 2 else lr)[int(rng.integers(0, n))] = np.nan
        status = Status.COMPLETE if np.isfinite(loss).all() else Status.DIVERGED
        t = trial(f"t{k:03d}", (0.5 + 0.1 * loss).tolist(), train=loss.tolist(), index=k,
                  status=status)  # fmt: skip
        c = t.curves
        curves = Curves(
            step=c.step, train_loss=c.train_loss, valid_loss=c.valid_loss,
            valid_error=c.valid_error, learning_rate=lr.tolist(), grad_norm=c.grad_norm,
        )  # fmt: skip
        out.append(t.model_copy(update={"curves": curves}))
    return out


def test_matrices_group_all_finite_curves_by_length():
    trials = _trials(0)
    groups, rest = curve_matrices(trials, "train_loss", min_length=4)
    seen = sorted([*rest, *(int(i) for g in groups for i in g.rows)])
    assert seen == list(range(len(trials)))
    for g in groups:
        for r, i in enumerate(g.rows):
            assert g.values[r].tolist() == list(trials[i].curves.train_loss)
    assert all(len(trials[i].curves) < 4 or not np.isfinite(trials[i].curves.train_loss).all()
               for i in rest)  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_instability_and_schedule_checks_are_those_of_every_trial_alone(seed, monkeypatch):
    s = spec(max_train_steps=600)
    search = score_trials(_trials(seed), Objective())
    policy = Policy()
    batched = (loss_spikes.check_instability(s, search, policy), schedule.check_hand_edited(search))
    every = lambda trials, *args: list(trials)  # noqa: E731 - look at every trial
    monkeypatch.setattr(loss_spikes, "_may_spike", every)
    monkeypatch.setattr(schedule, "_may_rise_again", every)
    alone = (loss_spikes.check_instability(s, search, policy), schedule.check_hand_edited(search))
    assert batched == alone
    episodes, edited = alone[0][1], alone[1]
    assert len(episodes) > 10 and len(edited) > 10  # both checks had something to find


def test_the_spike_smoothing_is_a_running_median_of_three_row_by_row():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(5, 40))
    padded = np.concatenate([y[:, :1], y, y[:, -1:]], axis=1)
    oracle = np.median(np.stack([padded[:, :-2], padded[:, 1:-1], padded[:, 2:]]), axis=0)
    assert np.array_equal(loss_spikes._smooth(y), oracle)
    assert all(np.array_equal(loss_spikes._smooth(row), oracle[r]) for r, row in enumerate(y))

"""Calibration of the launch rule by simulation: false-adopt rate on A/A comparisons and power.

Both arms are drawn from normal distributions with unit retrain standard deviation. ``adopt_rate``
is one Welch look at ``policy.false_adopt_rate`` (the former rule, kept for comparison);
``sequential_adopt_rate`` is the planned-look rule under repeated analysis. The full calibration,
through ``analyze_study`` in every workflow of issue 15, is ``bench/decision_calibration.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analysis.launch import welch_bounds
from reportgen.analysis.sequential import look_reached, pocock_level
from reportgen.schema import Policy


@dataclass(frozen=True)
class AdoptRate:
    effect_sd: float  # true improvement of the candidate, in retrain standard deviations
    n_per_arm: int
    n_sims: int
    adopt_rate: float
    mc_error: float  # Monte Carlo standard error of adopt_rate


def adopt_rate(
    effect_sd: float, n_per_arm: int, n_sims: int, policy: Policy, rng: np.random.Generator
) -> AdoptRate:
    """How often the rule adopts when the candidate is truly better by ``effect_sd`` (0 = A/A)."""
    # objective minimised: the candidate's mean is lower by the effect
    c = rng.normal(-effect_sd, 1.0, size=(n_sims, n_per_arm))
    b = rng.normal(0.0, 1.0, size=(n_sims, n_per_arm))
    n = np.full(n_sims, float(n_per_arm))
    _, low, _ = welch_bounds(
        c.mean(1), c.var(1, ddof=1), n, b.mean(1), b.var(1, ddof=1), n, 1.0, policy.false_adopt_rate
    )
    rate = float((low > policy.min_effect).mean())
    return AdoptRate(effect_sd, n_per_arm, n_sims, rate, float(np.sqrt(rate * (1 - rate) / n_sims)))


def power_table(
    policy: Policy,
    rng: np.random.Generator,
    effects: tuple[float, ...] = (0.0, 1.0, 2.0),
    ns: tuple[int, ...] = (3, 5, 10),
    n_sims: int = 4000,
) -> list[AdoptRate]:
    """Adopt rates for each (effect, retrains per arm); effect 0 is the A/A false-adopt rate."""
    return [adopt_rate(e, n, n_sims, policy, rng) for e in effects for n in ns]


def sequential_adopt_rate(
    effect_sd: float,
    add_per_look: int,
    n_looks: int,
    n_sims: int,
    policy: Policy,
    rng: np.random.Generator,
) -> AdoptRate:
    """How often the planned-look rule adopts when a user starts at the first look and adds
    ``add_per_look`` retrains per arm after every inconclusive analysis, ``n_looks`` times.

    Vectorised copy of the launch rule on normal retrains (no infeasible retrains, no floor):
    each analysis uses the first n retrains of the last planned look reached, at Pocock's level.
    """
    looks = policy.looks()
    level = pocock_level(looks, policy.false_adopt_rate)
    n_max = looks[0] + add_per_look * (n_looks - 1)
    c = rng.normal(-effect_sd, 1.0, size=(n_sims, n_max))
    b = rng.normal(0.0, 1.0, size=(n_sims, n_max))
    done = np.zeros(n_sims, dtype=bool)
    adopted = np.zeros(n_sims, dtype=bool)
    for i in range(n_looks):
        k = look_reached(looks[0] + add_per_look * i, looks)
        if k is None:
            continue
        n = looks[k]
        nn = np.full(n_sims, float(n))
        cc, bb = c[:, :n], b[:, :n]
        _, low, high = welch_bounds(
            cc.mean(1), cc.var(1, ddof=1), nn, bb.mean(1), bb.var(1, ddof=1), nn, 1.0, level
        )
        adopt = ~done & (low > policy.min_effect)
        adopted |= adopt
        done |= adopt | (high < policy.min_effect)
    rate = float(adopted.mean())
    return AdoptRate(effect_sd, n_max, n_sims, rate, float(np.sqrt(rate * (1 - rate) / n_sims)))

"""Calibration of the launch rule by simulation on normal retrains (no nuisance hyperparameters).

Both arms are drawn from normal distributions with unit retrain standard deviation.
``adopt_rate`` is one Welch look at ``policy.false_adopt_rate``; ``sequential_adopt_rate`` is the
planned-look rule under repeated analysis (the effect model and boundary ``launch`` uses). The full
calibration, with nuisance-tuning luck, reruns and unequal evaluation noise, is
``bench/decision_calibration.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analysis import effect_model as em
from reportgen.analysis.sequential import look_reached, plan_levels
from reportgen.schema import Policy


@dataclass(frozen=True)
class AdoptRate:
    effect_sd: float  # true improvement of the candidate, in retrain standard deviations
    n_per_arm: int
    n_sims: int
    adopt_rate: float
    mc_error: float  # Monte Carlo standard error of adopt_rate
    reject_rate: float = 0.0


def _rate(adopted: np.ndarray, rejected: np.ndarray, effect_sd: float, n: int) -> AdoptRate:
    rate = float(adopted.mean())
    return AdoptRate(
        effect_sd, n, adopted.size, rate, float(np.sqrt(rate * (1 - rate) / adopted.size)),
        float(rejected.mean()),
    )  # fmt: skip


def adopt_rate(
    effect_sd: float, n_per_arm: int, n_sims: int, policy: Policy, rng: np.random.Generator
) -> AdoptRate:
    """How often one Welch look at the policy's level adopts when the candidate is truly better by
    ``effect_sd`` (0 = A/A)."""
    c = rng.normal(-effect_sd, 1.0, size=(n_sims, n_per_arm))  # scores: lower is better
    b = rng.normal(0.0, 1.0, size=(n_sims, n_per_arm))
    none = np.zeros((n_sims, 0))
    est = em.estimate(c, b, none, none, "retrains")
    low, high = em.bounds(est.effect, est.se, est.df, policy.false_adopt_rate)
    return _rate(low > policy.min_effect, high < policy.min_effect, effect_sd, n_per_arm)


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

    Each analysis uses the first n retrains of the last planned look reached, at that look's
    nominal level of the spending plan.
    """
    looks = policy.looks()
    levels = plan_levels(looks, policy.false_adopt_rate, policy.spending)
    n_max = looks[0] + add_per_look * (n_looks - 1)
    c = rng.normal(-effect_sd, 1.0, size=(n_sims, n_max))
    b = rng.normal(0.0, 1.0, size=(n_sims, n_max))
    none = np.zeros((n_sims, 0))
    done = np.zeros(n_sims, dtype=bool)
    adopted = np.zeros(n_sims, dtype=bool)
    rejected = np.zeros(n_sims, dtype=bool)
    for i in range(n_looks):
        k = look_reached(looks[0] + add_per_look * i, looks)
        if k is None:
            continue
        n = looks[k]
        est = em.estimate(c[:, :n], b[:, :n], none, none, "retrains")
        low, high = em.bounds(est.effect, est.se, est.df, levels[k])
        adopt = ~done & (low > policy.min_effect)
        reject = ~done & (high < policy.min_effect)
        adopted |= adopt
        rejected |= reject
        done |= adopt | reject
    return _rate(adopted, rejected, effect_sd, n_max)

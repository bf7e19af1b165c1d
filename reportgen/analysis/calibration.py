"""Calibration of the launch rule by simulation: false-adopt rate on A/A comparisons and power.

Both arms are drawn from normal distributions with unit retrain standard deviation; the rule is
the same vectorised Welch bound the launch decision uses, so the numbers describe that rule.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analysis.launch import welch_bounds
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

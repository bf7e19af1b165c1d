"""Group-sequential boundary for the launch decision: planned looks, Pocock's constant boundary.

The decision may only change at planned retrain counts per arm (``policy.look_sizes``, e.g. 3,
5, 10, 20, 40). At a look of n retrains, the first n retrains of each arm (in retrain order) are
compared; retrains beyond the last reached look wait for the next one. Analysing the study again
without reaching a new look therefore gives the same answer, so the number of looks is counted by
the plan itself, however often a user runs ``reportgen analyze``.

Pocock's boundary (Pocock 1977) tests every look at the same nominal level, chosen so that the
chance of crossing at any look under no effect is ``alpha``. The looks' statistics are correlated
like partial sums of a Brownian motion (corr = sqrt(n_i / n_j)); the crossing probability is
computed by the recursive numerical integration of Armitage, McPherson & Rowe (1969) on a fixed
grid, so it is deterministic. Welch t statistics are tested at the nominal level through their
own t quantiles (the usual treatment of unknown variances, Jennison & Turnbull 2000, §3.8);
``bench/decision_calibration.py`` measures the resulting false-adopt rate by simulation.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import optimize, stats

_GRID = 501  # points of the integration grid per look


def crossing_probability(c: float, info: tuple[float, ...]) -> float:
    """P(Z_k > c for some look k) for standardised partial sums observed at information ``info``."""
    total = float(stats.norm.sf(c))
    grid = np.linspace(-10 * math.sqrt(info[0]), c * math.sqrt(info[0]), _GRID)
    density = stats.norm.pdf(grid, scale=math.sqrt(info[0]))  # of S_1 below the boundary
    for k in range(1, len(info)):
        sd = math.sqrt(info[k] - info[k - 1])
        bound = c * math.sqrt(info[k])
        w = np.full(grid.size, grid[1] - grid[0])
        w[0] = w[-1] = w[0] / 2
        mass = density * w
        total += float(mass @ stats.norm.sf((bound - grid) / sd))
        if k == len(info) - 1:
            break
        nxt = np.linspace(-10 * math.sqrt(info[k]), bound, _GRID)
        density = stats.norm.pdf((nxt[:, None] - grid[None, :]) / sd) @ mass / sd
        grid = nxt
    return total


# pocock_level of the default policy's plan, solved once here (tests/analysis/
# test_decision_cases.py solves it again): the root search costs each build process 0.3 s
SOLVED = {((3, 5, 10, 20, 40), 0.05): 0.01410559231721558}


@lru_cache(maxsize=64)
def pocock_level(looks: tuple[int, ...], alpha: float) -> float:
    """Nominal one-sided level tested at every look so that the overall level is ``alpha``."""
    if len(looks) == 1:
        return alpha
    known = SOLVED.get((looks, alpha))
    return known if known is not None else solve_pocock(looks, alpha)


def solve_pocock(looks: tuple[int, ...], alpha: float) -> float:
    """``pocock_level`` by root search on ``crossing_probability`` (two looks or more)."""
    info = tuple(float(n) for n in looks)
    c = optimize.brentq(lambda c: crossing_probability(c, info) - alpha, 0.5, 6.0, xtol=1e-10)
    return float(stats.norm.sf(c))


def look_reached(n_per_arm: int, looks: tuple[int, ...]) -> int | None:
    """Index of the last planned look with at most ``n_per_arm`` retrains (None before the first)."""
    reached = [k for k, n in enumerate(looks) if n <= n_per_arm]
    return reached[-1] if reached else None

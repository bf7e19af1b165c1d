"""Group-sequential boundary for the launch decision: planned looks, Lan–DeMets alpha spending.

The decision may only change at planned retrain counts per arm (``policy.looks()``, e.g. 3, 5,
10). At a look of n retrains, the first n retrains of each arm (in retrain order) are compared;
retrains beyond the last reached look wait for the next one. Analysing the study again without
reaching a new look therefore gives the same answer, so the number of looks is counted by the plan
itself, however often a user runs ``reportgen analyze``.

The error rate is spent over the looks with a Lan–DeMets spending function (Lan & DeMets 1983):
at information fraction t (the look's retrains over the plan's last look) the plan has spent at
most alpha(t), where

- O'Brien–Fleming type: alpha(t) = 2 - 2 Phi(z_{alpha/2} / sqrt(t)) (keeps almost all of alpha for
  the last look, so a study that reaches it is tested near the stated level), or
- Pocock type: alpha(t) = alpha ln(1 + (e - 1) t).

The plan ends where the workflow stops (10 retrains per arm by default), so a study that follows
it uses all of its stated error rate instead of a fraction sized for looks it never takes. The
boundary of each look is solved from the looks before it by the recursive numerical integration of
Armitage, McPherson & Rowe (1969) (Jennison & Turnbull 2000, ch. 7) on a fixed grid, so it is
deterministic; each boundary depends only on the looks up to it, so the looks already passed keep
their boundaries when the study goes on. t statistics are tested at the nominal level through
their own t quantiles (Jennison & Turnbull 2000, §3.8); ``bench/decision_calibration.py``
measures the resulting error rates by simulation.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from reportgen.analysis.distributions import norm_isf, norm_pdf, norm_sf

_GRID = 801  # points of the integration grid per look
SPENDING = ("obrien_fleming", "pocock")


def spent(t: float, alpha: float, kind: str) -> float:
    """Error rate spent by information fraction ``t`` (0 < t <= 1)."""

    t = min(max(t, 0.0), 1.0)
    if t == 0:
        return 0.0
    if kind == "obrien_fleming":
        return float(2 * norm_sf(norm_isf(alpha / 2) / math.sqrt(t)))
    if kind == "pocock":
        return float(alpha * math.log(1 + (math.e - 1) * t))
    raise ValueError(f"unknown spending function {kind!r}; known: {', '.join(SPENDING)}")


def _weights(grid: np.ndarray) -> np.ndarray:
    w = np.full(grid.size, grid[1] - grid[0])
    w[0] = w[-1] = w[0] / 2
    return w


def _bisect(f, lo: float, hi: float, xtol: float) -> float:  # type: ignore[no-untyped-def]
    """The root of a decreasing ``f`` with ``f(lo) >= 0 >= f(hi)``, to within ``xtol``.

    ``scipy.optimize.brentq`` gives the same root (a test compares them), but importing
    ``scipy.optimize`` (with the linear algebra, sparse and spatial modules it loads) took about
    0.15 s, a quarter of `reportgen analyze` on a small study, for this one bracketed solve."""
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        if f(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@lru_cache(maxsize=128)
def spending_levels(
    fractions: tuple[float, ...], alpha: float, kind: str = "obrien_fleming"
) -> tuple[float, ...]:
    """Nominal one-sided level of each look, for looks at information ``fractions`` (increasing,
    the last one at most 1), so that the chance of crossing by look k under no effect is
    ``spent(fractions[k])``."""
    if any(b <= a for a, b in zip(fractions, fractions[1:], strict=False)) or fractions[0] <= 0:
        raise ValueError(f"information fractions must increase from above 0: {fractions}")
    levels: list[float] = []
    grid = density = None
    before = 0.0
    prev_t = 0.0
    for t in fractions:
        want = spent(t, alpha, kind) - before
        before += want
        if grid is None or density is None:  # first look: a plain normal tail
            c = float(norm_isf(want))
            bound = c * math.sqrt(t)
            grid = np.linspace(-10 * math.sqrt(t), bound, _GRID)
            density = norm_pdf(grid, scale=math.sqrt(t))
        else:
            sd = math.sqrt(t - prev_t)
            mass = density * _weights(grid)
            g = grid

            def crossing(
                b: float, mass: np.ndarray = mass, g: np.ndarray = g, sd: float = sd
            ) -> float:
                return float(mass @ norm_sf((b - g) / sd))

            hi = g[-1] + 12 * sd
            if want <= crossing(hi):  # nothing (left) to spend: the look cannot cross
                bound = math.inf
                c = math.inf
            else:
                bound = _bisect(lambda b, w=want: crossing(b) - w, float(g[0]), hi, 1e-12)
                c = bound / math.sqrt(t)
            top = bound if math.isfinite(bound) else g[-1] + 10 * sd
            nxt = np.linspace(-10 * math.sqrt(t), top, _GRID)
            density = norm_pdf((nxt[:, None] - g[None, :]) / sd) @ mass / sd
            grid = nxt
        prev_t = t
        levels.append(float(norm_sf(c)) if math.isfinite(c) else 0.0)
    return tuple(levels)


def plan_levels(looks: tuple[int, ...], alpha: float, kind: str) -> tuple[float, ...]:
    """Nominal level at each planned look of ``looks`` retrains per arm (fraction n / last)."""
    return spending_levels(tuple(n / looks[-1] for n in looks), alpha, kind)


def crossing_probability(levels: tuple[float, ...], fractions: tuple[float, ...]) -> float:
    """P(some look crosses its boundary) for standardised partial sums under no effect: the check
    that ``spending_levels`` spends what it should (by simulation-free integration)."""

    total = 0.0
    grid = density = None
    prev = 0.0
    for level, t in zip(levels, fractions, strict=True):
        c = norm_isf(level) if level > 0 else math.inf
        bound = c * math.sqrt(t)
        if grid is None or density is None:
            total += float(norm_sf(c))
            top = bound if math.isfinite(bound) else 10 * math.sqrt(t)
            grid = np.linspace(-10 * math.sqrt(t), top, _GRID)
            density = norm_pdf(grid, scale=math.sqrt(t))
        else:
            sd = math.sqrt(t - prev)
            mass = density * _weights(grid)
            if math.isfinite(bound):
                total += float(mass @ norm_sf((bound - grid) / sd))
            top = bound if math.isfinite(bound) else grid[-1] + 10 * sd
            nxt = np.linspace(-10 * math.sqrt(t), top, _GRID)
            density = norm_pdf((nxt[:, None] - grid[None, :]) / sd) @ mass / sd
            grid = nxt
        prev = t
    return total


def look_reached(n_per_arm: int, looks: tuple[int, ...]) -> int | None:
    """Index of the last planned look with at most ``n_per_arm`` retrains (None before the first)."""
    reached = [k for k, n in enumerate(looks) if n <= n_per_arm]
    return reached[-1] if reached else None

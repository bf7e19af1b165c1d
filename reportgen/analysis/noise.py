"""Evaluation noise: how much a validation metric jumps between evaluations, and its floor.

- ``eval_noise``: the standard deviation of white evaluation noise around a smooth curve, from
  second differences (y[t+1] - 2 y[t] + y[t-1] has variance 6 sigma^2 for white noise and is
  blind to a constant and a linear trend). The variance estimate is unbiased on white noise;
  adding a constant to the metric does not change it.
- ``binomial_floor``: for an error rate (or accuracy) measured on n validation examples, the
  binomial standard error sqrt(p (1 - p) / n), never below the resolution 1 / n (the checklist's
  noise floor, used by the ``below_noise_floor`` finding).
- ``paired_floor``: the smallest standard error a difference of two rates on the same n
  examples can have; the launch interval is never narrower than it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reportgen.analysis.findings import finding, fmt
from reportgen.schema import Finding, Severity, TrialRecord

# metrics that are a fraction of validation examples (an error rate or an accuracy)
RATE_WORDS = ("error", "accuracy", "acc")


def eval_noise(y: np.ndarray) -> float:
    """Standard deviation of white noise around a locally linear curve (0 with < 3 points)."""
    y = y[np.isfinite(y)]
    if y.size < 3:
        return 0.0
    d2 = y[2:] - 2 * y[1:-1] + y[:-2]
    return float(math.sqrt(float(d2 @ d2) / (6 * d2.size)))


def late_half(y: np.ndarray) -> np.ndarray:
    """The second half of a curve's finite evaluations (at least 3 when there are)."""
    y = y[np.isfinite(y)]
    return y[-max(3, y.size // 2) :] if y.size else y


def is_rate(metric: str) -> bool:
    name = metric.lower()
    return any(w in name for w in RATE_WORDS)


def eval_examples_of(trials: Sequence[TrialRecord]) -> int | None:
    """The validation-set size shared by ``trials`` (the smallest when they differ)."""
    sizes = [t.eval_examples for t in trials if t.eval_examples is not None]
    return min(sizes) if sizes else None


def binomial_floor(metric: str, values: Sequence[float], n_examples: int | None) -> float | None:
    """Binomial standard error of a rate metric at its mean value over ``n_examples``, never below
    the resolution ``1 / n_examples``; None when the metric is not a rate or the size is unknown."""
    if n_examples is None or not is_rate(metric):
        return None
    v = np.asarray([x for x in values if math.isfinite(x)], dtype=float)
    if v.size == 0 or v.min() < 0 or v.max() > 1:
        return None
    p = float(v.mean())
    return max(math.sqrt(p * (1 - p) / n_examples), 1 / n_examples)


def paired_floor(metric: str, effect: float, n_examples: int | None) -> float | None:
    """Smallest standard error of a difference of two rates on the same ``n_examples``.

    A gap ``effect`` means at least ``|effect| * n`` examples are scored differently by the two
    arms; a fresh validation sample would move the gap by at least sqrt(|d| (1 - |d|) / n) (the
    paired-proportion variance with no other discordant examples), and never by less than one
    example, 1 / n. None when the metric is not a rate or the size is unknown.
    """
    if n_examples is None or not is_rate(metric) or not math.isfinite(effect):
        return None
    d = min(abs(effect), 1.0)
    return max(math.sqrt(d * (1 - d) / n_examples), 1 / n_examples)


def check_noise_floor(
    metric: str,
    gaps: dict[str, float | None],
    values: Sequence[float],
    n_examples: int | None,
) -> list[Finding]:
    """``below_noise_floor`` when a compared gap is smaller than twice the binomial floor."""
    floor = binomial_floor(metric, values, n_examples)
    if floor is None:
        return []
    small = {k: abs(g) for k, g in gaps.items() if g is not None and abs(g) < 2 * floor}
    if not small:
        return []
    what = "; ".join(f"{k} {fmt(g)}" for k, g in small.items())
    return [
        finding(
            "below_noise_floor",
            Severity.WARNING,
            f"Compared gaps are below the validation set's noise floor: {what}, against a "
            f"binomial standard error of {fmt(floor)} for {metric} on {n_examples} examples "
            f"(twice that is {fmt(2 * floor)}). The validation set cannot tell these apart; "
            f"use a larger validation split before reading the gap as an effect.",
            floor=floor,
            eval_examples=n_examples,
            gaps=list(small.values()),
        )
    ]

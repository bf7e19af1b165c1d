"""Evaluation noise: how much a validation metric jumps between evaluations, and its floor.

- ``eval_noise``: the standard deviation of white evaluation noise around a smooth curve, from
  second differences (y[t+1] - 2 y[t] + y[t-1] has variance 6 sigma^2 for white noise and is
  blind to a constant and a linear trend). The variance estimate is unbiased on white noise;
  adding a constant to the metric does not change it.
- ``binomial_floor``: for an error rate (or accuracy) measured on n validation examples, the
  binomial standard error sqrt(p (1 - p) / n), never below the resolution 1 / n (the checklist's
  noise floor of one rate).
- ``paired_floor``: the smallest standard error a difference of two rates on the same n
  examples can have; the launch interval is never narrower than it, and the
  ``below_noise_floor`` finding judges compared gaps against it (a gap is a paired difference).
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


def resolution_of(metric: str, trials: Sequence[TrialRecord]) -> float | None:
    """The smallest step a rate metric can take on the validation set (1 / n examples), the
    precision its values support; None for other metrics or when n is not recorded."""
    n = eval_examples_of(trials)
    return 1.0 / n if n and is_rate(metric) else None


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
    n_examples: int | None,
) -> list[Finding]:
    """``below_noise_floor`` when a compared gap is within twice its paired resolution.

    Both configurations of a gap are scored on the same validation examples, so the gap's
    standard error is that of a paired difference: at least sqrt(|d| (1 - |d|) / n) (only the
    examples the two score differently move it, ``paired_floor``), the smallest it can be and the
    floor the launch decision's interval also keeps. A gap below twice that is a handful of
    examples apart whatever the discordance: the validation set cannot resolve it.
    """
    small = {}
    floors = {}
    for k, g in gaps.items():
        if g is None or not math.isfinite(g):
            continue
        floor = paired_floor(metric, g, n_examples)
        if floor is not None and abs(g) < 2 * floor:
            small[k], floors[k] = abs(g), floor
    if not small:
        return []
    what = "; ".join(
        f"{k} {fmt(g)} (paired standard error at least {fmt(floors[k])})" for k, g in small.items()
    )
    return [
        finding(
            "below_noise_floor",
            Severity.WARNING,
            f"Compared gaps are within the validation set's resolution: {what}, for {metric} on "
            f"{n_examples} examples, i.e. fewer than "
            f"{max(1, round(max(small.values()) * (n_examples or 0)))} example(s) scored "
            f"differently. The validation set cannot tell these apart; use a larger validation "
            f"split before reading the gap as an effect.",
            floor=max(floors.values()),
            eval_examples=n_examples,
            gaps=list(small.values()),
        )
    ]

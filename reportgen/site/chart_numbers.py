"""How many numbers a chart carries: significant digits of its data, and when a study has too
many trials to draw each one (the study page and the playbook charts both ask)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DIGITS = 5  # significant digits kept in chart data
DENSE_TRIALS = 200  # above this many searched trials, charts draw aggregates, not every trial


def is_dense(n_searched: int) -> bool:
    """Whether a study has too many searched trials to draw each one in every chart."""
    return n_searched > DENSE_TRIALS


def round_sig(values: Sequence[float] | np.ndarray, digits: int = DIGITS) -> np.ndarray:
    """Values rounded to ``digits`` significant digits (chart data only; NaN and inf stay).

    Vectorised: scale by a power of ten, round, scale back by an exact power of ten, so each
    result is the double nearest to its short decimal and JSON writes it short.
    """
    a = np.asarray(values, dtype=float)
    out = a.copy()
    ok = np.isfinite(a) & (a != 0)
    x = a[ok]
    d = (digits - 1 - np.floor(np.log10(np.abs(x)))).astype(int)
    r = np.empty_like(x)
    small = d >= 0  # divide by 10**d (exact up to 10**22)
    exact = small & (d <= 22)
    p = 10.0 ** d[exact]
    r[exact] = np.round(x[exact] * p) / p
    q = 10.0 ** (-d[~small])
    r[~small] = np.round(x[~small] / q) * q
    scaled = np.where(small, x * 10.0 ** np.clip(d, 0, 22), x / 10.0 ** np.clip(-d, 0, None))
    # values below 1e-18, and near-ties (the scaled value's fraction close to one half, where
    # scaling can round either way), are done one by one as printf does them
    tie = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) < 1e-6
    slow = (small & ~exact) | tie
    r[slow] = [float(f"{v:.{digits}g}") for v in x[slow].tolist()]
    out[ok] = r
    return out

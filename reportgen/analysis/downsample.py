"""Min/max-bucket downsampling of training curves, so long curves stay small on a page.

A curve of ``n`` evals is cut into buckets of consecutive evals; each bucket keeps the evals
holding its smallest and largest finite value (so spikes and the best point survive), plus its
first non-finite eval (so a divergence still shows where the line stops). The first and last
evals are always kept. Several columns sharing one ``step`` axis keep the union of their picks,
so the downsampled columns still line up. Pure: no I/O, deterministic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DownsampledCurves:
    """The kept evals of one trial: their steps and the matching values of each column."""

    step: list[int]
    columns: dict[str, list[float]]
    n_original: int


def minmax_mask(values: np.ndarray, n_buckets: int) -> np.ndarray:
    """Which evals min/max bucketing keeps, for many curves of one length at once.

    ``values`` is a ``(curves, evals)`` array; the result is a boolean array of the same shape.
    """
    if n_buckets < 1:
        raise ValueError(f"n_buckets must be at least 1, got {n_buckets}")
    v = np.asarray(values, dtype=float)
    if v.ndim != 2:
        raise ValueError(f"values must be 2-D (curves, evals), got shape {v.shape}")
    m, n = v.shape
    if n <= 2 * n_buckets + 2:
        return np.ones((m, n), dtype=bool)
    size = -(-n // n_buckets)  # ceil
    rows = -(-n // size)
    padded = np.full((m, rows * size), np.nan)
    padded[:, :n] = v
    grid = padded.reshape(m, rows, size)
    finite = np.isfinite(grid)
    real = (np.arange(rows * size) < n).reshape(rows, size)
    base = np.arange(rows) * size
    lo = base + np.where(finite, grid, np.inf).argmin(axis=2)
    hi = base + np.where(finite, grid, -np.inf).argmax(axis=2)
    has_finite = finite.any(axis=2)
    bad = ~finite & real
    first_bad = base + bad.argmax(axis=2)
    has_bad = bad.any(axis=2)
    keep = np.zeros((m, rows * size), dtype=bool)
    curve = np.broadcast_to(np.arange(m)[:, None], (m, rows))
    keep[curve[has_finite], lo[has_finite]] = True
    keep[curve[has_finite], hi[has_finite]] = True
    keep[curve[has_bad], first_bad[has_bad]] = True
    keep[:, 0] = True
    keep[:, n - 1] = True
    return keep[:, :n]


def minmax_indices(values: Sequence[float], n_buckets: int) -> np.ndarray:
    """Sorted indices kept by min/max bucketing of one column (all of them if it is short)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return np.arange(0)
    return np.flatnonzero(minmax_mask(v[None, :], n_buckets)[0])


def downsample_curves(
    step: Sequence[int], columns: Mapping[str, Sequence[float]], n_buckets: int
) -> DownsampledCurves:
    """Downsample columns that share ``step``; each column keeps at most about 4 points per bucket."""
    n = len(step)
    for name, col in columns.items():
        if len(col) != n:
            raise ValueError(f"column {name!r} has {len(col)} values, 'step' has {n}")
    if columns:
        idx = np.unique(np.concatenate([minmax_indices(c, n_buckets) for c in columns.values()]))
    else:
        idx = np.arange(n)
    steps = np.asarray(step)
    return DownsampledCurves(
        step=[int(s) for s in steps[idx]],
        columns={k: np.asarray(c, dtype=float)[idx].tolist() for k, c in columns.items()},
        n_original=n,
    )

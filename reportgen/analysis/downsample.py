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


def minmax_indices(values: Sequence[float], n_buckets: int) -> np.ndarray:
    """Sorted indices kept by min/max bucketing of one column (all of them if it is short)."""
    if n_buckets < 1:
        raise ValueError(f"n_buckets must be at least 1, got {n_buckets}")
    v = np.asarray(values, dtype=float)
    n = v.size
    if n <= 2 * n_buckets + 2:
        return np.arange(n)
    size = -(-n // n_buckets)  # ceil
    rows = -(-n // size)
    padded = np.full(rows * size, np.nan)
    padded[:n] = v
    grid = padded.reshape(rows, size)
    finite = np.isfinite(grid)
    base = np.arange(rows) * size
    lo = np.where(finite, grid, np.inf).argmin(axis=1)
    hi = np.where(finite, grid, -np.inf).argmax(axis=1)
    has_finite = finite.any(axis=1)
    keep = [base[has_finite] + lo[has_finite], base[has_finite] + hi[has_finite]]
    real = np.zeros(rows * size, dtype=bool)
    real[:n] = True
    bad = (~finite) & real.reshape(rows, size)
    has_bad = bad.any(axis=1)
    keep.append(base[has_bad] + bad.argmax(axis=1)[has_bad])
    keep.append(np.array([0, n - 1]))
    idx = np.unique(np.concatenate(keep))
    return idx[idx < n]


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

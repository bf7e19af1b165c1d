"""Quantile bands of many training curves, step by step: what a page draws instead of every
curve when a study has too many trials to draw one line each.

At each step the quantiles are taken over the trials with a finite value there: a trial that
diverged (NaN or inf) or stopped early counts until its last finite value and not after, and
``n_finite`` says how many trials each step's quantiles cover. Pure: no I/O, deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


@dataclass(frozen=True)
class CurveBands:
    """Per step (every step any curve evaluated, ascending): the quantiles of the finite values
    there (``values[k]`` for ``quantiles[k]``; NaN where no curve is finite) and their count."""

    step: np.ndarray  # (steps,) int
    quantiles: tuple[float, ...]
    values: np.ndarray  # (len(quantiles), steps) float
    n_finite: np.ndarray  # (steps,) int
    n_curves: int  # curves with at least one finite value


def curve_bands(
    steps: Sequence[Sequence[int]],
    values: Sequence[Sequence[float]],
    quantiles: Sequence[float] = QUANTILES,
) -> CurveBands:
    """Quantiles (linear interpolation, as `numpy.quantile`) of ``values`` at each step.

    ``steps[i]`` and ``values[i]`` are curve ``i``'s steps and values (of equal length; curves
    may evaluate at different steps). Curves of one step list are stacked together, so many
    curves of one length cost a few array operations, not one loop per curve.
    """
    q = tuple(float(x) for x in quantiles)
    if any(not 0.0 <= x <= 1.0 for x in q):
        raise ValueError(f"quantiles must lie in [0, 1], got {q}")
    if len(steps) != len(values):
        raise ValueError(f"{len(steps)} step lists for {len(values)} value lists")
    step_arrays = [np.asarray(s, dtype=np.int64) for s in steps]
    for i, (s, v) in enumerate(zip(step_arrays, values, strict=True)):
        if len(s) != len(v):
            raise ValueError(f"curve {i} has {len(s)} steps and {len(v)} values")
    union = (
        np.unique(np.concatenate(step_arrays)) if step_arrays else np.zeros(0, dtype=np.int64)
    )
    grid = np.full((len(step_arrays), len(union)), np.nan)
    by_steps: dict[bytes, list[int]] = {}
    for i, s in enumerate(step_arrays):
        by_steps.setdefault(s.tobytes(), []).append(i)
    for members in by_steps.values():
        cols = np.searchsorted(union, step_arrays[members[0]])
        block = np.array([np.asarray(values[i], dtype=float) for i in members], dtype=float)
        grid[np.ix_(members, cols)] = block.reshape(len(members), len(cols))
    grid[~np.isfinite(grid)] = np.nan
    n_finite = np.isfinite(grid).sum(axis=0)
    out = np.full((len(q), len(union)), np.nan)
    some = n_finite > 0
    if some.any() and q:
        out[:, some] = np.nanquantile(grid[:, some], q, axis=0)
    return CurveBands(
        step=union,
        quantiles=q,
        values=out,
        n_finite=n_finite,
        n_curves=int(np.isfinite(grid).any(axis=1).sum()),
    )

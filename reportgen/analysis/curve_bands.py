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
_CHUNK_VALUES = 1_000_000  # values handed to one nanquantile call (8 MB, and its sorted copy)


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
    # curves of one length are converted in one call each (a (curves, evals) block), then
    # split by their step lists (usually one per length)
    by_len: dict[int, list[int]] = {}
    for i, (s, v) in enumerate(zip(steps, values, strict=True)):
        if len(s) != len(v):
            raise ValueError(f"curve {i} has {len(s)} steps and {len(v)} values")
        by_len.setdefault(len(s), []).append(i)
    blocks: list[tuple[list[int], np.ndarray, np.ndarray]] = []  # members, steps, values
    for n, members in by_len.items():
        if n == 0:
            continue
        v_block = np.array([values[i] for i in members], dtype=float).reshape(len(members), n)
        first = np.asarray(steps[members[0]], dtype=np.int64)
        if all(np.array_equal(np.asarray(steps[i]), first) for i in members):
            blocks.append((members, first, v_block))  # the usual case: one step list per length
            continue
        s_block = np.array([steps[i] for i in members], dtype=np.int64).reshape(len(members), n)
        kinds, which = np.unique(s_block, axis=0, return_inverse=True)
        which = np.asarray(which).reshape(-1)
        for k, row in enumerate(kinds):
            rows = np.flatnonzero(which == k)
            blocks.append(([members[r] for r in rows], row, v_block[rows]))
    union = (
        np.unique(np.concatenate([row for _, row, _ in blocks]))
        if blocks
        else np.zeros(0, dtype=np.int64)
    )
    if len(blocks) == 1 and len(blocks[0][0]) == len(steps) and blocks[0][1].size == union.size:
        grid = blocks[0][2]  # every curve at the same steps (members in order): no second copy
    else:
        grid = np.full((len(steps), len(union)), np.nan)
        for members, row, block in blocks:
            grid[np.ix_(members, np.searchsorted(union, row))] = block
    del blocks
    grid[~np.isfinite(grid)] = np.nan
    finite = ~np.isnan(grid)
    n_finite = finite.sum(axis=0)
    n_curves = int(finite.any(axis=1).sum())
    del finite
    out = np.full((len(q), len(union)), np.nan)
    if q:
        # about a million values at a time: nanquantile sorts a copy of what it is given
        chunk = max(1, _CHUNK_VALUES // max(1, len(steps)))
        for lo in range(0, len(union), chunk):
            cols = np.arange(lo, min(lo + chunk, len(union)))
            cols = cols[n_finite[cols] > 0]
            if cols.size:
                out[:, cols] = np.nanquantile(grid[:, cols], q, axis=0)
    return CurveBands(
        step=union,
        quantiles=q,
        values=out,
        n_finite=n_finite,
        n_curves=n_curves,
    )

"""One curve of many trials as matrices, one per curve length, for checks run on every trial.

A 10 000-trial study runs each per-trial check 10 000 times; a few NumPy calls on a matrix
replace tens of thousands of small ones. Only all-finite curves go in a matrix (a check that
drops non-finite points would compact each row differently); the rest stay with their trial.
A matrix holds at most ``ROWS`` curves, so the temporaries of a check stay small (and in cache)
however many trials there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reportgen.analysis.objective import curve
from reportgen.schema import TrialRecord

ROWS = 256


@dataclass(frozen=True)
class CurveMatrix:
    """Rows of equal length: ``values[r]`` is the curve of ``trials[rows[r]]``."""

    rows: np.ndarray  # positions in the trials given to ``curve_matrices``
    values: np.ndarray


def curve_matrices(
    trials: Sequence[TrialRecord], name: str, min_length: int = 1
) -> tuple[list[CurveMatrix], list[int]]:
    """The all-finite ``name`` curves of ``trials`` (at least ``min_length`` points) grouped by
    length, ``ROWS`` at most per matrix, and the positions of the other trials (a non-finite
    value or a short curve)."""
    groups: dict[int, list[tuple[int, np.ndarray]]] = {}
    rest: list[int] = []
    for i, t in enumerate(trials):
        y = curve(t, name)
        if y.size >= min_length and np.isfinite(y).all():
            groups.setdefault(y.size, []).append((i, y))
        else:
            rest.append(i)
    out = [
        CurveMatrix(
            np.array([i for i, _ in g[k : k + ROWS]]), np.stack([y for _, y in g[k : k + ROWS]])
        )
        for _, g in sorted(groups.items())
        for k in range(0, len(g), ROWS)
    ]
    return out, rest

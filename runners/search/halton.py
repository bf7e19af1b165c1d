"""Scrambled Halton points from ``scipy.stats.qmc``: same seed, same points; other seed, others."""

from __future__ import annotations

import numpy as np
from scipy.stats import qmc


def halton_unit(dim: int, n: int, seed: int) -> np.ndarray:
    """The first ``n`` points of the scrambled Halton sequence in [0, 1)^dim for ``seed``."""
    if dim == 0:
        return np.zeros((n, 0))
    return qmc.Halton(d=dim, scramble=True, seed=np.random.default_rng(seed)).random(n)

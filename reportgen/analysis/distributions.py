"""The normal and Student t functions the decision needs, from ``scipy.special``.

``scipy.stats`` builds every distribution object when it is imported (about 0.55 s here, against
0.18 s for ``scipy.special``); these are the same special functions its ``norm`` and ``t`` call,
imported lazily, so a command that analyses a small study starts sooner.
"""

from __future__ import annotations

import math

import numpy as np

_SQRT_2PI = math.sqrt(2 * math.pi)


def norm_sf(x):  # type: ignore[no-untyped-def]
    """P(Z > x) for a standard normal Z (``scipy.stats.norm.sf``)."""
    from scipy import special

    return special.ndtr(-np.asarray(x, dtype=float))


def norm_isf(q):  # type: ignore[no-untyped-def]
    """The x with P(Z > x) = q (``scipy.stats.norm.isf``)."""
    from scipy import special

    return -special.ndtri(np.asarray(q, dtype=float))


def norm_pdf(x, scale: float = 1.0):  # type: ignore[no-untyped-def]
    """The normal density with mean 0 and standard deviation ``scale``."""
    z = np.asarray(x, dtype=float) / scale
    return np.exp(-0.5 * z * z) / (scale * _SQRT_2PI)


def t_sf(x, df):  # type: ignore[no-untyped-def]
    """P(T > x) for Student's t with ``df`` degrees of freedom (``scipy.stats.t.sf``)."""
    from scipy import special

    return special.stdtr(df, -np.asarray(x, dtype=float))


def t_ppf(p, df):  # type: ignore[no-untyped-def]
    """The x with P(T <= x) = p (``scipy.stats.t.ppf``)."""
    from scipy import special

    return special.stdtrit(df, np.asarray(p, dtype=float))


def t_isf(q, df):  # type: ignore[no-untyped-def]
    """The x with P(T > x) = q (``scipy.stats.t.isf``): by symmetry, minus the ``q`` quantile
    (exact for small ``q``, where ``1 - q`` would round)."""
    return -t_ppf(q, df)

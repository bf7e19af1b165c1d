"""The y range of an axis plot that a few near-diverged trials cannot flatten.

The values' range, cut at ``OUTLIER_IQR`` interquartile ranges beyond the quartiles; values
outside it are drawn at the edge and counted (the chart does the drawing). Pure; no I/O.
"""

from __future__ import annotations

import numpy as np

OUTLIER_IQR = 3.0  # values beyond this many interquartile ranges are drawn at the edge


def robust_range(values: list[float]) -> tuple[float, float] | None:
    """``(low, high)`` when some finite value lies beyond the fences, else None."""
    v = np.asarray([x for x in values if x is not None and np.isfinite(x)], dtype=float)
    if v.size < 4:
        return None
    q1, q3 = np.quantile(v, [0.25, 0.75])
    iqr = q3 - q1
    lo = max(float(v.min()), float(q1 - OUTLIER_IQR * iqr))
    hi = min(float(v.max()), float(q3 + OUTLIER_IQR * iqr))
    if iqr <= 0 or (lo, hi) == (float(v.min()), float(v.max())):
        return None
    return lo, hi

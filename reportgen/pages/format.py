"""Number and value formatting shared by the page contexts."""

from __future__ import annotations

import math

from reportgen.schema import Scalar

MISSING = "—"


def fmt(x: float | None, digits: int = 4) -> str:
    """A number with ``digits`` significant digits; ``—`` when missing, ``nan``/``inf`` as such."""
    if x is None:
        return MISSING
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    if not math.isfinite(x):
        return str(x)
    return f"{x:.{digits}g}"


def fmt_scalar(v: Scalar | None) -> str:
    if isinstance(v, float):
        return fmt(v)
    if v is None:
        return MISSING
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


def fmt_interval(lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None:
        return MISSING
    return f"[{fmt(lo)}, {fmt(hi)}]"

"""Number and value formatting shared by the page contexts."""

from __future__ import annotations

from reportgen.numbers import MISSING, number
from reportgen.schema import Scalar

__all__ = ["MISSING", "fmt", "fmt_interval", "fmt_measured", "fmt_scalar"]


def fmt(x: float | None, digits: int = 4) -> str:
    """A number with ``digits`` significant digits; ``—`` when missing, ``nan``/``inf`` as such."""
    return number(x, digits)


def fmt_measured(x: float | None, resolution: float | None) -> str:
    """A value of the objective (or a spread of it) to the precision its sample supports."""
    return number(x, resolution=resolution)


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

"""Build findings whose anchor comes from the guidance registry, with tidy numeric evidence."""

from __future__ import annotations

import math
from typing import Any

from reportgen.guidance import guidance
from reportgen.numbers import number
from reportgen.schema import Finding, Severity


def num(x: Any) -> float | int | str | bool | None:
    """A JSON-friendly scalar: numpy numbers become Python ones, floats keep 6 significant digits."""
    if x is None or isinstance(x, bool | str):
        return x
    if isinstance(x, int) or (hasattr(x, "dtype") and x.dtype.kind in "iu"):
        return int(x)
    f = float(x)
    if not math.isfinite(f):
        return None
    return float(f"{f:.6g}")


def fmt(x: float | None) -> str:
    """A number as people read it in a message (`reportgen.numbers.number`)."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return number(x)


def finding(
    key: str, severity: Severity, message: str, subject: str = "", **evidence: Any
) -> Finding:
    ev = {
        k: [num(x) for x in v] if isinstance(v, list | tuple) else num(v)
        for k, v in evidence.items()
    }
    return Finding(
        key=key,
        severity=severity,
        message=message,
        anchor=guidance(key).anchor,
        subject=subject,
        evidence=ev,
    )

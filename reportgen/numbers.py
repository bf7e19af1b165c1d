"""How every number reads on a page and in a message: one helper, so a value is never shown to
more precision than its sample supports.

``number(x)`` gives 4 significant digits. With ``resolution`` (the smallest step the measurement
can take: 1/n for an error rate on n validation examples) it gives the decimals that step
supports and no more, so a spread far below one example's worth prints as ``0.000``, not as
``3.998e-06``. Stdlib only: the schema, analysis and page layers all use it.
"""

from __future__ import annotations

import math

MISSING = "—"


def decimals_for(resolution: float) -> int:
    """Decimals that show a value measured in steps of ``resolution`` (one more than the step's
    first significant decimal: 1/60 = 0.0167 -> 3)."""
    if not (resolution > 0 and math.isfinite(resolution)):
        return 4
    return max(0, math.ceil(-math.log10(resolution))) + 1


def number(
    x: float | int | bool | None,
    digits: int = 4,
    *,
    resolution: float | None = None,
    missing: str = MISSING,
) -> str:
    """``x`` as people read it: ``missing`` when None, ``nan``/``inf`` as such, integers whole,
    floats to ``digits`` significant digits, or to the decimals ``resolution`` supports."""
    if x is None:
        return missing
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x)
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if resolution is not None and resolution > 0:
        d = decimals_for(resolution)
        shown = f"{x:.{d}f}"
        # never more digits than the significant ones asked for (0.033333 -> 0.0333)
        plain = f"{x:.{digits}g}"
        if "e" not in plain and len(plain.split(".")[-1]) < d and "." in plain:
            return plain
        return "0." + "0" * d if float(shown) == 0 else shown
    return f"{x:.{digits}g}"

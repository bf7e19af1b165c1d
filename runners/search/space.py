"""Map unit coordinates in [0, 1) to hyperparameter values, by scale (log, linear, discrete, categorical)."""

from __future__ import annotations

import math

from reportgen.schema import Hyperparameter, Scalar, Scale


def from_unit(hp: Hyperparameter, u: float) -> Scalar:
    """The value at unit coordinate ``u``: log-uniform, uniform, or one of equal-width bins."""
    u = min(max(float(u), 0.0), 1.0 - 1e-12)
    if hp.scale is Scale.LOG:
        lo, hi = math.log(hp.low), math.log(hp.high)  # type: ignore[arg-type]
        return float(math.exp(lo + u * (hi - lo)))
    if hp.scale is Scale.LINEAR:
        return float(hp.low + u * (hp.high - hp.low))  # type: ignore[operator]
    values = hp.values or []
    return values[min(int(u * len(values)), len(values) - 1)]


def to_unit(hp: Hyperparameter, v: Scalar) -> float:
    """The unit coordinate of a value (the centre of its bin for discrete/categorical)."""
    if hp.scale is Scale.LOG:
        lo, hi = math.log(hp.low), math.log(hp.high)  # type: ignore[arg-type]
        return (math.log(float(v)) - lo) / (hi - lo)
    if hp.scale is Scale.LINEAR:
        return (float(v) - hp.low) / (hp.high - hp.low)  # type: ignore[operator]
    values = hp.values or []
    i = next(i for i, c in enumerate(values) if repr(c) == repr(v) or c == v)
    return (i + 0.5) / len(values)


def is_active(hp: Hyperparameter, values: dict[str, Scalar]) -> bool:
    """A conditional hyperparameter is active when its parent took one of the listed values."""
    if hp.condition is None:
        return True
    return values.get(hp.condition.parent) in hp.condition.values

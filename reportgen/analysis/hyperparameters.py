"""Hyperparameters in sampling coordinates, and recognising them by name in the playbook's terms."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from reportgen.schema import Hyperparameter, Scalar, Scale, TrialRecord

_LR_NAMES = {"learning_rate", "lr", "base_learning_rate", "peak_learning_rate"}


def leaf(name: str) -> str:
    """The last component of a namespaced name (``adam.learning_rate`` -> ``learning_rate``)."""
    return name.rsplit(".", 1)[-1]


def is_learning_rate(name: str) -> bool:
    return leaf(name) in _LR_NAMES


def is_ordered(hp: Hyperparameter) -> bool:
    """Whether the axis has two ends (continuous or discrete numeric)."""
    return hp.varied and hp.scale in (Scale.LINEAR, Scale.LOG, Scale.DISCRETE)


def coordinate(hp: Hyperparameter, value: Scalar) -> float:
    """Where ``value`` sits in ``hp``'s range in sampling coordinates: 0 = low end, 1 = high end.

    Log scales are measured in log units, discrete ones by position in the sorted values.
    """
    return coordinate_on(hp)(value)


def coordinate_on(hp: Hyperparameter) -> Callable[[Scalar], float]:
    """``coordinate(hp, value)`` as a function of the value, with ``hp``'s range read once (for
    loops over every trial of a big study)."""
    if hp.scale is Scale.DISCRETE:
        ordered = sorted(float(v) for v in hp.values or [])  # type: ignore[arg-type]
        if len(ordered) < 2:
            return lambda value: 0.5
        last = len(ordered) - 1
        return lambda value: ordered.index(float(value)) / last  # type: ignore[arg-type]
    if hp.low is None or hp.high is None:  # a categorical axis: no coordinate to read
        return lambda value: _no_range(hp)
    low, high = float(hp.low), float(hp.high)
    if hp.scale is Scale.LOG:
        low, high = math.log(low), math.log(high)
        return lambda value: (math.log(float(value)) - low) / (high - low)  # type: ignore[arg-type]
    return lambda value: (float(value) - low) / (high - low)  # type: ignore[arg-type]


def _no_range(hp: Hyperparameter) -> float:
    raise TypeError(f"{hp.name} ({hp.scale}) has no numeric range to place a value in")


def span(hp: Hyperparameter) -> float:
    """Width of the range in its own units (decades for a log scale)."""
    if hp.scale is Scale.LOG:
        return math.log10(float(hp.high) / float(hp.low))  # type: ignore[arg-type]
    if hp.scale is Scale.DISCRETE:
        return float(len(hp.values or []) - 1)
    return float(hp.high) - float(hp.low)  # type: ignore[arg-type]


def coordinates(hp: Hyperparameter, trials: tuple[TrialRecord, ...]) -> np.ndarray:
    """Coordinates of each trial on ``hp``; NaN where the trial does not set it (conditional)."""
    out = np.full(len(trials), np.nan)
    at = coordinate_on(hp)
    for i, t in enumerate(trials):
        v = t.hyperparameters.get(hp.name)
        if v is not None and not isinstance(v, bool | str):
            out[i] = at(v)
    return out

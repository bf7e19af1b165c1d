"""Sampled points of quasi-random, grid and manual searches, with their unit coordinates.

Quasi-random search covers scientific categorical/discrete values uniformly: trial ``i`` takes
scientific combination ``i mod k`` (of the ``k`` combinations) and the ``i // k``-th Halton point
for every other varied hyperparameter, so each scientific value meets the same nuisance points.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from reportgen.errors import ReportgenError
from reportgen.schema import Role, Scalar, Scale, SearchKind, StudySpec
from runners.search.halton import halton_unit
from runners.search.space import from_unit, is_active, to_unit


@dataclass(frozen=True)
class SampledPoint:
    """One trial's place in the search: its index, its values and unit coordinates."""

    index: int
    values: dict[str, Scalar]
    unit_coords: list[float]


def _finish(spec: StudySpec, index: int, raw: dict[str, Scalar]) -> SampledPoint:
    """Drop inactive conditional values; unit coordinates of the varied axes (0.5 if inactive)."""
    values: dict[str, Scalar] = {hp.name: hp.value for hp in spec.search_space if not hp.varied}  # type: ignore[misc]
    values.update(raw)
    out: dict[str, Scalar] = {}
    units: list[float] = []
    for hp in spec.search_space:
        if not hp.varied:
            continue
        if is_active(hp, values):
            out[hp.name] = raw[hp.name]
            units.append(round(to_unit(hp, raw[hp.name]), 6))
        else:
            units.append(0.5)
    return SampledPoint(index, out, units)


def quasi_random(spec: StudySpec, n: int, seed: int) -> list[SampledPoint]:
    varied = spec.varied
    stratified = [
        hp
        for hp in varied
        if hp.role is Role.SCIENTIFIC and hp.scale in (Scale.DISCRETE, Scale.CATEGORICAL)
    ]
    halton_axes = [hp for hp in varied if hp not in stratified]
    combos = list(itertools.product(*[hp.values or [] for hp in stratified])) or [()]
    k = len(combos)
    pts = halton_unit(len(halton_axes), math.ceil(n / k), seed)
    out = []
    for i in range(n):
        raw = dict(zip([hp.name for hp in stratified], combos[i % k], strict=True))
        for hp, u in zip(halton_axes, pts[i // k], strict=True):
            raw[hp.name] = from_unit(hp, float(u))
        out.append(_finish(spec, i, raw))
    return out


def grid(spec: StudySpec, n: int) -> list[SampledPoint]:
    """Every combination of values; continuous axes get evenly spaced points in sampling units."""
    varied = spec.varied
    n_cont = sum(hp.scale in (Scale.LINEAR, Scale.LOG) for hp in varied)
    n_disc = math.prod(len(hp.values or []) for hp in varied if hp.values)
    per_axis = max(2, round((n / max(n_disc, 1)) ** (1 / n_cont))) if n_cont else 0
    axes = []
    for hp in varied:
        if hp.values:
            axes.append(list(hp.values))
        else:
            axes.append([from_unit(hp, (j + 0.5) / per_axis) for j in range(per_axis)])
    out = []
    for i, combo in enumerate(itertools.product(*axes)):
        if i >= n:
            break
        out.append(_finish(spec, i, dict(zip([hp.name for hp in varied], combo, strict=True))))
    return out


def manual(spec: StudySpec, n: int) -> list[SampledPoint]:
    out = []
    for i, point in enumerate((spec.search.points or [])[:n]):
        values = {hp.name: hp.value for hp in spec.search_space if not hp.varied}
        values.update(point)
        missing = [
            hp.name
            for hp in spec.varied
            if hp.name not in point and is_active(hp, values)  # type: ignore[arg-type]
        ]
        if missing:
            raise ReportgenError(f"search.points[{i}]: no value for {', '.join(missing)}")
        out.append(_finish(spec, i, dict(point)))
    return out


def sample_points(spec: StudySpec, n: int, seed: int) -> list[SampledPoint]:
    """The first ``n`` points of the spec's search (not for Bayesian search) with sampler ``seed``."""
    kind = spec.search.kind
    if kind is SearchKind.QUASI_RANDOM:
        return quasi_random(spec, n, seed)
    if kind is SearchKind.GRID:
        return grid(spec, n)
    if kind is SearchKind.MANUAL:
        return manual(spec, n)
    raise ReportgenError(f"search.kind {kind} is sequential; the study runner drives it")


def unit_discrepancy(points: np.ndarray) -> float:
    """Centred L2 discrepancy of points in [0, 1)^d (lower is more even)."""
    from scipy.stats import qmc

    return float(qmc.discrepancy(points))

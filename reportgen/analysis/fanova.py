"""Functional ANOVA over a random forest (Hutter, Hoos and Leyton-Brown, ICML 2014), vectorised.

Each tree of a scikit-learn forest is a piecewise-constant function over boxes of the search
space. A hyperparameter's importance in one tree is the variance of that function's marginal over
the hyperparameter (the other dimensions integrated out), as a fraction of the tree's variance;
the forest's importance is the mean fraction over its trees.

This computes the same numbers as ``optuna.importance.FanovaImportanceEvaluator`` given the same
encoding and forest (tests/analysis/test_fanova.py compares them on the published logbook), but
from the leaves' boxes with NumPy instead of walking the tree once per grid cell in Python: a
200-trial study's importance costs the forest's fit, not five times that
(``bench/importance_cost.py`` prints both).

Encoding, as Optuna's: a numeric hyperparameter is one column over its raw [low, high] (no log
transform); a categorical one is one 0/1 column per choice, marginalised together.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Encoded:
    """Trials as forest inputs: ``x`` (trials × columns), ``bounds`` (columns × 2) and, for each
    hyperparameter, the columns that encode it."""

    x: np.ndarray
    bounds: np.ndarray
    columns: tuple[np.ndarray, ...]


def encode(
    params: Sequence[dict[str, object]],
    numeric: dict[str, tuple[float, float]],
    categorical: dict[str, list[object]],
    order: Sequence[str],
) -> Encoded:
    """Columns for the hyperparameters in ``order`` (each in ``numeric`` or ``categorical``)."""
    bounds: list[tuple[float, float]] = []
    columns: list[np.ndarray] = []
    for name in order:
        start = len(bounds)
        if name in categorical:
            bounds.extend((0.0, 1.0) for _ in categorical[name])
        else:
            bounds.append(numeric[name])
        columns.append(np.arange(start, len(bounds)))
    x = np.zeros((len(params), len(bounds)))
    for i, p in enumerate(params):
        for name, cols in zip(order, columns, strict=True):
            if name in categorical:
                x[i, cols[0] + categorical[name].index(p[name])] = 1.0
            else:
                x[i, cols[0]] = float(p[name])  # type: ignore[arg-type]
    return Encoded(
        x=x, bounds=np.asarray(bounds, dtype=np.float64).reshape(-1, 2), columns=tuple(columns)
    )


def _leaf_boxes(tree, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lower and upper corners of each leaf's box, and its value, level by level from the root."""
    n = tree.node_count
    feature, threshold = tree.feature, tree.threshold
    left, right = tree.children_left, tree.children_right
    lo = np.empty((n, len(bounds)))
    hi = np.empty((n, len(bounds)))
    lo[0], hi[0] = bounds[:, 0], bounds[:, 1]
    frontier = np.array([0])
    while frontier.size:
        inner = frontier[feature[frontier] >= 0]
        f, t = feature[inner], threshold[inner]
        a, b = left[inner], right[inner]
        lo[a], hi[a], lo[b], hi[b] = lo[inner], hi[inner], lo[inner], hi[inner]
        hi[a, f] = t  # a sample goes left when its value is <= the threshold
        lo[b, f] = t
        frontier = np.concatenate((a, b))
    leaves = feature < 0
    return lo[leaves], hi[leaves], tree.value[leaves, 0, 0].astype(float)


def _weighted_variance(values: np.ndarray, weights: np.ndarray) -> float:
    mean = np.average(values, weights=weights)
    return float(np.average((values - mean) ** 2, weights=weights))


def _marginal_variance(tree, lo, hi, value, bounds, cols: np.ndarray) -> float:
    """Variance of the tree's marginal over the columns ``cols``, over the grid of cells that
    the tree's own split points on those columns cut the search space into."""
    width = hi - lo
    others = np.ones(len(bounds), dtype=bool)
    others[cols] = False
    rest = np.prod(width[:, others], axis=1)  # each leaf's volume in the other dimensions
    inside, sizes = [], []
    for c in cols:
        cuts = np.unique(tree.threshold[tree.feature == c])
        edges = np.concatenate(([bounds[c, 0]], cuts, [bounds[c, 1]]))
        mid = 0.5 * (edges[1:] + edges[:-1])
        inside.append((mid[:, None] > lo[None, :, c]) & (mid[:, None] <= hi[None, :, c]))
        sizes.append(edges[1:] - edges[:-1])
    member = inside[0]
    size = sizes[0]
    for m, s in zip(inside[1:], sizes[1:], strict=True):  # the product grid of several columns
        member = (member[:, None, :] & m[None, :, :]).reshape(-1, member.shape[1])
        size = np.outer(size, s).ravel()
    mass = member @ rest
    values = (member @ (value * rest)) / mass
    return max(0.0, _weighted_variance(values, mass * size))


def importances(
    encoded: Encoded, y: np.ndarray, *, n_trees: int, max_depth: int, seed: int
) -> np.ndarray | None:
    """Mean fraction of each tree's variance explained by each hyperparameter alone, or None when
    no tree varies (every trial scored the same)."""
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(
        n_estimators=n_trees,
        max_depth=max_depth,
        min_samples_split=2,
        min_samples_leaf=1,
        random_state=seed,
    )
    forest.fit(encoded.x, y)
    fractions = []
    for estimator in forest.estimators_:
        tree = estimator.tree_
        lo, hi, value = _leaf_boxes(tree, encoded.bounds)
        total = _weighted_variance(value, np.prod(hi - lo, axis=1))
        if total > 0.0:
            fractions.append(
                [
                    _marginal_variance(tree, lo, hi, value, encoded.bounds, cols) / total
                    for cols in encoded.columns
                ]
            )
    if not fractions:
        return None
    return np.asarray(fractions).mean(axis=0)

"""Sampling coordinates: a hyperparameter's range read once gives the same numbers per value."""

from __future__ import annotations

import math

import pytest

from reportgen.analysis.hyperparameters import coordinate, coordinate_on
from reportgen.schema import Hyperparameter


def _hp(**kw) -> Hyperparameter:
    return Hyperparameter(name="h", role="nuisance", **kw)


@pytest.mark.parametrize(
    ("hp", "values", "expected"),
    [
        (_hp(scale="log", low=1e-4, high=1e-1), [1e-4, 1e-2, 1e-1], [0.0, 2 / 3, 1.0]),
        (_hp(scale="linear", low=0.0, high=0.5), [0.0, 0.125, 0.5], [0.0, 0.25, 1.0]),
        (_hp(scale="discrete", values=[128, 32, 64]), [32, 64, 128], [0.0, 0.5, 1.0]),
        (_hp(scale="discrete", values=[7]), [7], [0.5]),
    ],
)
def test_coordinate_on_is_coordinate_value_by_value(hp, values, expected):
    at = coordinate_on(hp)
    for v, want in zip(values, expected, strict=True):
        assert at(v) == coordinate(hp, v)
        assert math.isclose(at(v), want, abs_tol=1e-12)


def test_a_categorical_axis_has_no_coordinate_but_asking_for_its_function_is_harmless():
    at = coordinate_on(_hp(scale="categorical", values=["adam", "sgd"]))  # loops ask first
    with pytest.raises(TypeError, match="no numeric range"):
        at("adam")

"""Quantile bands of many curves: small cases whose quantiles are known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reportgen.analysis.curve_bands import curve_bands


def test_quantiles_per_step_over_five_curves():
    steps = [[10, 20]] * 5
    values = [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0], [5.0, 50.0]]
    b = curve_bands(steps, values, quantiles=(0.0, 0.25, 0.5, 1.0))
    assert b.step.tolist() == [10, 20]
    assert b.values.tolist() == [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [5.0, 50.0]]
    assert b.n_finite.tolist() == [5, 5] and b.n_curves == 5


def test_diverged_values_leave_the_band_and_the_count_says_so():
    steps = [[1, 2, 3]] * 3
    values = [[1.0, 1.0, 1.0], [3.0, math.nan, math.nan], [5.0, 5.0, math.inf]]
    b = curve_bands(steps, values, quantiles=(0.5,))
    assert b.values[0].tolist() == [3.0, 3.0, 1.0]  # median of the finite values at each step
    assert b.n_finite.tolist() == [3, 2, 1]
    assert b.n_curves == 3


def test_curves_on_different_steps_share_the_union_of_steps():
    b = curve_bands([[10, 20], [20, 30], []], [[1.0, 2.0], [4.0, 6.0], []], quantiles=(0.5,))
    assert b.step.tolist() == [10, 20, 30]
    assert b.values[0].tolist() == [1.0, 3.0, 6.0]
    assert b.n_finite.tolist() == [1, 2, 1]
    assert b.n_curves == 2  # the empty curve covers no step


def test_a_step_without_a_finite_value_has_no_band():
    b = curve_bands([[1, 2]] * 2, [[1.0, math.nan], [2.0, math.nan]], quantiles=(0.1, 0.9))
    assert b.values[:, 0] == pytest.approx([1.1, 1.9])
    assert np.isnan(b.values[:, 1]).all() and b.n_finite.tolist() == [2, 0]


def test_matches_numpy_quantile_on_a_random_block():
    rng = np.random.default_rng(0)
    block = rng.standard_normal((200, 30))
    b = curve_bands([list(range(30))] * 200, block.tolist())
    assert np.allclose(b.values, np.quantile(block, b.quantiles, axis=0))


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        curve_bands([[1, 2]], [[1.0]])
    with pytest.raises(ValueError):
        curve_bands([[1]], [[1.0]], quantiles=(1.5,))

"""Search: scrambled Halton, mappings, uniform scientific coverage, grid, manual, TPE."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from reportgen.errors import ReportgenError
from reportgen.schema import Hyperparameter
from runners.search import sample_points
from runners.search.halton import halton_unit
from runners.search.points import unit_discrepancy
from runners.search.space import from_unit, to_unit
from tests.conftest import make_spec


def test_halton_has_lower_discrepancy_than_random_points():
    for d, n in ((2, 64), (4, 128)):
        halton = np.mean([unit_discrepancy(halton_unit(d, n, seed)) for seed in range(5)])
        rng = np.random.default_rng(0)
        random = np.mean([unit_discrepancy(rng.random((n, d))) for _ in range(5)])
        assert halton < 0.5 * random, (d, n, halton, random)


def test_same_seed_same_points_other_seed_other_points():
    a, b, c = halton_unit(3, 16, 7), halton_unit(3, 16, 7), halton_unit(3, 16, 8)
    assert np.array_equal(a, b)
    assert not np.allclose(a, c)
    spec = make_spec(trial_budget=8)
    assert sample_points(spec, 8, 1) == sample_points(spec, 8, 1)
    assert sample_points(spec, 8, 1) != sample_points(spec, 8, 2)


def test_log_linear_discrete_categorical_mappings():
    log = Hyperparameter(name="lr", role="nuisance", scale="log", low=1e-4, high=1e-2)
    assert from_unit(log, 0.0) == pytest.approx(1e-4)
    assert from_unit(log, 0.5) == pytest.approx(1e-3)
    assert to_unit(log, 1e-3) == pytest.approx(0.5)
    lin = Hyperparameter(name="b1", role="nuisance", scale="linear", low=0.8, high=0.9)
    assert from_unit(lin, 0.5) == pytest.approx(0.85)
    disc = Hyperparameter(name="depth", role="nuisance", scale="discrete", values=[1, 2, 3])
    assert [from_unit(disc, u) for u in (0.0, 0.34, 0.99)] == [1, 2, 3]
    cat = Hyperparameter(name="act", role="nuisance", scale="categorical", values=["relu", "tanh"])
    assert [from_unit(cat, u) for u in (0.2, 0.7)] == ["relu", "tanh"]
    assert to_unit(cat, "tanh") == pytest.approx(0.75)


def test_sampled_values_stay_in_range_and_log_scale_is_log_uniform():
    spec = make_spec(trial_budget=64)
    points = sample_points(spec, 64, 0)
    lrs = [p.values["adam.learning_rate"] for p in points]
    assert all(1e-4 <= v <= 1e-2 for v in lrs)
    below = sum(v < 1e-3 for v in lrs)  # 1e-3 is the middle in log units
    assert 24 <= below <= 40
    assert all(len(p.unit_coords) == 2 for p in points)


def test_scientific_values_are_covered_uniformly_with_paired_nuisance():
    spec = make_spec(trial_budget=30)
    points = sample_points(spec, 30, 3)
    counts = Counter(p.values["width"] for p in points)
    assert counts == {32: 10, 64: 10, 128: 10}
    # each scientific value meets the same nuisance points
    by_width = {
        w: [p.values["adam.learning_rate"] for p in points if p.values["width"] == w]
        for w in counts
    }
    assert by_width[32] == by_width[64] == by_width[128]


def test_conditional_hyperparameters_are_set_only_when_active():
    spec = make_spec(
        search_space=[
            {
                "name": "optimizer",
                "role": "nuisance",
                "scale": "categorical",
                "values": ["adam", "nesterov"],
            },
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-2,
                "condition": {"parent": "optimizer", "values": ["adam"]},
            },
            {
                "name": "nesterov.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-2,
                "high": 1.0,
                "condition": {"parent": "optimizer", "values": ["nesterov"]},
            },
        ]
    )
    points = sample_points(spec, 16, 0)
    for p in points:
        opt = p.values["optimizer"]
        assert f"{opt}.learning_rate" in p.values
        other = "nesterov" if opt == "adam" else "adam"
        assert f"{other}.learning_rate" not in p.values
    assert {p.values["optimizer"] for p in points} == {"adam", "nesterov"}


def test_grid_and_manual_searches():
    spec = make_spec(
        search={"kind": "grid"},
        trial_budget=9,
    )
    points = sample_points(spec, 9, 0)
    assert len(points) == 9
    assert {p.values["width"] for p in points} == {32, 64, 128}
    assert len({p.values["adam.learning_rate"] for p in points}) == 3
    manual = make_spec(
        search={
            "kind": "manual",
            "points": [
                {"adam.learning_rate": 0.001, "width": 32},
                {"adam.learning_rate": 0.002, "width": 64},
            ],
        }
    )
    assert [p.values for p in sample_points(manual, 8, 0)] == [
        {"adam.learning_rate": 0.001, "width": 32},
        {"adam.learning_rate": 0.002, "width": 64},
    ]
    partial = make_spec(search={"kind": "manual", "points": [{"width": 32}]})
    with pytest.raises(ReportgenError, match="no value for adam.learning_rate"):
        sample_points(partial, 1, 0)


def test_bayesian_search_tells_diverged_trials_as_infeasible():
    optuna = pytest.importorskip("optuna")
    from runners.search.bayesian import BayesianSearch

    spec = make_spec(search={"kind": "bayesian", "seed": 3}, phase="exploitation")
    bo = BayesianSearch(spec, seed=3)
    for i in range(12):
        p = bo.ask(i)
        lr = p.values["adam.learning_rate"]
        assert 1e-4 <= lr <= 1e-2 and p.values["width"] in (32, 64, 128)
        bo.tell(i, None if lr > 5e-3 else abs(math.log10(lr) + 3))
    states = Counter(t.state for t in bo.study.trials)
    assert states[optuna.trial.TrialState.FAIL] >= 1
    assert states[optuna.trial.TrialState.COMPLETE] >= 1
    assert sum(states.values()) == 12

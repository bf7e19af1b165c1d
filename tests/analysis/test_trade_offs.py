"""Trade-offs: the Pareto front of the objective against each secondary metric over the trials
inside every constraint, the points outside marked, the best trial with and without the
constraints, and the finding when the best breaks one. Known answers on constructed trials."""

from __future__ import annotations

import numpy as np
import pytest

from reportgen.analysis import analyze_study
from reportgen.analysis.objective import score_trials
from reportgen.analysis.trade_offs import (
    check_trade_offs,
    metric_value,
    pareto_front,
    trade_off_views,
)
from reportgen.schema import Objective, Status, TradeOff
from reportgen.schema.trade_off import DOMINATED, FRONT, OUTSIDE
from tests.analysis.analysis_builders import flat, spec, trial


def test_pareto_front_known_answer():
    # (objective, cost), both lower is better
    a = np.array([0.10, 0.12, 0.11, 0.20, 0.10, 0.15])
    b = np.array([5.0, 1.0, 3.0, 0.5, 6.0, 3.0])
    # 0.10/5 front; 0.12/1 front; 0.11/3 front; 0.20/0.5 front; 0.10/6 dominated by 0.10/5;
    # 0.15/3 dominated by 0.11/3
    assert pareto_front(a, b).tolist() == [True, True, True, True, False, False]


def test_pareto_front_ties_keep_every_equal_point():
    a = np.array([0.1, 0.1, 0.2, 0.2, 0.3])
    b = np.array([2.0, 2.0, 1.0, 1.0, 1.0])
    # equal points dominate neither; 0.3/1 is dominated by 0.2/1 (equal cost, worse objective)
    assert pareto_front(a, b).tolist() == [True, True, True, True, False]
    assert pareto_front(np.array([]), np.array([])).tolist() == []
    assert pareto_front(np.array([1.0]), np.array([1.0])).tolist() == [True]


def _study(costs: dict[str, tuple[float, float]], **over):
    """Search trials named by id: (best valid_error, step_seconds)."""
    trials = [
        trial(tid, flat(err), index=i).model_copy(update={"step_seconds": sec})
        for i, (tid, (err, sec)) in enumerate(costs.items())
    ]
    return spec(**over), trials


def _views(s, trials):
    search = score_trials(trials, s.objective)
    return trade_off_views(s.trade_offs, s.workload.settings, search)


def test_front_outside_and_best_within_the_constraint():
    s, trials = _study(
        {"a": (0.08, 0.050), "b": (0.09, 0.020), "c": (0.10, 0.010), "d": (0.12, 0.015),
         "e": (0.11, 0.030)},
        trade_offs=[{"metric": "step_seconds", "constraint": "<= 0.03"}],
    )
    r = _views(s, trials)
    [v] = r.views
    kinds = {p.trial_id: p.kind for p in v.points}
    # a breaks the constraint; among b, c, d, e: b and c on the front, d (worse than c on both)
    # and e (worse than b on both) dominated
    assert kinds == {"a": OUTSIDE, "b": FRONT, "c": FRONT, "d": DOMINATED, "e": DOMINATED}
    assert v.front == ["c", "b"]  # cheapest first
    assert v.constraint == "<= 0.03"
    assert r.best.trial_id == "a" and r.best.broken == ["step_seconds 0.05 (not <= 0.03)"]
    assert r.best_within.trial_id == "b" and r.best_within.values == {"step_seconds": 0.02}
    assert (r.n_within, r.n_ranked) == (4, 5)
    [f] = check_trade_offs(r, s.objective)
    assert f.key == "trade_offs.best_violates" and f.subject == "a"
    assert "b (valid_error 0.09" in f.message and f.evidence["best_within_trial"] == "b"


def test_no_finding_when_the_best_is_inside_and_none_without_trade_offs():
    s, trials = _study(
        {"a": (0.08, 0.010), "b": (0.09, 0.020)},
        trade_offs=[{"metric": "step_seconds", "constraint": "<= 0.03"}],
    )
    r = _views(s, trials)
    assert r.best.trial_id == r.best_within.trial_id == "a"
    assert check_trade_offs(r, s.objective) == []
    assert r.views[0].front == ["a"]  # a is better on both
    s2, _ = _study({}, trade_offs=[])
    assert _views(s2, trials) is None
    assert analyze_study(s2, trials).extras.trade_offs is None


def test_all_infeasible_under_the_constraint():
    s, trials = _study(
        {"a": (0.08, 0.05), "b": (0.09, 0.04)},
        trade_offs=[{"metric": "step_seconds", "constraint": "< 0.01"}],
    )
    r = _views(s, trials)
    assert r.best_within is None and r.n_within == 0
    assert {p.kind for p in r.views[0].points} == {OUTSIDE}
    assert r.views[0].front == []
    [f] = check_trade_offs(r, s.objective)
    assert "None of the 2 ranked trials meets every constraint (step_seconds < 0.01)" in f.message


def test_maximize_directions_for_the_objective_and_the_metric():
    """valid_error read as a score to maximise, and test_accuracy as a metric to maximise."""
    s, trials = _study(
        {"a": (0.9, 0.0), "b": (0.8, 0.0), "c": (0.7, 0.0)},
        objective={"metric": "valid_error", "direction": "maximize"},
        trade_offs=[{"metric": "test_accuracy", "direction": "maximize", "constraint": ">= 0.5"}],
    )
    acc = {"a": 0.4, "b": 0.7, "c": 0.9}
    trials = [t.model_copy(update={"test_metrics": {"test_accuracy": acc[t.trial_id]}})
              for t in trials]
    r = _views(s, trials)
    kinds = {p.trial_id: p.kind for p in r.views[0].points}
    # a: best objective (0.9), accuracy 0.4 breaks >= 0.5; b and c trade objective for accuracy
    assert kinds == {"a": OUTSIDE, "b": FRONT, "c": FRONT}
    assert r.views[0].front == ["c", "b"]  # best accuracy first
    assert r.best.trial_id == "a" and r.best_within.trial_id == "b"


def test_infeasible_trials_and_unrecorded_metrics_are_left_out():
    s, trials = _study(
        {"a": (0.08, 0.01), "b": (0.09, 0.02)},
        trade_offs=[{"metric": "trial_seconds"}, {"metric": "step_seconds"}],
    )
    bad = trial("c", flat(0.05), index=9, status=Status.DIVERGED)
    share = {"a": 2.0}  # b's record has no per-trial share
    trials = [
        t.model_copy(update={"execution": t.execution.model_copy(
            update={"trial_share_seconds": share.get(t.trial_id)})})
        for t in trials
    ] + [bad]
    r = _views(s, trials)
    shares, steps = r.views
    assert [p.trial_id for p in shares.points] == ["a"] and shares.n_unrecorded == 1
    assert [p.trial_id for p in steps.points] == ["a", "b"]  # the diverged c has no objective
    assert r.best.values == {"trial_seconds": 2.0, "step_seconds": 0.01}


def test_an_unrecorded_constrained_metric_keeps_a_trial_outside():
    s, trials = _study(
        {"a": (0.08, 0.01), "b": (0.09, 0.02)},
        trade_offs=[{"metric": "test_error", "constraint": "<= 0.5"}],
    )
    trials = [trials[0], trials[1].model_copy(update={"test_metrics": {"test_error": 0.1}})]
    r = _views(s, trials)
    assert r.best.trial_id == "a"
    assert r.best.broken == ["test_error not recorded (cannot meet <= 0.5)"]
    assert r.best_within.trial_id == "b"


def test_metric_values_from_record_curves_and_tests():
    s = spec(workload={"name": "digits_mlp", "settings": {"batch_size": 32}})
    t = trial("a", [0.5, 0.3, 0.4]).model_copy(update={"test_metrics": {"test_loss": 0.7}})
    settings = s.workload.settings
    assert metric_value(t, TradeOff(metric="examples_seen"), settings) == 30 * 32
    assert metric_value(t, TradeOff(metric="train_steps"), settings) == 30
    # a batch_size hyperparameter wins over the workload's setting
    t2 = t.model_copy(update={"hyperparameters": {**t.hyperparameters, "batch_size": 8}})
    assert metric_value(t2, TradeOff(metric="examples_seen"), settings) == 240
    assert metric_value(t, TradeOff(metric="examples_seen"), {}) is None
    assert metric_value(t, TradeOff(metric="valid_loss"), settings) == 0.4  # final
    best = TradeOff(metric="valid_loss", mode="best_over_training")
    assert metric_value(t, best, settings) == 0.3
    hi = TradeOff(metric="valid_loss", mode="best_over_training", direction="maximize")
    assert metric_value(t, hi, settings) == 0.5
    assert metric_value(t, TradeOff(metric="test_loss"), settings) == 0.7
    assert metric_value(t, TradeOff(metric="nothing"), settings) is None


@pytest.mark.parametrize(
    ("text", "inside", "outside"),
    [("<= 0.05", 0.05, 0.0500001), ("< 2", 1.99, 2.0), (">= -1e-3", -0.001, -0.002),
     ("> 10", 10.5, 10.0)],
)
def test_constraint_text(text, inside, outside):
    c = TradeOff(metric="step_seconds", constraint=text).constraint
    assert c.allows(inside) and not c.allows(outside) and not c.allows(float("nan"))


def test_the_finding_runs_inside_analyze_study():
    s, trials = _study(
        {"a": (0.08, 0.05), "b": (0.09, 0.02)},
        trade_offs=[{"metric": "step_seconds", "constraint": "<= 0.03"}],
    )
    a = analyze_study(s, trials)
    assert a.extras.trade_offs is not None and a.extras.trade_offs.best_within.trial_id == "b"
    assert "trade_offs.best_violates" in {f.key for f in a.findings}
    assert Objective() == a.objective


def test_ties_on_the_objective_and_on_both_values():
    s, trials = _study(
        {"b": (0.08, 0.05), "a": (0.08, 0.05), "c": (0.08, 0.02), "d": (0.10, 0.02)},
        trade_offs=[{"metric": "step_seconds", "constraint": "<= 0.04"}],
    )
    r = _views(s, trials)
    kinds = {p.trial_id: p.kind for p in r.views[0].points}
    # a and b tie on both and break the constraint; c is as good as them on the objective and
    # cheaper; d costs as little as c with a worse objective: dominated
    assert kinds == {"a": OUTSIDE, "b": OUTSIDE, "c": FRONT, "d": DOMINATED}
    assert r.best.trial_id == "a"  # a tie on the objective goes to the first trial id
    assert r.best_within.trial_id == "c"
    assert check_trade_offs(r, s.objective) == []  # c ties the best inside the constraint
    # without the constraint a and b tie on both values: both stay on the front
    s2, _ = _study({}, trade_offs=[{"metric": "wall_seconds"}])
    same = [t.model_copy(update={"wall_seconds": 5.0}) for t in trials]
    r2 = _views(s2, same)
    assert sorted(r2.views[0].front) == ["a", "b", "c"]

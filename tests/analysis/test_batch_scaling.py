"""Known answers of the batch-size chapter: throughput scaling, steps to result, re-tune lint."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.analysis import analyze_study
from reportgen.analysis.batch_scaling import (
    batch_size_view,
    check_batch_size,
    retune_after_batch_change,
    throughput_rows,
)
from reportgen.analysis.objective import examples_budget, score_trials
from reportgen.schema import Best, Curves, StudySpec
from reportgen.schema.batch_size import ThroughputPoint, ThroughputRecord
from tests.conftest import make_trial


def _spec(**over) -> StudySpec:
    base = dict(
        study_id="bs",
        title="Batch sizes",
        goal="Steps to result against batch size.",
        workload={"name": "digits_mlp"},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": "batch_size", "role": "scientific", "scale": "discrete",
             "values": [16, 32, 64, 128]},
            {"name": "adam.learning_rate", "role": "nuisance", "scale": "log",
             "low": 1e-4, "high": 1e-1},
        ],
        trial_budget=8,
        max_train_steps=400,
        eval_every=10,
        steps_to_result={"target": 0.2},
    )
    base.update(over)
    return StudySpec(**base)


def _trial(i: int, batch: int, reach: int | None, lr: float = 1e-3):
    """A trial whose valid error falls to 0.1 at step ``reach`` (never, when None)."""
    steps = list(range(10, 410, 10))
    err = [0.5 if reach is None or s < reach else 0.1 for s in steps]
    return make_trial(
        study_id="bs", trial_id=f"t{i:04d}", index=i,
        hyperparameters={"optimizer": "adam", "adam.learning_rate": lr, "batch_size": batch},
        curves=Curves(step=steps, train_loss=err, valid_loss=err, valid_error=err,
                      learning_rate=[lr] * len(steps), grad_norm=[1.0] * len(steps)),
        best=Best(step=reach or 10, value=min(err)), final_value=err[-1], max_train_steps=400,
    )  # fmt: skip


def test_steps_to_result_finds_the_regimes():
    # 16 -> 320 steps, 32 -> 160 (perfect), 64 -> 120 (diminishing), 128 -> 120 (no gain)
    trials = [
        _trial(0, 16, 320), _trial(1, 16, None), _trial(2, 32, 160), _trial(3, 32, 300),
        _trial(4, 64, 120), _trial(5, 64, 200), _trial(6, 128, 120), _trial(7, 128, None),
    ]  # fmt: skip
    spec = _spec()
    view = batch_size_view(spec, score_trials(trials, spec.objective), None)
    assert view is not None
    assert [(r.batch_size, r.steps, r.trial_id) for r in view.rows] == [
        (16, 320, "t0000"), (32, 160, "t0002"), (64, 120, "t0004"), (128, 120, "t0006")]
    assert [r.perfect_steps for r in view.rows] == [320, 160, 80, 40]
    effs = [r.efficiency for r in view.rows]
    assert effs[0] is None and effs[1] == pytest.approx(1.0)
    assert effs[2] == pytest.approx((160 / 120 - 1) / 1) and effs[3] == pytest.approx(0.0)
    assert view.perfect_until == 32
    assert view.largest_scaling == 64  # 128 needed as many steps as 64
    found = {f.key: f for f in check_batch_size(view, spec)}
    assert "batch_size.scaling_limit" in found
    assert "up to batch 64" in found["batch_size.scaling_limit"].message
    assert "(128) did not cut them" in found["batch_size.scaling_limit"].message


def test_no_batch_size_reaching_the_target_is_a_warning():
    spec = _spec()
    trials = [_trial(0, 16, None), _trial(1, 32, None)]
    view = batch_size_view(spec, score_trials(trials, spec.objective), None)
    assert view.largest_scaling is None and all(r.steps is None for r in view.rows)
    keys = [f.key for f in check_batch_size(view, spec)]
    assert keys == ["batch_size.target_not_reached"]


def test_a_study_without_batch_sizes_or_probe_has_no_section():
    spec = _spec(search_space=[
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {"name": "adam.learning_rate", "role": "nuisance", "scale": "log", "low": 1e-4,
         "high": 1e-1},
    ], steps_to_result=None)  # fmt: skip
    assert batch_size_view(spec, score_trials([], spec.objective), None) is None


def _probe(*points: ThroughputPoint) -> ThroughputRecord:
    return ThroughputRecord(study_id="bs", measured_at=dt.datetime(2026, 12, 7, tzinfo=dt.UTC),
                            device="cpu (2 cores)", steps=20, repeats=3, points=list(points))


def test_throughput_scaling_and_input_share():
    rec = _probe(
        ThroughputPoint(batch_size=16, step_seconds=0.010, synthetic_step_seconds=0.010),
        ThroughputPoint(batch_size=32, step_seconds=0.010, synthetic_step_seconds=0.010),
        ThroughputPoint(batch_size=64, step_seconds=0.016, synthetic_step_seconds=0.016),
        ThroughputPoint(batch_size=128, step_seconds=0.032, synthetic_step_seconds=0.020),
        ThroughputPoint(batch_size=256, oom=True),
    )
    rows, largest = throughput_rows(rec)
    assert [r.examples_per_second for r in rows[:4]] == pytest.approx([1600, 3200, 4000, 4000])
    assert rows[1].scaling_efficiency == pytest.approx(1.0)
    assert rows[2].scaling_efficiency == pytest.approx(4000 / 3200 / 2)
    assert largest == 64  # 128 kept examples/s flat
    assert rows[3].input_share == pytest.approx(0.375)
    assert rows[4].oom and rows[4].examples_per_second is None
    spec = _spec(steps_to_result=None)
    view = batch_size_view(spec, score_trials([], spec.objective), rec)
    keys = {f.key: f for f in check_batch_size(view, spec)}
    assert "from batch 64" in keys["batch_size.throughput_saturated"].message
    assert keys["batch_size.input_bound"].evidence["batch_sizes"] == [128]


def test_a_balanced_pipeline_is_not_input_bound():
    rec = _probe(
        ThroughputPoint(batch_size=16, step_seconds=0.010, synthetic_step_seconds=0.0098),
        ThroughputPoint(batch_size=32, step_seconds=0.010, synthetic_step_seconds=0.0101),
    )
    spec = _spec(steps_to_result=None)
    view = batch_size_view(spec, score_trials([], spec.objective), rec)
    assert [f.key for f in check_batch_size(view, spec)] == []
    assert view.largest_raising_throughput == 32


def test_time_to_target_uses_the_probe_step_times():
    trials = [_trial(0, 16, 320), _trial(1, 32, 160), _trial(2, 64, 120)]
    rec = _probe(
        ThroughputPoint(batch_size=16, step_seconds=0.010, synthetic_step_seconds=0.010),
        ThroughputPoint(batch_size=32, step_seconds=0.015, synthetic_step_seconds=0.015),
        ThroughputPoint(batch_size=64, step_seconds=0.030, synthetic_step_seconds=0.030),
    )
    spec = _spec()
    view = batch_size_view(spec, score_trials(trials, spec.objective), rec)
    assert [r.seconds for r in view.rows] == pytest.approx([3.2, 2.4, 3.6])
    assert view.fastest == 32


def test_values_tuned_at_another_batch_size_are_flagged():
    spec = _spec(search_space=[
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {"name": "batch_size", "role": "fixed", "value": 256},
        {"name": "adam.learning_rate", "role": "fixed", "value": 3e-3, "tuned_at_batch_size": 64},
        {"name": "width", "role": "fixed", "value": 64, "tuned_at_batch_size": 256},
    ], steps_to_result=None)  # fmt: skip
    found = retune_after_batch_change(spec)
    assert [f.key for f in found] == ["batch_size.retune_after_change"]
    assert found[0].evidence["hyperparameters"] == ["adam.learning_rate"]
    same = _spec(search_space=[
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {"name": "adam.learning_rate", "role": "fixed", "value": 3e-3, "tuned_at_batch_size": 32},
    ], workload={"name": "digits_mlp", "settings": {"batch_size": 32}}, steps_to_result=None)
    assert retune_after_batch_change(same) == []


def test_tuned_at_batch_size_is_only_for_fixed_values():
    with pytest.raises(ValueError, match="tuned_at_batch_size"):
        _spec(search_space=[
            {"name": "adam.learning_rate", "role": "nuisance", "scale": "log", "low": 1e-4,
             "high": 1e-1, "tuned_at_batch_size": 64},
        ])  # fmt: skip


def test_the_analysis_carries_the_view_and_findings():
    trials = [_trial(0, 16, 320), _trial(1, 32, 160), _trial(2, 64, 120), _trial(3, 128, 120)]
    a = analyze_study(_spec(), trials)
    assert a.extras.batch_size is not None and a.extras.batch_size.largest_scaling == 64
    assert "batch_size.scaling_limit" in {f.key for f in a.findings}


def _curve_trial(i: int, batch: int, errs: list[float], every: int = 25):
    steps = list(range(every, every * len(errs) + 1, every))
    return make_trial(
        study_id="bs", trial_id=f"t{i:04d}", index=i,
        hyperparameters={"optimizer": "adam", "adam.learning_rate": 1e-3, "batch_size": batch},
        curves=Curves(step=steps, train_loss=errs, valid_loss=errs, valid_error=errs,
                      learning_rate=[1e-3] * len(steps), grad_norm=[1.0] * len(steps)),
        best=Best(step=steps[errs.index(min(errs))], value=min(errs)), final_value=errs[-1],
        max_train_steps=steps[-1],
    )  # fmt: skip


def test_equal_examples_scores_each_batch_after_the_same_data():
    space = [
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {"name": "batch_size", "role": "scientific", "scale": "discrete", "values": [64, 256]},
        {"name": "adam.learning_rate", "role": "nuisance", "scale": "log", "low": 1e-4,
         "high": 1e-1},
    ]  # fmt: skip
    down = [0.5 - 0.03 * k for k in range(12)]  # 0.50 at step 25 ... 0.17 at step 300
    trials = [_curve_trial(0, 64, down), _curve_trial(1, 256, [e - 0.05 for e in down])]
    fixed = _spec(search_space=space, max_train_steps=300, eval_every=25, steps_to_result=None,
                  baseline={"hyperparameter": "batch_size", "value": 64}, candidate=256)
    at_steps = score_trials(trials, fixed.objective)
    assert list(at_steps.values) == pytest.approx([0.17, 0.12])  # 256 saw 4x the examples
    fair = _spec(search_space=space, max_train_steps=300, eval_every=25, steps_to_result=None,
                 baseline={"hyperparameter": "batch_size", "value": 64}, candidate=256,
                 objective={"compare_at": "equal_examples"})
    assert examples_budget(fair) == 300 * 64
    at_examples = score_trials(trials, fair.objective, examples_budget(fair))
    # batch 256 is scored over its first 75 steps (evaluations at 25, 50, 75): 0.44 - 0.05
    assert list(at_examples.values) == pytest.approx([0.17, 0.39])
    assert at_examples.best_steps == (300, 75)
    a = analyze_study(fair, trials)
    assert "design.batch_size_fixed_steps" not in {f.key for f in a.findings}
    assert any("batch 256: evaluations up to step 75" in c for c in a.decision.caveats)
    b = analyze_study(fixed, trials)
    assert "design.batch_size_fixed_steps" in {f.key for f in b.findings}


def test_the_late_half_score_keeps_to_the_equal_examples_budget():
    """When noisy arms switch the decision to the late-half mean, that mean is still taken over
    the evaluations within each trial's examples budget (batch 256: steps 25, 50 and 75)."""
    from reportgen.analysis.estimand import rescored
    from reportgen.schema import Estimand

    down = [0.5 - 0.03 * k for k in range(12)]
    trials = [_curve_trial(0, 64, down), _curve_trial(1, 256, [e - 0.05 for e in down])]
    fair = _spec(search_space=[
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {"name": "batch_size", "role": "scientific", "scale": "discrete", "values": [64, 256]}],
        max_train_steps=300, eval_every=25, steps_to_result=None,
        objective={"compare_at": "equal_examples"})  # fmt: skip
    scored = score_trials(trials, fair.objective, examples_budget(fair))
    late = Estimand(metric="valid_error", direction="minimize", score="late_half_mean",
                    label="valid_error, mean of the late half of the evaluations")
    values = rescored(scored, late).values
    assert values[0] == pytest.approx(sum(down[6:]) / 6)  # batch 64: its whole late half
    assert values[1] == pytest.approx(sum(e - 0.05 for e in down[:3]) / 3)  # 256: steps <= 75
    assert scored.subset(scored.feasible).limits == {"t0000": 300, "t0001": 75}

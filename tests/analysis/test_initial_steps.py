"""Item 42: the initial max_train_steps from a constant-learning-rate sweep, on constructed
records with known answers (the fastest fit, the grid-boundary guard, no fit, a regularised
sweep, records without a training-error curve, a decaying schedule, a study that is no sweep)."""

from __future__ import annotations

from reportgen.analysis import analyze_study
from reportgen.analysis.initial_steps import check_initial_steps, fit_step, initial_steps
from reportgen.analysis.objective import score_trials
from reportgen.schema import Curves, Policy, Status
from tests.conftest import make_spec, make_trial

LR = "adam.learning_rate"
STEPS = [20, 40, 60, 80, 100]
REG_OFF = {"schedule": "constant", "dropout": 0.0, "weight_decay": 0.0, "label_smoothing": 0.0,
           "warmup_steps": 0}


def sweep_spec(**over):
    return make_spec(search_space=[
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {"name": LR, "role": "nuisance", "scale": "discrete",
         "values": [0.001, 0.003, 0.01, 0.03, 0.1]},
    ], search={"kind": "grid"}, trial_budget=5, max_train_steps=100, eval_every=20, **over)


def sweep_trial(i: int, lr: float, train_error: list[float] | None, *, status=Status.COMPLETE,
                **hp):
    n = len(STEPS)
    extra = {"train_error": train_error} if train_error is not None else {}
    return make_trial(
        trial_id=f"t{i:04d}", index=i, max_train_steps=100, status=status,
        status_reason="" if status is Status.COMPLETE else "train loss exploded",
        hyperparameters={"optimizer": "adam", LR: lr, **REG_OFF, **hp},
        curves=Curves(step=STEPS, train_loss=[1.0 - 0.1 * k for k in range(n)],
                      valid_loss=[1.0] * n, valid_error=[0.5 - 0.05 * k for k in range(n)],
                      learning_rate=[lr] * n, grad_norm=[1.0] * n, extra=extra),
        best=None if status is not Status.COMPLETE else {"step": 100, "value": 0.3},
        final_value=None if status is not Status.COMPLETE else 0.3,
    )


# training error per evaluation: the rate 0.01 fits first (step 60), 0.03 at step 80, 0.003
# at step 100, 0.001 never; 0.1 diverged after fitting at step 40 (a diverged fit is no budget)
FITS = {
    0.001: [0.5, 0.3, 0.2, 0.1, 0.05],
    0.003: [0.4, 0.2, 0.1, 0.01, 0.0],
    0.01: [0.3, 0.1, 0.0, 0.0, 0.0],
    0.03: [0.3, 0.1, 0.02, 0.0, 0.0],
}


def sweep(rates=FITS, **hp):
    out = [sweep_trial(i, lr, err, **hp) for i, (lr, err) in enumerate(rates.items())]
    return out


def analyse(spec, trials):
    result = initial_steps(spec, score_trials(trials, spec.objective), spec.policy)
    return result, check_initial_steps(spec, result)


def test_fit_step_is_the_first_evaluation_at_or_below_the_threshold():
    t = sweep_trial(0, 0.01, [0.3, 0.1, 0.0, 0.01, 0.0])
    assert fit_step(t, 0.0) == 60
    assert fit_step(t, 0.1) == 40
    assert fit_step(sweep_trial(1, 0.01, None), 0.0) is None


def test_the_fastest_interior_rate_gives_the_budget_with_the_command():
    s = sweep_spec()
    dead = sweep_trial(4, 0.1, [0.3, 0.0, float("nan"), float("nan"), float("nan")],
                       status=Status.DIVERGED)
    result, found = analyse(s, [*sweep(), dead])
    assert result.suggested_steps == 60 and result.fastest_trial == "t0002"
    assert [r.fit_step for r in result.rows] == [None, 100, 60, 80, None]
    assert result.rows[-1].status == "diverged"
    [f] = found
    assert f.key == "steps.initial_max_train_steps"
    assert "`max_train_steps: 60`" in f.message and "0.01" in f.message
    assert f.evidence["suggested_steps"] == 60


def test_a_higher_threshold_reads_an_earlier_fit():
    s = sweep_spec(policy=Policy(fit_train_error=0.1))
    result, _ = analyse(s, [*sweep(), sweep_trial(4, 0.1, [0.5] * 5)])
    assert result.suggested_steps == 40  # 0.01 and 0.03 reach 0.1 at step 40; the smaller wins
    assert result.fastest_trial == "t0002"


def test_the_fastest_rate_at_the_top_of_the_grid_is_refused():
    s = sweep_spec()
    result, found = analyse(s, sweep())  # no 0.1 trial: 0.03 is now the largest, and 0.01 wins
    assert result.suggested_steps == 60  # still interior
    top = {**FITS, 0.03: [0.1, 0.0, 0.0, 0.0, 0.0]}  # the largest rate now fits first
    result, found = analyse(s, sweep(top))
    assert result.suggested_steps is None and result.refusal == "boundary"
    assert result.fastest_trial == "t0003"
    [f] = found
    assert f.key == "steps.lr_sweep_no_budget" and f.severity == "warning"
    assert "largest tried" in f.message


def test_the_smallest_rate_fastest_and_a_two_point_grid_are_refused():
    s = sweep_spec()
    low = {0.001: [0.0] * 5, 0.01: [0.3, 0.0, 0.0, 0.0, 0.0], 0.1: [0.3, 0.1, 0.0, 0.0, 0.0]}
    result, _ = analyse(s, sweep(low))
    assert result.refusal == "boundary" and "smallest tried" in result.reason
    two = {0.001: [0.3, 0.0, 0.0, 0.0, 0.0], 0.01: [0.3, 0.3, 0.0, 0.0, 0.0]}
    result, _ = analyse(s, sweep(two))
    assert result.refusal == "boundary" and "only 2 learning rate" in result.reason


def test_nothing_fits_within_the_steps():
    s = sweep_spec()
    none = {lr: [0.5, 0.4, 0.3, 0.2, 0.1] for lr in (0.001, 0.01, 0.1)}
    result, [f] = analyse(s, sweep(none))
    assert result.refusal == "no_fit" and result.suggested_steps is None
    assert f.severity == "warning" and "within 100 steps" in f.message


def test_a_regularised_sweep_suggests_nothing():
    s = sweep_spec()
    result, [f] = analyse(s, sweep(dropout=0.1))
    assert result.refusal == "regularised" and "dropout = 0.1" in result.reason
    assert result.suggested_steps is None and f.severity == "info"
    result, _ = analyse(s, sweep(**{"adamw.weight_decay": 1e-4}))
    assert result.refusal == "regularised" and "adamw.weight_decay" in result.reason


def test_a_decaying_schedule_is_an_ordinary_sweep_said_only_on_the_page():
    s = sweep_spec()
    result, found = analyse(s, sweep(schedule="cosine"))
    assert result.refusal == "schedule" and "cosine" in result.reason
    assert found == []


def test_records_without_a_training_error_curve_are_refused():
    s = sweep_spec()
    result, [f] = analyse(s, sweep({lr: None for lr in FITS}))
    assert result.refusal == "unrecorded" and "train_error" in f.message


def test_a_study_that_varies_more_than_the_rate_is_no_sweep():
    s = make_spec()  # learning rate and width
    trials = [sweep_trial(i, lr, err, width=64) for i, (lr, err) in enumerate(FITS.items())]
    result, found = analyse(s, trials)
    assert result is None and found == []
    a = analyze_study(s, trials)
    assert a.extras.initial_steps is None


def test_analyze_study_carries_the_result_and_the_finding():
    s = sweep_spec()
    a = analyze_study(s, sweep())
    assert a.extras.initial_steps is not None and a.extras.initial_steps.suggested_steps == 60
    assert "steps.initial_max_train_steps" in {f.key for f in a.findings}

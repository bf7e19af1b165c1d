"""Training-curve diagnostics on curves whose shape makes the answer obvious."""

from __future__ import annotations

import pytest

from reportgen.analysis import curves as C
from reportgen.analysis.objective import score_trials
from reportgen.schema import Finding, Objective, Policy, Severity
from tests.analysis.analysis_builders import falling, flat, trial

POLICY = Policy()
DOWN = [1.0 - 0.09 * i for i in range(10)]  # a training loss that keeps falling


def _diagnose(t):
    scored = score_trials([t], Objective())
    return C.diagnose(t, scored.score_curves[0], POLICY)


def test_validation_rising_after_its_best_is_overfitting():
    valid = [0.9, 0.5, 0.3, 0.2, 0.1, 0.12, 0.15, 0.18, 0.2, 0.22]
    d = _diagnose(trial("t0", valid, train=DOWN))
    assert d == C.CurveDiagnosis(
        trial_id="t0",
        best_step=50,
        best_fraction=0.5,
        noise=pytest.approx(0.00235702, rel=1e-4),  # second differences of the late half
        rise_after_best=pytest.approx(0.10),  # late mean 0.21 against the best pair mean 0.11
        late_improvement=pytest.approx(-0.045),
        saturated_step=50,
        train_rise=pytest.approx(DOWN[8] / 2 + DOWN[9] / 2 - (DOWN[6] + DOWN[7]) / 2),
        flags=frozenset({C.OVERFITTING}),
    )


@pytest.mark.parametrize(
    ("valid", "train", "flags"),
    [
        # still falling steeply at the end: still improving, best step in the last quarter
        (falling(0.1), None, {C.STILL_IMPROVING, C.BEST_STEP_LATE}),
        # flat from step 30 on: saturated early
        (flat(0.1), None, {C.SATURATED_EARLY}),
        # best on the first evaluation and worse afterwards: overfitting and best step early
        ([0.1] + [0.2] * 9, DOWN, {C.OVERFITTING, C.BEST_STEP_EARLY}),
        # training loss climbing back up over the last evaluations
        (
            falling(0.1),
            [1, 0.8, 0.6, 0.5, 0.4, 0.3, 0.3, 0.4, 0.5, 0.6],
            {C.STILL_IMPROVING, C.BEST_STEP_LATE, C.TRAIN_LOSS_RISING},
        ),
    ],
)
def test_curve_flags(valid, train, flags):
    assert _diagnose(trial("t0", valid, train=train)).flags == frozenset(flags)


def test_late_noise_is_measured_against_the_gap_between_compared_values():
    valid = [0.5 - 0.025 * i for i in range(16)] + [0.10, 0.14, 0.10, 0.14]
    t = trial("t0", valid, train=[1.0 - 0.01 * i for i in range(20)])
    scored = score_trials([t], Objective())
    d = C.diagnose(t, scored.score_curves[0], POLICY)
    # second differences over the late half: 0.065, -0.08, 0.08 and zeros on the straight part
    assert d.noise == pytest.approx(0.0188331, rel=1e-4)
    got = C.check_curves([d], [("width=64", 0)], 0.01, POLICY)
    # the last window (mean 0.12) is also 3 noise units below the one before (mean 0.1625)
    assert [f.key for f in got if f.subject == "t0"] == [
        C.LATE_NOISE,
        C.STILL_IMPROVING,
        C.BEST_STEP_LATE,
    ]
    noise = got[0]
    assert noise.evidence == {"scope": "width=64", "noise": 0.0188331, "gap": 0.01}
    assert noise.severity is Severity.WARNING
    # a gap much wider than the noise raises nothing
    assert C.LATE_NOISE not in [f.key for f in C.check_curves([d], [("width=64", 0)], 1.0, POLICY)]


def test_every_trial_gets_one_summary_finding_per_flag():
    ts = [trial("a", falling(0.1)), trial("b", flat(0.2)), trial("c", flat(0.3))]
    scored = score_trials(ts, Objective())
    got = C.check_curves(C.diagnose_all(scored, POLICY), [], None, POLICY)
    assert [(f.key, f.evidence["trial_ids"]) for f in got] == [
        (C.STILL_IMPROVING, ["a"]),
        (C.SATURATED_EARLY, ["b", "c"]),
        (C.BEST_STEP_LATE, ["a"]),
    ]
    assert got[1] == Finding(
        key=C.SATURATED_EARLY,
        severity=Severity.INFO,
        message="2 of 3 complete trials: reached their best level early.",
        anchor="deciding-how-long-to-train-when-training-is-not-compute-bound",
        subject="all trials",
        evidence={"scope": "all trials", "n_flagged": 2, "n_trials": 3, "trial_ids": ["b", "c"]},
    )


def test_infeasible_trials_are_not_diagnosed():
    from reportgen.schema import Status

    t = trial("x", [1.0, float("nan")], status=Status.DIVERGED)
    scored = score_trials([t], Objective())
    assert C.diagnose_all(scored, POLICY) == [None]


@pytest.mark.parametrize("direction", ["minimize", "maximize"])
def test_diagnosing_all_trials_together_gives_each_trials_own_diagnosis(direction):
    """``diagnose_all`` batches trials with finite curves of one length: the numbers and flags
    are exactly those of ``diagnose`` on each trial alone."""
    import numpy as np

    rng = np.random.default_rng(7)
    trials = []
    for k in range(400):
        n = (10, 37, 200)[k % 3] if k % 17 else int(rng.integers(4, 60))  # groups and singletons
        x = np.arange(n) / n
        shape = k % 5
        base = 0.1 + 0.8 * np.exp(-x * rng.uniform(1, 20))
        if shape == 1:
            base = base + rng.uniform(0, 0.3) * np.clip(x - rng.uniform(0.2, 0.8), 0, None)
        elif shape == 2:
            base = 0.5 - 0.4 * x  # still improving
        valid = base + rng.normal(0, rng.choice([0, 1e-3, 2e-2]), n)
        train = base + 0.05 + (0.2 * np.clip(x - 0.7, 0, None) if shape == 3 else 0)
        if shape == 4 and k % 2:
            valid[rng.integers(0, n)] = np.nan  # not all finite: diagnosed alone
        if direction == "maximize":
            valid = 1 - valid  # an accuracy: the same shapes upside down
        trials.append(trial(f"t{k:03d}", valid.tolist(), train=train.tolist(), index=k))
    scored = score_trials(trials, Objective(metric="valid_error", direction=direction))
    batched = C.diagnose_all(scored, POLICY)
    alone = [
        C.diagnose(t, c, POLICY) if c is not None and scored.feasible[i] else None
        for i, (t, c) in enumerate(zip(scored.trials, scored.score_curves, strict=True))
    ]
    assert batched == alone
    flagged = {f for d in alone if d is not None for f in d.flags}
    assert {C.OVERFITTING, C.STILL_IMPROVING, C.TRAIN_LOSS_RISING} <= flagged

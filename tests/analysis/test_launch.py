"""Variance and the launch decision: constructed retrain groups, and the A/A calibration."""

from __future__ import annotations

import numpy as np
import pytest

from reportgen.analysis import analyze_study
from reportgen.analysis.calibration import adopt_rate, power_table
from reportgen.schema import Policy, TrialKind, Verdict
from tests.analysis.analysis_builders import flat, spec, trial


def _retrains(source: str, width: int, values: list[float]):
    return [
        trial(f"{source}-r{i}", flat(v), width=width, kind=TrialKind.RETRAIN, group=source, index=i)
        for i, v in enumerate(values)
    ]


def ten(centre: float) -> list[float]:
    """Ten retrain values with mean ``centre`` and standard deviation about 0.0082."""
    return [centre + 0.01 * x for x in (-1, 0, 1, 0, -1, 1, 0, 0, 1, -1)]


def _study(base_values, cand_values, **spec_kw):
    s = spec(baseline={"hyperparameter": "width", "value": 64}, **spec_kw)
    trials = [
        trial("s0", flat(0.20), width=64, index=0),
        trial("s1", flat(0.15), width=32, index=1),
    ]
    if base_values:
        trials += _retrains("s0", 64, base_values)
    if cand_values:
        trials += _retrains("s1", 32, cand_values)
    return s, trials


def test_clearly_better_candidate_is_adopted():
    s, trials = _study(ten(0.20), ten(0.15), nuisance=False)
    d = analyze_study(s, trials).decision
    assert (d.verdict, d.candidate_label, d.baseline_label) == (
        Verdict.ADOPT,
        "width=32",
        "width=64",
    )
    assert d.effect == pytest.approx(0.05)
    assert d.ci_low > 0 and d.ci_high > d.ci_low
    assert d.candidate.group == "s1" and d.baseline.group == "s0"
    assert d.candidate.n == 10 and d.candidate.mean == pytest.approx(0.15)
    assert d.estimand is not None and d.estimand.label.startswith("valid_error, best over training")


def test_clearly_worse_candidate_is_rejected():
    s, trials = _study(ten(0.15), ten(0.20), nuisance=False)
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.REJECT
    assert d.effect == pytest.approx(-0.05)


def test_overlapping_arms_are_inconclusive_with_retrains_needed():
    s, trials = _study([0.20, 0.22, 0.18], [0.19, 0.21, 0.18], nuisance=False)
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.INCONCLUSIVE
    assert d.retrains_needed == 2  # to the next planned look, 5 per arm
    assert "reportgen retrain demo --trial s1" in d.next_step


def test_minimum_effect_blocks_a_small_real_gain():
    s, trials = _study(ten(0.20), ten(0.15), policy={"min_effect": 0.1}, nuisance=False)
    assert analyze_study(s, trials).decision.verdict is Verdict.REJECT


def test_without_retrains_the_verdict_is_inconclusive_and_says_to_retrain():
    s, trials = _study([], [])
    a = analyze_study(s, trials)
    assert a.decision.verdict is Verdict.INCONCLUSIVE
    assert "reportgen retrain demo" in a.decision.next_step
    assert a.variance.trial == []
    assert "variance.no_retrains" in [f.key for f in a.findings]
    assert a.variance.study is None
    assert "variance.no_reruns" in [f.key for f in a.findings]


def test_human_override_is_shown_beside_the_computed_verdict():
    override = {"verdict": "reject", "reason": "adds a dependency we cannot ship"}
    s, trials = _study(ten(0.20), ten(0.15), override=override, nuisance=False)
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.ADOPT
    assert d.override is not None and d.override.verdict is Verdict.REJECT


def test_retrain_groups_and_study_variance_from_reruns():
    s, trials = _study([0.20, 0.22, 0.18], [0.15, 0.16, 0.14])
    trials += [
        trial("r1-a", flat(0.17), kind=TrialKind.RERUN, group="seed1"),
        trial("r1-b", flat(0.18), kind=TrialKind.RERUN, group="seed1"),
        trial("r2-a", flat(0.13), kind=TrialKind.RERUN, group="seed2"),
    ]
    v = analyze_study(s, trials).variance
    base = v.trial[0]
    assert (base.group, base.n, base.trial_ids) == ("s0", 3, ["s0-r0", "s0-r1", "s0-r2"])
    assert base.mean == pytest.approx(0.20) and base.std == pytest.approx(0.02)
    assert base.ci_low < 0.20 < base.ci_high
    assert v.study is not None
    assert (v.study.source, v.study.values) == ("reruns", [0.15, 0.17, 0.13])
    assert v.pooled_trial_std == pytest.approx(np.sqrt((2 * 0.02**2 + 2 * 0.01**2) / 4))


def test_analysis_is_deterministic():
    s, trials = _study([0.20, 0.22, 0.18], [0.19, 0.21, 0.18])
    assert analyze_study(s, trials) == analyze_study(s, list(reversed(trials)))


def test_false_adopt_rate_on_aa_comparisons_stays_at_its_level():
    policy = Policy()
    rng = np.random.default_rng(20261123)
    for n in (3, 5, 10):
        r = adopt_rate(0.0, n, 4000, policy, rng)
        assert r.n_sims >= 2000
        # at or below the stated level within three Monte Carlo standard errors
        se = np.sqrt(policy.false_adopt_rate * (1 - policy.false_adopt_rate) / r.n_sims)
        assert r.adopt_rate <= policy.false_adopt_rate + 3 * se


def test_power_grows_with_effect_and_retrains():
    rows = power_table(
        Policy(), np.random.default_rng(1), effects=(1.0, 2.0), ns=(3, 5, 10), n_sims=2000
    )
    power = {(r.effect_sd, r.n_per_arm): r.adopt_rate for r in rows}
    assert power[(1.0, 3)] < power[(1.0, 5)] < power[(1.0, 10)]
    assert power[(2.0, 3)] < power[(2.0, 5)] < power[(2.0, 10)]
    assert all(power[(1.0, n)] < power[(2.0, n)] for n in (3, 5, 10))
    assert power[(2.0, 10)] > 0.95


def test_two_retrains_show_the_effect_but_stay_inconclusive():
    s, trials = _study([0.20, 0.21], [0.15, 0.16])
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.INCONCLUSIVE
    assert d.effect == pytest.approx(0.05)
    assert "fewer than 3 retrains" in d.reason


def test_named_candidate_is_compared_instead_of_the_best_value():
    s = spec(
        search_space=[
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-1,
            },
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [32, 64, 128]},
        ],
        baseline={"hyperparameter": "width", "value": 64},
        candidate=128,
    )
    hp = {"adam.learning_rate": 1e-3}
    trials = [
        trial("s0", flat(0.20), hyperparameters={**hp, "width": 64}),
        trial("s1", flat(0.10), hyperparameters={**hp, "width": 32}),
        trial("s2", flat(0.15), hyperparameters={**hp, "width": 128}),
    ]
    d = analyze_study(s, trials).decision
    assert (d.candidate_label, d.baseline_label) == ("width=128", "width=64")
    assert "--trial s2" in d.next_step


def test_baseline_from_another_study():
    s = spec(baseline={"study": "incumbent"}, nuisance=False)
    mine = [trial("s0", flat(0.15))] + _retrains("s0", 64, ten(0.15))
    theirs = [trial("b0", flat(0.20)), trial("b1", flat(0.30))] + _retrains("b0", 64, ten(0.20))
    d = analyze_study(s, mine, baseline_trials=theirs).decision
    assert (d.verdict, d.candidate_label, d.baseline_label) == (
        Verdict.ADOPT,
        "study demo",
        "study incumbent",
    )
    assert d.baseline.group == "b0" and d.candidate.group == "s0"
    # without the other study's records the comparison cannot be made
    assert analyze_study(s, mine).decision.verdict is Verdict.INCONCLUSIVE

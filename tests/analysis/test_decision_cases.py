"""Known answers of the launch decision for the single cases of issue 15, and the sequential plan."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from reportgen.analysis import analyze_study
from reportgen.analysis.calibration import sequential_adopt_rate
from reportgen.analysis.noise import eval_noise
from reportgen.analysis.sequential import (
    crossing_probability,
    look_reached,
    plan_levels,
    spending_levels,
)
from reportgen.schema import Policy, Status, TrialKind, Verdict
from tests.analysis.analysis_builders import flat, spec, trial

NAN = float("nan")


def _retrains(source, width, values, statuses=None, curve=flat, eval_examples=None):
    statuses = statuses or [Status.COMPLETE] * len(values)
    out = []
    for i, (v, st) in enumerate(zip(values, statuses, strict=True)):
        t = trial(
            f"{source}-rt{i + 1}",
            curve(v) if st is Status.COMPLETE else [2.0, NAN],
            width=width,
            kind=TrialKind.RETRAIN,
            group=source,
            index=i + 1,
            status=st,
        )
        out.append(t.model_copy(update={"eval_examples": eval_examples}))
    return out


def ten(centre):
    return [centre + 0.01 * x for x in (-1, 0, 1, 0, -1, 1, 0, 0, 1, -1)]


def _study(base, cand, **kw):
    s = spec(baseline={"hyperparameter": "width", "value": 64}, **kw.pop("spec", {}))
    trials = [
        trial("s0", flat(0.20), width=64, index=0),
        trial("s1", flat(0.15), width=32, index=1),
    ]
    return s, trials + _retrains("s0", 64, base, **kw.get("b", {})) + _retrains(
        "s1", 32, cand, **kw.get("c", {})
    )


# --- the sequential plan ----------------------------------------------------------------------
def test_obrien_fleming_spending_matches_the_published_boundaries():
    # Lan-DeMets O'Brien-Fleming type, 5 equally spaced looks, one-sided 2.5 % (gsDesign's
    # sfLDOF bounds, Jennison & Turnbull 2000 table 7.6): 4.877, 3.357, 2.680, 2.290, 2.031
    levels = spending_levels((0.2, 0.4, 0.6, 0.8, 1.0), 0.025, "obrien_fleming")
    z = [stats.norm.isf(x) for x in levels]
    assert z == pytest.approx([4.877, 3.357, 2.680, 2.290, 2.031], abs=2e-3)
    assert look_reached(2, (3, 5, 10)) is None
    assert look_reached(9, (3, 5, 10)) == 1


@pytest.mark.parametrize("kind", ["obrien_fleming", "pocock"])
def test_the_bisection_finds_brents_bounds(kind, monkeypatch):
    """The spending bounds are solved by bisection (no scipy.optimize import at start); SciPy's
    Brent solver, put in its place, gives the same levels."""
    from scipy import optimize

    import reportgen.analysis.sequential as seq

    fractions = (0.2, 0.45, 0.7, 1.0)
    ours = seq.spending_levels.__wrapped__(fractions, 0.05, kind)
    monkeypatch.setattr(
        seq, "_bisect", lambda f, lo, hi, xtol: optimize.brentq(f, lo, hi, xtol=xtol)
    )
    brent = seq.spending_levels.__wrapped__(fractions, 0.05, kind)
    assert ours == pytest.approx(brent, rel=1e-9, abs=1e-14)
    assert len(set(ours)) == len(ours)  # four different levels: the solve did something


@pytest.mark.parametrize("kind", ["obrien_fleming", "pocock"])
@pytest.mark.parametrize("looks", [(3, 5, 10), (5, 10), (3, 5, 10, 20, 40)])
def test_the_plan_spends_exactly_its_error_rate(kind, looks):
    levels = plan_levels(looks, 0.05, kind)
    fractions = tuple(n / looks[-1] for n in looks)
    assert crossing_probability(levels, fractions) == pytest.approx(0.05, abs=2e-4)
    # a single look is tested at the full level; the last look of a plan a little below it
    assert plan_levels((10,), 0.05, kind) == pytest.approx((0.05,))
    assert levels[-1] < 0.05


@pytest.mark.parametrize("add, looks", [(1, 40), (2, 10), (37, 2)])
def test_repeated_looks_hold_the_false_adopt_rate(add, looks):
    policy = Policy()
    r = sequential_adopt_rate(0.0, add, looks, 8000, policy, np.random.default_rng(add))
    se = np.sqrt(0.05 * 0.95 / r.n_sims)
    assert r.adopt_rate <= policy.false_adopt_rate + 3 * se


def test_retrains_beyond_the_look_wait_and_next_names_the_planned_look():
    base, cand = [0.200, 0.203, 0.198], [0.199, 0.201, 0.196]
    fixed = {"nuisance": False}
    s, at3 = _study(base, cand, spec=fixed)
    d3 = analyze_study(s, at3).decision
    s, at4 = _study([*base, 0.150], [*cand, 0.300], spec=fixed)  # a 4th each: still the look at 3
    d4 = analyze_study(s, at4).decision
    assert d3.verdict is d4.verdict is Verdict.INCONCLUSIVE
    assert (d4.effect, d4.ci_low, d4.ci_high) == (d3.effect, d3.ci_low, d3.ci_high)
    assert any("2 retrain(s) beyond the look at 3 per arm wait" in c for c in d4.caveats)
    assert d3.retrains_needed is not None
    target = 3 + d3.retrains_needed
    assert target in Policy().look_sizes
    assert f"--trial s1 --seeds {target}`" in d3.next_step
    assert f"--trial s0 --seeds {target}`" in d3.next_step
    assert "O'Brien–Fleming" in d3.procedure and "3 (0.03%), 5 (0.55%), 10 (4.82%)" in d3.procedure


def test_retrains_sort_in_retrain_order_not_as_text():
    # rt10 comes after rt9: the first 10 retrains are rt1..rt10, not rt1, rt10, rt11, ...
    s, trials = _study([0.2 + 0.001 * i for i in range(12)], [0.15 + 0.001 * i for i in range(12)])
    d = analyze_study(s, trials).decision
    assert d.effect == pytest.approx(0.05)


# --- feasibility --------------------------------------------------------------------------------
def test_diverged_candidate_retrains_count_against_it_and_are_named():
    ok, div = Status.COMPLETE, Status.DIVERGED
    s, trials = _study(
        [0.20, 0.21, 0.19, 0.20, 0.21, 0.19],
        [0.15, 0.16, 0.14, NAN, NAN, NAN],
        c={"statuses": [ok, ok, ok, div, div, div]},
        spec={"nuisance": False},
    )
    d = analyze_study(s, trials).decision
    assert d.verdict is not Verdict.ADOPT
    # the look at 5: rt4 and rt5 of the candidate diverged
    assert "width=32 2 of 5 (s1-rt4, s1-rt5)" in d.reason


def test_candidate_failing_much_more_often_is_rejected():
    ok, div = Status.COMPLETE, Status.DIVERGED
    s, trials = _study(
        [0.20 + 0.001 * i for i in range(10)],
        [0.15, 0.16, *[NAN] * 8],
        c={"statuses": [ok, ok, *[div] * 8]},
        spec={"nuisance": False},
    )
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.REJECT
    assert "8 of 10" in d.reason


# --- the noise floor ----------------------------------------------------------------------------
def test_one_validation_example_apart_is_not_adopted_and_the_interval_has_width():
    s, trials = _study(
        [4 / 300] * 3, [3 / 300] * 3, b={"eval_examples": 300}, c={"eval_examples": 300}
    )
    a = analyze_study(s, trials)
    d = a.decision
    assert d.verdict is Verdict.INCONCLUSIVE
    assert d.effect == pytest.approx(1 / 300)
    # a gap of 1/300 on 300 examples: standard error at least sqrt(d (1 - d) / n)
    floor = np.sqrt((1 / 300) * (299 / 300) / 300)
    assert d.ci_high - d.ci_low >= 2 * floor
    assert any("resolution" in c for c in d.caveats)
    assert "below_noise_floor" in [f.key for f in a.findings]


def test_identical_values_without_a_known_resolution_are_inconclusive():
    s, trials = _study([0.2] * 3, [0.1] * 3, spec={"nuisance": False})
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.INCONCLUSIVE
    assert "identical" in d.reason and "eval_examples" in d.next_step


# --- objective noise ----------------------------------------------------------------------------
def _jitter(sd, seed):
    rng = np.random.default_rng(seed)

    def curve(v):
        return [v + 0.3, v + 0.1, *(v + sd * rng.standard_normal(8)).tolist()]

    return curve


def test_noisier_candidate_is_scored_by_its_late_mean_not_its_best():
    # equal plateaus; the candidate's evaluations are 4x noisier, so its best over training is lower
    s, trials = _study(
        [0.20] * 10,
        [0.20] * 10,
        b={"curve": _jitter(0.002, 1)},
        c={"curve": _jitter(0.008, 2)},
    )
    d = analyze_study(s, trials).decision
    assert d.verdict is not Verdict.ADOPT
    assert any("Evaluation noise differs" in c for c in d.caveats)
    assert "mean of the late half" in d.reason


def test_eval_noise_is_unbiased_on_white_noise_and_blind_to_a_constant_and_a_trend():
    rng = np.random.default_rng(0)
    y = rng.standard_normal((4000, 20))
    var = np.mean([eval_noise(row) ** 2 for row in y])
    assert var == pytest.approx(1.0, rel=0.03)
    row = y[0]
    trend = 0.7 - 0.01 * np.arange(20)
    assert eval_noise(row + trend) == pytest.approx(eval_noise(row))


# --- nuisance luck --------------------------------------------------------------------------------
def test_without_reruns_neither_adopt_nor_reject_and_the_plan_names_its_reruns():
    for base, cand in ((ten(0.20), ten(0.15)), (ten(0.15), ten(0.20))):
        s, trials = _study(base, cand)
        d = analyze_study(s, trials).decision
        # the interval clears zero on seed noise alone (either way), but the learning rate was
        # searched per arm and no rerun measures how lucky that search was: the verdict waits
        assert d.ci_low > 0 or d.ci_high < 0
        assert d.verdict is Verdict.INCONCLUSIVE
        assert "0 of the plan's 4 reruns" in d.reason
        assert "reportgen rerun demo --sampler-seeds 4" in d.next_step
        # the plan's cost: 4 reruns of an 8-trial search, at 1 s per trial
        assert d.plan is not None and (d.plan.retrains, d.plan.reruns, d.plan.trials) == (0, 4, 32)
        assert "at most 32 trials (4 reruns of the search), about 32 s" in d.next_step
    # the same retrains with the learning rate fixed (no nuisance search): adopted
    s, trials = _study(ten(0.20), ten(0.15), spec={"nuisance": False})
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.ADOPT
    assert any("no nuisance hyperparameters" in c for c in d.caveats)


def _reruns(pairs):
    out = []
    for k, (b, c) in enumerate(pairs, start=1):
        out += [
            trial(f"k{k}-b", flat(b), width=64, kind=TrialKind.RERUN, group=f"seed{k}"),
            trial(f"k{k}-c", flat(c), width=32, kind=TrialKind.RERUN, group=f"seed{k}"),
        ]
    return out


def test_reruns_average_the_effect_over_sampler_seeds():
    s, trials = _study(ten(0.20), ten(0.15))
    trials += _reruns([(0.20, 0.21), (0.19, 0.185), (0.21, 0.20), (0.20, 0.19)])
    d = analyze_study(s, trials).decision
    # this search's difference 0.05 (retrains), the reruns' -0.01, 0.005, 0.01, 0.01
    diffs = [0.05, -0.01, 0.005, 0.01, 0.01]
    assert d.effect == pytest.approx(np.mean(diffs))
    se = np.std(diffs, ddof=1) / np.sqrt(5)
    half = stats.t.isf(plan_levels((3, 5, 10), 0.05, "obrien_fleming")[-1], 4) * se
    assert (d.ci_low, d.ci_high) == pytest.approx((np.mean(diffs) - half, np.mean(diffs) + half))
    assert d.verdict is Verdict.INCONCLUSIVE
    rows = d.comparisons[0].seeds
    assert [r.seed for r in rows] == ["this search", "seed1", "seed2", "seed3", "seed4"]
    assert [r.difference for r in rows] == pytest.approx(diffs)
    # the seeds' spread dominates: more retrains cannot help, and the advice says so
    assert "more reruns, not retrains" in d.next_step


def test_reruns_that_agree_with_the_retrains_adopt():
    s, trials = _study(ten(0.20), ten(0.15))
    trials += _reruns([(0.20, 0.16), (0.21, 0.155), (0.19, 0.15), (0.20, 0.14)])
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.ADOPT
    assert "5 sampler seeds (this search and 4 reruns)" in d.reason


def test_uneven_search_budget_withholds_adopt():
    s = spec(baseline={"hyperparameter": "width", "value": 64}, nuisance=False)
    trials = [trial("s0", flat(0.20), width=64, index=0)]
    trials += [trial(f"s{i}", flat(0.15 + i / 1000), width=32, index=i) for i in range(1, 10)]
    trials += _retrains("s0", 64, ten(0.20)) + _retrains("s1", 32, ten(0.15))
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.INCONCLUSIVE
    assert "tuned with 9 search trials against 1" in d.reason


# --- honest counts and reasons --------------------------------------------------------------------
def test_rerun_count_says_this_search_and_nine_reruns_for_ten_sampler_seeds():
    s, trials = _study([0.20, 0.21, 0.19], [0.15, 0.16, 0.14])
    trials += [
        trial(f"k{k}", flat(0.15 + k / 1000), kind=TrialKind.RERUN, group=f"seed{k}")
        for k in range(1, 10)
    ]
    v = analyze_study(s, trials).variance.study
    assert v.n == 10
    assert v.label == "best of study over 10 sampler seeds (this search and 9 reruns)"


def test_infeasible_message_never_shows_empty_parentheses():
    s = spec(objective={"metric": "valid_loss"})
    # complete trials whose objective curve has no finite value are infeasible without a reason
    trials = []
    for i in range(4):
        t = trial(f"t{i}", flat(0.2), index=i)
        if i < 3:
            t = t.model_copy(
                update={"curves": t.curves.model_copy(update={"valid_loss": [NAN] * 10})}
            )
        trials.append(t)
    [f] = [f for f in analyze_study(s, trials).findings if f.key == "infeasible.fraction"]
    assert "()" not in f.message
    assert "no finite objective value: 3" in f.message


def test_an_external_loop_is_told_to_use_suggest_not_the_runners():
    """A study trained by the user's own loop (workload ``external``): every command named is
    one that loop can follow (``reportgen suggest``), never ``retrain`` / ``rerun``."""
    external = {"workload": {"name": "external"}}
    s, trials = _study([0.20, 0.21, 0.19], [0.15, 0.16, 0.14], spec=external)
    a = analyze_study(s, trials)
    d = a.decision
    assert d.verdict is Verdict.INCONCLUSIVE  # nuisance luck not covered yet
    assert "`reportgen suggest demo --sampler-seed K --count N` for K = 1, 2, 3, 4" in d.next_step
    assert "reportgen rerun" not in d.next_step
    no_reruns = next(f for f in a.findings if f.key == "variance.no_reruns")
    assert "reportgen suggest demo --sampler-seed K" in no_reruns.message
    # no retrains at all: the retrain command is suggest's
    s, trials = _study([], [], spec=external)
    a = analyze_study(s, trials)
    no_retrains = next(f for f in a.findings if f.key == "variance.no_retrains")
    assert "`reportgen suggest demo --retrain best --seeds 5`" in no_retrains.message
    assert "reportgen suggest demo --retrain s1 --seeds 3" in a.decision.next_step


def test_every_command_a_decision_names_is_accepted_by_the_cli():
    """The backticked commands of "Next:" and of the caveats parse with reportgen's own parser
    (a retrain command once named a --resume flag that retrain does not have)."""
    import re
    import shlex

    from reportgen.cli import parser

    cases = [
        _study([0.20, 0.21, 0.19], [0.15, 0.16, 0.14]),  # rerun asked for
        _study([0.20, 0.22, 0.18], [0.19, 0.21, 0.18]),  # next look asked for
        _study([0.20], [0.15]),  # first look asked for
    ]
    named = []
    for s, trials in cases:
        d = analyze_study(s, trials).decision
        for text in (d.next_step, *d.caveats):
            named += re.findall(r"`(reportgen [^`]+)`", text)
    assert {c.split()[1] for c in named} >= {"retrain", "rerun"}
    for command in named:
        parser().parse_args(shlex.split(command)[1:])  # exits (SystemExit) on a bad flag


def test_the_plans_cost_counts_each_trials_share_of_its_vectorised_group():
    """A vectorised record's ``wall_seconds`` is its whole group's wall time: 8 trials trained
    together in 8 s cost 1 s each, so 32 more trials cost about 32 s, not 256 s (before, the
    estimate multiplied the group's time by the trial count)."""
    from reportgen.schema import Execution

    s, trials = _study(ten(0.20), ten(0.15))
    grouped = [
        t.model_copy(update={
            "wall_seconds": 8.0,
            "execution": Execution(mode="vectorised", group_size=8, group_wall_seconds=8.0),
        })
        for t in trials
    ]
    d = analyze_study(s, grouped).decision
    assert "at most 32 trials (4 reruns of the search), about 32 s" in d.next_step

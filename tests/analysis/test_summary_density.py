"""Summary, infeasible fraction and sampling density on small constructed studies."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from reportgen.analysis.density import (
    check_best_so_far,
    check_coverage,
    check_near_best,
    expected_best_of_k,
)
from reportgen.analysis.infeasible import check_infeasible
from reportgen.analysis.objective import score_trials
from reportgen.analysis.summary import summarize
from reportgen.schema import Direction, Finding, Objective, ObjectiveMode, Policy, Severity, Status
from tests.analysis.analysis_builders import flat, spec, trial

NAN = float("nan")


def _study():
    return [
        trial("a", flat(0.30), index=0),
        trial("b", [0.5, 0.2, 0.25], index=1),  # best over training 0.2, final 0.25
        trial("c", [2.0, NAN], index=2, status=Status.DIVERGED),
        trial("d", flat(0.10), index=3),
    ]


def test_summary_counts_ranks_and_best_so_far():
    s = summarize(score_trials(_study(), Objective()), Policy(top_k=2))
    assert (s.n_trials, s.by_status, s.by_reason) == (
        4,
        {"complete": 3, "diverged": 1},
        {"loss became NaN": 1},
    )
    assert s.infeasible_fraction == 0.25
    assert [(p.trial_id, p.value, p.rank) for p in s.points] == [
        ("a", 0.30, 3),
        ("b", 0.2, 2),
        ("c", None, None),
        ("d", 0.10, 1),
    ]
    assert s.best is not None and s.best.trial_id == "d"
    assert [p.trial_id for p in s.top] == ["d", "b"]
    assert s.best_so_far == [0.30, 0.2, 0.2, 0.10]


def test_final_mode_and_maximize_direction():
    final = score_trials(_study(), Objective(mode=ObjectiveMode.FINAL))
    assert final.values[1] == 0.25
    maxi = summarize(score_trials(_study(), Objective(direction=Direction.MAXIMIZE)), Policy())
    # flat(0.30) starts at 0.80, the highest value of any curve
    assert maxi.best is not None and maxi.best.trial_id == "a" and maxi.best.value == 0.8


def test_infeasible_fraction_above_alarm_is_a_warning():
    s = summarize(score_trials(_study(), Objective()), Policy())
    assert check_infeasible(s, Policy(infeasible_alarm=0.3)) == []
    assert check_infeasible(s, Policy(infeasible_alarm=0.2)) == [
        Finding(
            key="infeasible.fraction",
            severity=Severity.WARNING,
            message="1 of 4 trials (25%) are infeasible (loss became NaN: 1), above the 20% "
            "alarm; adjust the search space or look for a bug.",
            anchor="extracting-insight-from-experimental-results",
            evidence={"n_trials": 4, "n_infeasible": 1, "fraction": 0.25, "alarm": 0.2},
        )
    ]


def test_no_feasible_trial_is_a_problem():
    trials = [trial(f"x{i}", [2.0, NAN], status=Status.DIVERGED) for i in range(2)]
    [f] = check_infeasible(summarize(score_trials(trials, Objective()), Policy()), Policy())
    assert (f.key, f.severity) == ("infeasible.fraction", Severity.PROBLEM)


def test_few_trials_near_the_best():
    scored = score_trials(_study(), Objective())
    [f] = check_near_best(scored, Policy(min_trials_near_best=2))
    assert (f.key, f.evidence["n_near"], f.evidence["best"]) == ("density.near_best", 1, 0.1)
    dense = [trial(f"t{i}", flat(0.10 + 0.001 * i), index=i) for i in range(4)]
    # within twice a trial standard deviation of 0.002 (retrains measured it)
    assert (
        check_near_best(score_trials(dense, Objective()), Policy(min_trials_near_best=3), 0.002)
        == []
    )


def test_best_found_late_in_the_sequence():
    late = [trial(f"t{i}", flat(0.5 - 0.01 * i), index=i) for i in range(7)] + [
        trial("t7", flat(0.1), index=7)
    ]
    [f] = check_best_so_far(score_trials(late, Objective()), Policy())
    assert (f.key, f.subject, f.evidence["position"], f.evidence["best_before"]) == (
        "density.best_so_far_late",
        "t7",
        8,
        0.45,  # best of the first 6 (75 %) trials
    )
    early = [trial("t0", flat(0.1), index=0)] + [
        trial(f"t{i}", flat(0.5), index=i) for i in range(1, 8)
    ]
    assert check_best_so_far(score_trials(early, Objective()), Policy()) == []


def test_uneven_coverage_of_scientific_values():
    s = spec()
    trials = [trial(f"t{i}", flat(0.1), index=i, width=32 if i < 3 else 64) for i in range(4)]
    [f] = check_coverage(s, score_trials(trials, s.objective), Policy())
    assert (f.key, f.subject, f.evidence["values"], f.evidence["counts"]) == (
        "density.uneven_coverage",
        "width",
        [32, 64],
        [3, 1],
    )
    even = [trial(f"t{i}", flat(0.1), index=i, width=(32, 64)[i % 2]) for i in range(4)]
    assert check_coverage(s, score_trials(even, s.objective), Policy()) == []


def test_expected_best_of_k_matches_enumerating_every_subset():
    values = [0.5, 0.1, 0.4, 0.3, 0.2, 0.35]
    trials = [trial(f"t{i}", flat(v), index=i) for i, v in enumerate(values)]
    trials.append(trial("tx", [2.0, NAN], status=Status.DIVERGED))  # counts as the worst value
    got = expected_best_of_k(score_trials(trials, Objective()))
    pool = values + [max(values)]
    for eb in got:
        bests = [min(c) for c in combinations(pool, eb.k)]
        assert eb.mean == pytest.approx(np.mean(bests))
        assert eb.low <= eb.mean <= eb.high
    assert [eb.k for eb in got] == list(range(1, 8))
    assert got[-1].mean == pytest.approx(0.1) and got[-1].low == got[-1].high == pytest.approx(0.1)


def test_uneven_coverage_of_a_continuous_scientific_hyperparameter_by_bucket():
    s = spec(
        search_space=[
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-1,
            },
            {"name": "dropout", "role": "scientific", "scale": "linear", "low": 0.0, "high": 0.4},
        ]
    )
    drops = [
        0.01,
        0.02,
        0.03,
        0.05,
        0.15,
        0.25,
        0.35,
    ]  # 4 in the first of 4 buckets, 1 in the others
    trials = [
        trial(
            f"t{i}", flat(0.1), index=i, hyperparameters={"adam.learning_rate": 1e-3, "dropout": d}
        )
        for i, d in enumerate(drops)
    ]
    [f] = check_coverage(s, score_trials(trials, s.objective), Policy(isolation_buckets=4))
    assert (f.subject, f.evidence["counts"]) == ("dropout", [4, 1, 1, 1])


def test_trials_stopped_on_purpose_are_neither_ranked_nor_infeasible():
    # a pruner stopped two trials early: their partial curves are kept, they are not failures
    trials = [
        trial("a", flat(0.30), index=0),
        trial("b", [0.9, 0.8], index=1, status=Status.STOPPED),
        trial("c", [0.9, 0.85], index=2, status=Status.STOPPED),
        trial("d", [2.0, NAN], index=3, status=Status.DIVERGED),
    ]
    s = summarize(score_trials(trials, Objective()), Policy())
    assert s.by_status == {"complete": 1, "diverged": 1, "stopped": 2}
    assert s.by_reason == {"loss became NaN": 1}  # only the divergence is a failure
    assert s.infeasible_fraction == 0.25
    assert [p.trial_id for p in s.points if p.rank is not None] == ["a"]
    assert check_infeasible(s, Policy(infeasible_alarm=0.3)) == []

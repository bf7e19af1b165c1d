"""Design lints and isolation on small constructed studies."""

from __future__ import annotations

from reportgen.analysis.design import check_design
from reportgen.analysis.isolation import isolation
from reportgen.analysis.objective import score_trials
from reportgen.schema import Isolation, IsolationPoint, Policy, Status
from tests.analysis.analysis_builders import flat, spec, trial

NAN = float("nan")


def _keys(findings):
    return [(f.key, f.subject) for f in findings]


def test_a_clean_design_has_no_lint():
    assert check_design(spec(), Policy()) == []


def test_learning_rate_fixed_while_scientific_varies():
    s = spec(
        search_space=[
            {"name": "adam.learning_rate", "role": "fixed", "value": 1e-3},
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [32, 64]},
        ]
    )
    [f] = check_design(s, Policy())
    assert (f.key, f.subject, f.evidence) == (
        "design.lr_fixed",
        "adam.learning_rate",
        {"fixed": ["adam.learning_rate"], "scientific": ["width"]},
    )


def test_batch_size_as_nuisance_and_two_scientific_changes():
    s = spec(
        search_space=[
            {"name": "batch_size", "role": "nuisance", "scale": "discrete", "values": [32, 64]},
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [32, 64]},
            {"name": "depth", "role": "scientific", "scale": "discrete", "values": [1, 2]},
        ]
    )
    assert _keys(check_design(s, Policy())) == [
        ("design.batch_size_nuisance", "batch_size"),
        ("design.several_scientific", ""),
    ]


def test_adam_hyperparameters_beyond_the_budget():
    space = [
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {
            "name": "adam.learning_rate",
            "role": "nuisance",
            "scale": "log",
            "low": 1e-4,
            "high": 1e-1,
        },
        {"name": "adam.b1", "role": "nuisance", "scale": "linear", "low": 0.8, "high": 0.99},
        {"name": "adam.eps", "role": "nuisance", "scale": "log", "low": 1e-9, "high": 1e-3},
    ]
    # 8 trials: b1 needs 10, eps needs 25
    assert _keys(check_design(spec(search_space=space, trial_budget=8), Policy())) == [
        ("design.adam_budget", "adam.b1"),
        ("design.adam_budget", "adam.eps"),
    ]
    # 30 trials: both are fine
    assert check_design(spec(search_space=space, trial_budget=30), Policy()) == []


def test_isolation_takes_the_best_trial_per_scientific_value():
    s = spec()
    trials = [
        trial("a", flat(0.30), width=32, lr=1e-3),
        trial("b", flat(0.20), width=32, lr=3e-3),
        trial("c", flat(0.25), width=64, lr=1e-3),
        trial("d", [2.0, NAN], width=64, lr=1e-1, status=Status.DIVERGED),
    ]
    assert isolation(s, score_trials(trials, s.objective), Policy()) == [
        Isolation(
            hyperparameter="width",
            bucketed=False,
            points=[
                IsolationPoint(
                    label="width=32",
                    value=32,
                    best_value=0.2,
                    best_trial_id="b",
                    n_trials=2,
                    n_feasible=2,
                ),
                IsolationPoint(
                    label="width=64",
                    value=64,
                    best_value=0.25,
                    best_trial_id="c",
                    n_trials=2,
                    n_feasible=1,
                ),
            ],
        )
    ]


def test_isolation_buckets_a_continuous_scientific_hyperparameter():
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

    def hp(d):
        return {"adam.learning_rate": 1e-3, "dropout": d}

    trials = [
        trial("a", flat(0.3), hyperparameters=hp(0.05)),
        trial("b", flat(0.2), hyperparameters=hp(0.15)),
        trial("c", flat(0.1), hyperparameters=hp(0.12)),
        trial("d", flat(0.4), hyperparameters=hp(0.4)),
    ]
    [iso] = isolation(s, score_trials(trials, s.objective), Policy(isolation_buckets=4))
    assert iso.bucketed
    assert [(p.low, p.high, p.best_trial_id, p.n_trials) for p in iso.points] == [
        (0.0, 0.1, "a", 1),
        (0.1, 0.2, "c", 2),
        (0.2, 0.30000000000000004, None, 0),
        (0.30000000000000004, 0.4, "d", 1),
    ]

"""fANOVA importance: the vectorised marginals give Optuna's FanovaImportanceEvaluator numbers.

The oracle is Optuna itself, handed the same trials, distributions, forest size and seed: on
every study of the published logbook, and on a constructed study with a three-way categorical, a
single-valued one and a log-scaled float, the importances must be Optuna's to the rounding the
page shows, in the same order.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pytest

from reportgen.analysis import importance
from reportgen.analysis.importance import hyperparameter_importance
from reportgen.analysis.objective import score_trials
from reportgen.schema import Scale, TrialKind
from reportgen.store import load_study
from tests.analysis.analysis_builders import flat, spec, trial

optuna = pytest.importorskip("optuna")
pytest.importorskip("sklearn")

LOGBOOK = Path(__file__).resolve().parents[2] / "logbook"


def optuna_importance(
    s, search, seed: int, n_trees: int = importance.N_TREES, max_depth: int = importance.MAX_DEPTH
) -> dict[str, float]:
    """What the analysis computed through Optuna before it had its own marginals (also timed by
    bench/importance_cost.py)."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution

    dists = {}
    for hp in s.varied:
        if hp.scale in (Scale.LINEAR, Scale.LOG):
            dists[hp.name] = FloatDistribution(
                float(hp.low), float(hp.high), log=hp.scale is Scale.LOG
            )
        else:
            dists[hp.name] = CategoricalDistribution(list(hp.values or []))
    feasible = [i for i in range(len(search)) if search.feasible[i]]
    if len(feasible) > importance.FIT_TRIALS:
        rng = np.random.default_rng(seed)
        feasible = sorted(
            int(i) for i in rng.choice(feasible, importance.FIT_TRIALS, replace=False)
        )
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study()
    for i in feasible:
        hps = search.trials[i].hyperparameters
        params = {n: hps[n] for n in dists if n in hps}
        if len(params) == len(dists):
            study.add_trial(
                optuna.trial.create_trial(
                    params=params, distributions=dists, value=float(search.scores[i])
                )
            )
    evaluator = optuna.importance.FanovaImportanceEvaluator(
        n_trees=n_trees, max_depth=max_depth, seed=seed
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = optuna.importance.get_param_importances(study, evaluator=evaluator)
    return {k: float(round(v, 6)) for k, v in sorted(raw.items(), key=lambda kv: -kv[1])}


def _assert_same(ours, theirs: dict[str, float]) -> None:
    assert ours.available, ours.message
    assert list(ours.values) == list(theirs)  # the same ranking, ties included
    for name, v in theirs.items():
        assert ours.values[name] == pytest.approx(v, abs=2e-6), name


def test_every_published_study_gets_optunas_importances():
    compared = 0
    for folder in sorted(p for p in LOGBOOK.iterdir() if p.is_dir()):
        record, problems = load_study(folder, LOGBOOK)
        assert record is not None, problems
        search = score_trials(
            [t for t in record.trials if t.kind is TrialKind.SEARCH], record.spec.objective
        )
        for seed in (0, 7):
            ours = hyperparameter_importance(record.spec, search, seed)
            if not ours.available:
                continue
            _assert_same(ours, optuna_importance(record.spec, search, seed))
            compared += 1
    assert compared >= 28  # 14 of the 18 studies rank their hyperparameters, at two seeds


def _mixed_study(n: int):
    s = spec(
        search_space=[
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-1,
            },
            {
                "name": "activation",
                "role": "scientific",
                "scale": "categorical",
                "values": ["relu", "gelu", "tanh"],
            },
            {"name": "width", "role": "nuisance", "scale": "discrete", "values": [64]},
            {"name": "dropout", "role": "nuisance", "scale": "linear", "low": 0.0, "high": 0.5},
        ]
    )
    rng = np.random.default_rng(3)
    trials = []
    for k in range(n):
        lr = float(10 ** rng.uniform(-4, -1))
        act = ["relu", "gelu", "tanh"][k % 3]
        drop = float(rng.uniform(0, 0.5))
        v = 0.2 + 0.1 * (math.log10(lr) + 2.5) ** 2 + {"relu": 0.0, "gelu": 0.03, "tanh": 0.1}[act]
        v += 0.02 * drop + float(rng.normal(0, 0.005))
        trials.append(
            trial(
                f"t{k:03d}",
                flat(v),
                index=k,
                hyperparameters={
                    "adam.learning_rate": lr,
                    "activation": act,
                    "width": 64,
                    "dropout": drop,
                },
            )
        )
    return s, score_trials(trials, s.objective)


@pytest.mark.parametrize("n", [12, 90])
def test_categorical_and_single_valued_hyperparameters_match_optuna(n):
    s, search = _mixed_study(n)
    ours = hyperparameter_importance(s, search, seed=1)
    _assert_same(ours, optuna_importance(s, search, 1))
    assert ours.values["width"] == 0.0  # one possible value explains nothing
    assert ours.top_pair[0] == "adam.learning_rate"


def test_trials_that_all_score_the_same_say_so_instead_of_failing():
    s, _ = _mixed_study(12)
    same = [
        trial(
            f"t{k:02d}",
            flat(0.3),
            index=k,
            hyperparameters={
                "adam.learning_rate": 10 ** (-4 + k / 4),
                "activation": "relu",
                "width": 64,
                "dropout": k / 30,
            },
        )
        for k in range(12)
    ]
    imp = hyperparameter_importance(s, score_trials(same, s.objective), seed=0)
    assert not imp.available
    assert imp.message == "Every fitted trial scored the same: nothing to rank."

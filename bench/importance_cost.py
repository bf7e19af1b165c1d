"""Cost of the hyperparameter-importance step (fANOVA through Optuna) on the published logbook.

Prints seconds for analysing every study's search trials with Optuna's default forest and with
the forest the analysis uses, the top two importances of each, and the analysis without it.

    PYTHONPATH=. python bench/importance_cost.py [LOGBOOK]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import optuna

from reportgen.analysis import importance as imp
from reportgen.analysis.objective import score_trials
from reportgen.schema import TrialKind
from reportgen.store import load_study


def main(logbook: Path) -> None:
    studies = [load_study(p, logbook)[0] for p in sorted(logbook.iterdir()) if p.is_dir()]
    scored = [
        (
            r.spec,
            score_trials([t for t in r.trials if t.kind is TrialKind.SEARCH], r.spec.objective),
        )
        for r in studies
        if r is not None
    ]
    for spec, s in scored[:1]:
        imp.hyperparameter_importance(spec, s, 0)  # imports and warm-up
    base = optuna.importance.FanovaImportanceEvaluator
    timings = {}
    ranks = {}
    for label, kw in (
        ("optuna default (64 trees, depth 64)", {}),
        ("32 trees, depth 16", {"n_trees": 32, "max_depth": 16}),
        ("16 trees, depth 16", {"n_trees": 16, "max_depth": 16}),
        ("16 trees, depth 8", {"n_trees": 16, "max_depth": 8}),
        ("8 trees, depth 8", {"n_trees": 8, "max_depth": 8}),
        ("32 trees, depth 8", {"n_trees": 32, "max_depth": 8}),
        ("32 trees, depth 6", {"n_trees": 32, "max_depth": 6}),
        (
            f"analysis ({imp.N_TREES} trees, depth {imp.MAX_DEPTH})",
            {"n_trees": imp.N_TREES, "max_depth": imp.MAX_DEPTH},
        ),
    ):

        class Evaluator(base):  # type: ignore[misc, valid-type]
            def __init__(self, seed=None, _kw=kw, **_ignored):
                super().__init__(seed=seed, **_kw)

        optuna.importance.FanovaImportanceEvaluator = Evaluator
        t = time.perf_counter()
        tops, order = [], []
        for spec, s in scored:
            i = imp.hyperparameter_importance(spec, s, 0)
            tops.append({k: round(v, 2) for k, v in list(i.values.items())[:2]})
            order.append(list(i.values))
        ranks[label] = order
        timings[label] = time.perf_counter() - t
        optuna.importance.FanovaImportanceEvaluator = base
        same = sum(o[:2] == d[:2] for o, d in zip(order, next(iter(ranks.values())), strict=True))
        print(
            f"{label}: {timings[label]:.2f} s for {len(scored)} studies; top two: {tops}; "
            f"same top two as the default in {same} of {len(order)} studies"
        )
    a, b = next(iter(timings.values())), timings[label]
    print(f"ratio default / analysis: {a / b:.1f}x")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("logbook"))

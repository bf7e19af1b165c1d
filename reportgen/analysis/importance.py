"""Insight: which hyperparameters matter (fANOVA through Optuna's evaluator), and the best
objective per cell of the two most important ones (the interaction view).

Optuna is optional for a build: when it is not installed the result says so and the page shows
that message instead of the numbers.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Scale, StudySpec
from reportgen.schema.playbook import Importance, InteractionCell

METHOD = "fANOVA (optuna.importance.FanovaImportanceEvaluator, 32 trees of depth 8)"
# A smaller forest than Optuna's default (64 trees, depth 64): the same top two on all 18
# published studies at a fifth of the time; bench/importance_cost.py prints both. Depth 8 allows
# 256 leaves, about as many as the FIT_TRIALS trials a tree is fitted on, and Optuna's
# pure-Python marginal variances cost less the fewer leaves there are: depth 8 halves the time
# of depth 16 (it was 40 % of a 200-trial study's build) with the same ranking.
N_TREES = 32
MAX_DEPTH = 8
MIN_TRIALS = 6
# fANOVA's cost grows with the trials (the trees' leaves): beyond this many feasible trials the
# forest is fitted on a seeded random subset of them, which ranks the hyperparameters as well
FIT_TRIALS = 300


def hyperparameter_importance(spec: StudySpec, search: ScoredTrials, seed: int) -> Importance:
    numeric = [hp for hp in spec.varied if hp.scale in (Scale.LINEAR, Scale.LOG, Scale.DISCRETE)
               or hp.scale is Scale.CATEGORICAL]
    feasible = [i for i in range(len(search)) if search.feasible[i]]
    if len(numeric) < 2:
        return Importance(method=METHOD, available=False,
                          message="Fewer than two varied hyperparameters: nothing to rank.")
    if len(feasible) < MIN_TRIALS:
        return Importance(method=METHOD, available=False,
                          message=f"Fewer than {MIN_TRIALS} feasible trials: too few to rank.")
    try:
        import optuna
        from optuna.distributions import (
            CategoricalDistribution,
            FloatDistribution,
        )
    except ImportError:
        return Importance(method=METHOD, available=False,
                          message="Optuna is not installed (pip install optuna): importance "
                          "is not computed.")
    dists = {}
    for hp in numeric:
        if hp.scale in (Scale.LINEAR, Scale.LOG):
            dists[hp.name] = FloatDistribution(float(hp.low), float(hp.high),  # type: ignore[arg-type]
                                               log=hp.scale is Scale.LOG)
        else:
            dists[hp.name] = CategoricalDistribution(list(hp.values or []))
    method = METHOD
    if len(feasible) > FIT_TRIALS:
        rng = np.random.default_rng(seed)
        picked = sorted(int(i) for i in rng.choice(feasible, FIT_TRIALS, replace=False))
        method = (f"{METHOD}, fitted on a seeded random subset of {FIT_TRIALS} of the "
                  f"{len(feasible)} feasible trials")
        feasible = picked
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize")
    for i in feasible:
        hps = search.trials[i].hyperparameters
        params = {n: hps[n] for n in dists if n in hps}
        if len(params) != len(dists):
            continue  # conditional hyperparameters inactive here
        study.add_trial(optuna.trial.create_trial(
            params=params, distributions=dists, value=float(search.scores[i])))
    if len(study.trials) < MIN_TRIALS:
        return Importance(method=METHOD, available=False,
                          message="Too few trials set every varied hyperparameter.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ev = optuna.importance.FanovaImportanceEvaluator(
                n_trees=N_TREES, max_depth=MAX_DEPTH, seed=seed
            )
            raw = optuna.importance.get_param_importances(study, evaluator=ev, normalize=True)
    except ImportError as e:  # Optuna's fANOVA needs scikit-learn
        return Importance(method=METHOD, available=False,
                          message=f"Importance needs a package that is not installed ({e.name}).")
    values = {k: float(round(v, 6)) for k, v in sorted(raw.items(), key=lambda kv: -kv[1])}
    top = list(values)[:2]
    return Importance(method=method, available=True, values=values, top_pair=top)


def interaction_cells(
    spec: StudySpec, search: ScoredTrials, pair: list[str], bins: int = 4
) -> list[InteractionCell]:
    """Best objective per cell of a 2-D grid over ``pair`` (sampling coordinates, equal bins)."""
    if len(pair) != 2:
        return []
    hps = {hp.name: hp for hp in spec.varied}
    axes = []
    for name in pair:
        hp = hps[name]
        labels = []
        for t in search.trials:
            v = t.hyperparameters.get(name)
            if hp.scale in (Scale.LINEAR, Scale.LOG) and isinstance(v, int | float):
                lo, hi = float(hp.low), float(hp.high)  # type: ignore[arg-type]
                x = float(v)
                if hp.scale is Scale.LOG:
                    lo, hi, x = math.log10(lo), math.log10(hi), math.log10(x)
                k = min(bins - 1, max(0, int((x - lo) / (hi - lo) * bins)))
                a = lo + k * (hi - lo) / bins
                b = lo + (k + 1) * (hi - lo) / bins
                if hp.scale is Scale.LOG:
                    labels.append(f"{k}: {10**a:.2g}–{10**b:.2g}")
                else:
                    labels.append(f"{k}: {a:.3g}–{b:.3g}")
            else:
                labels.append(str(v))
        axes.append(labels)
    cells: dict[tuple[str, str], list[int]] = {}
    for i in range(len(search)):
        cells.setdefault((axes[0][i], axes[1][i]), []).append(i)
    out = []
    for (x, y), idx in sorted(cells.items()):
        ok = [i for i in idx if search.feasible[i]]
        best = float(np.min(search.values[ok] * search.sign) * search.sign) if ok else None
        out.append(InteractionCell(x=x, y=y, best=best, n=len(idx), n_feasible=len(ok)))
    return out

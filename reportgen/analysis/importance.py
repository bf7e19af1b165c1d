"""Insight: which hyperparameters matter (fANOVA over a random forest), and the best objective
per cell of the two most important ones (the interaction view).

The forest is scikit-learn's; the marginal variances are ``reportgen.analysis.fanova``'s, which
gives Optuna's ``FanovaImportanceEvaluator`` numbers (same encoding, same forest, a test compares
them) at a fraction of its cost. scikit-learn is optional for a build: without it the result says
so and the page shows that message instead of the numbers.
"""

from __future__ import annotations

import math

import numpy as np

from reportgen.analysis.fanova import encode, importances
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Scale, StudySpec
from reportgen.schema.playbook import Importance, InteractionCell

METHOD = "fANOVA (Hutter et al. 2014) over a random forest of 32 trees of depth 8"
# A smaller forest than Optuna's default (64 trees, depth 64): the same top two on all 18
# published studies at a fifth of the time; bench/importance_cost.py prints both. Depth 8 allows
# 256 leaves, about as many as the FIT_TRIALS trials a tree is fitted on.
N_TREES = 32
MAX_DEPTH = 8
MIN_TRIALS = 6
# The forest's fit grows with the trials: beyond this many feasible trials it is fitted on a
# seeded random subset of them, which ranks the hyperparameters as well
FIT_TRIALS = 300


def hyperparameter_importance(spec: StudySpec, search: ScoredTrials, seed: int) -> Importance:
    numeric = [
        hp
        for hp in spec.varied
        if hp.scale in (Scale.LINEAR, Scale.LOG, Scale.DISCRETE) or hp.scale is Scale.CATEGORICAL
    ]
    feasible = [
        i
        for i in range(len(search))
        if search.feasible[i] and math.isfinite(float(search.scores[i]))
    ]
    if len(numeric) < 2:
        return Importance(
            method=METHOD,
            available=False,
            message="Fewer than two varied hyperparameters: nothing to rank.",
        )
    if len(feasible) < MIN_TRIALS:
        return Importance(
            method=METHOD,
            available=False,
            message=f"Fewer than {MIN_TRIALS} feasible trials: too few to rank.",
        )
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return Importance(
            method=METHOD,
            available=False,
            message="scikit-learn is not installed (pip install scikit-learn): "
            "importance is not computed.",
        )
    ranges: dict[str, tuple[float, float]] = {}
    choices: dict[str, list[object]] = {}
    for hp in numeric:
        if hp.scale in (Scale.LINEAR, Scale.LOG):
            ranges[hp.name] = (float(hp.low), float(hp.high))  # type: ignore[arg-type]
        else:
            choices[hp.name] = list(hp.values or [])
    method = METHOD
    if len(feasible) > FIT_TRIALS:
        rng = np.random.default_rng(seed)
        picked = sorted(int(i) for i in rng.choice(feasible, FIT_TRIALS, replace=False))
        method = (
            f"{METHOD}, fitted on a seeded random subset of {FIT_TRIALS} of the "
            f"{len(feasible)} feasible trials"
        )
        feasible = picked
    names = sorted(ranges.keys() | choices.keys())
    params, scores = [], []
    for i in feasible:
        hps = search.trials[i].hyperparameters
        if any(n not in hps or (n in choices and hps[n] not in choices[n]) for n in names):
            continue  # conditional hyperparameters inactive here
        params.append(hps)
        scores.append(float(search.scores[i]))
    if len(params) < MIN_TRIALS:
        return Importance(
            method=METHOD,
            available=False,
            message="Too few trials set every varied hyperparameter.",
        )
    # a hyperparameter with a single possible value explains nothing and is not a column
    single = [
        n for n in names if (len(choices[n]) < 2 if n in choices else ranges[n][0] == ranges[n][1])
    ]
    varied = [n for n in names if n not in single]
    if not varied:
        raw = dict.fromkeys(names, 0.0)
    else:
        fractions = importances(
            encode(params, ranges, choices, varied),
            np.asarray(scores),
            n_trees=N_TREES,
            max_depth=MAX_DEPTH,
            seed=seed,
        )
        if fractions is None:
            return Importance(
                method=method,
                available=False,
                message="Every fitted trial scored the same: nothing to rank.",
            )
        raw = {
            **dict(zip(varied, (float(f) for f in fractions), strict=True)),
            **dict.fromkeys(single, 0.0),
        }
    # ordered and normalised as optuna.importance.get_param_importances does (ties included)
    ordered = list(reversed(sorted(raw.items(), key=lambda kv: kv[1])))
    total = sum(v for _, v in ordered)
    normed = [(k, v / total if total else 1.0 / len(ordered)) for k, v in ordered]
    values = {k: float(round(v, 6)) for k, v in sorted(normed, key=lambda kv: -kv[1])}
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

"""Cost of the hyperparameter-importance step (fANOVA) on a logbook, against Optuna's evaluator.

For every study whose importance is computed, times three ways of getting it from the same search
trials and seed: Optuna's ``FanovaImportanceEvaluator`` with its default forest (64 trees, depth
64), Optuna's evaluator with the analysis' forest, and the analysis itself (the same forest, with
``reportgen.analysis.fanova``'s vectorised marginals). Prints the seconds, the ratios, whether
the top two agree with Optuna's default, and the largest difference from Optuna with the same
forest (0 when the numbers are Optuna's).

    python bench/importance_cost.py [LOGBOOK]     # default: the published logbook
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reportgen.analysis import importance as imp  # noqa: E402
from reportgen.analysis.objective import score_trials  # noqa: E402
from reportgen.schema import TrialKind  # noqa: E402
from reportgen.store import load_study  # noqa: E402
from tests.analysis.test_fanova import optuna_importance  # noqa: E402  (the test's oracle)


def main(logbook: Path) -> None:
    scored = []
    for p in sorted(q for q in logbook.iterdir() if q.is_dir()):
        record = load_study(p, logbook)[0]
        if record is None:
            continue
        search = score_trials(
            [t for t in record.trials if t.kind is TrialKind.SEARCH], record.spec.objective
        )
        if imp.hyperparameter_importance(record.spec, search, 0).available:  # and warm-up
            scored.append((p.name, record.spec, search))
    sides = {
        "Optuna, default forest (64 trees, depth 64)": lambda spec, s: optuna_importance(
            spec, s, 0, n_trees=64, max_depth=64
        ),
        f"Optuna, analysis forest ({imp.N_TREES} trees, depth {imp.MAX_DEPTH})": lambda spec, s: (
            optuna_importance(spec, s, 0)
        ),
        "analysis (same forest, vectorised marginals)": lambda spec, s: (
            imp.hyperparameter_importance(spec, s, 0).values
        ),
    }
    seconds, results = {}, {}
    for label, run in sides.items():
        t = time.perf_counter()
        results[label] = [run(spec, s) for _, spec, s in scored]
        seconds[label] = time.perf_counter() - t
    default, same_forest, ours = (results[k] for k in sides)
    print(
        f"{len(scored)} studies of {logbook} whose importance is computed "
        f"({sum(len(s) for _, _, s in scored)} search trials)"
    )
    print("| side | seconds | per study | same top two as Optuna's default |")
    print("|---|---|---|---|")
    for label in sides:
        same = sum(list(r)[:2] == list(d)[:2] for r, d in zip(results[label], default, strict=True))
        print(
            f"| {label} | {seconds[label]:.2f} | {seconds[label] / len(scored):.3f} | "
            f"{same} of {len(scored)} |"
        )
    diff = max(abs(o[k] - f[k]) for o, f in zip(ours, same_forest, strict=True) for k in f)
    order = sum(list(o) == list(f) for o, f in zip(ours, same_forest, strict=True))
    labels = list(sides)
    print(
        f"largest difference, analysis vs Optuna with the same forest: {diff:.1e} "
        f"(same order in {order} of {len(scored)} studies)"
    )
    print(
        f"ratio Optuna same forest / analysis: {seconds[labels[1]] / seconds[labels[2]]:.1f}x; "
        f"Optuna default / analysis: {seconds[labels[0]] / seconds[labels[2]]:.1f}x"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "logbook")

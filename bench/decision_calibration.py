"""Calibration of the launch decision: the rule in use against the rule before issue 33.

Every cell simulates ``--sims`` studies (``decision_sims``: a validation error near 0.2, seed noise
sd = 0.005 per retrain, evaluation noise 0.001 per evaluation, a learning rate searched as a
nuisance hyperparameter with 8 trials per value unless the row says otherwise) and decides each
with both rules (``decision_rules``), vectorised with numpy. In the A/A columns the values are
equally good: every adopt there is a false adopt and every reject a false reject. In the power
columns the candidate is better by 1 or 2 sd; a reject there is a false reject too.

Rows (workflows a user follows):

- ``single look``: no nuisance hyperparameter, n retrains per arm, analysed once;
- ``follow Next``: 3 retrains per arm, then what "Next:" asks for, up to 3 analyses;
- ``+2 per look``: 3 retrains per arm, 2 more per arm after every inconclusive analysis, up to 10;
- ``nuisance luck``: 10 retrains per arm and 0, 2, 4 or 8 reruns (the new rule's plan set to
  that many reruns: ``policy.nuisance_reruns``);
- ``6 values``: the best of 5 searched values against the baseline;
- ``9 vs 3 trials``: the candidate searched with 9 trials and the baseline with 3;
- ``noisy evals``: one arm's evaluations 4x noisier (0.008 against 0.002), objective "best over
  training", with and without nuisance hyperparameters and reruns;
- ``strong luck``: 4 trials per value, a learning-rate penalty 7x steeper;
- ``4 values, all retrained``: three candidates against the baseline (family-wise, Holm).

``--check N`` also runs N simulated studies of several rows through ``analyze_study`` (as trial
records) and fails unless every verdict equals the vectorised new rule's. Run from the
repository root:

    python bench/decision_calibration.py [--sims 2000] [--seed 0] [--quick] [--check 40]
"""

from __future__ import annotations

import argparse
import math
import pathlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from decision_rules import new_rule, old_rule  # noqa: E402
from decision_sims import Batch, Design, simulate  # noqa: E402

from reportgen.schema import Policy  # noqa: E402

Rule = Callable[[Batch, int], tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Row:
    name: str
    design: Design
    workflow: str = "single"  # single | follow | plus2
    n: int = 10
    policy: Policy = Policy()
    power: bool = False  # part of the power table


def _rows() -> list[Row]:
    fixed = Design(nuisance=False)
    noisy = (0.002, 0.008)  # baseline, candidate
    rows = [
        Row("single look, 3 per arm", fixed, n=3),
        Row("single look, 5 per arm", fixed, n=5),
        Row("single look, 10 per arm (no nuisance)", fixed, n=10, power=True),
        Row("follow Next, up to 3 analyses", replace(fixed, retrains=40), "follow"),
        Row("+2 per arm per analysis, up to 10", replace(fixed, retrains=21), "plus2"),
    ]
    for r in (0, 2, 4, 8):
        rows.append(
            Row(
                f"nuisance luck, 10 per arm, {r} reruns",
                Design(reruns=r),
                policy=Policy(nuisance_reruns=max(r, 1) if r else 4),
                power=True,
            )
        )
    rows += [
        Row("6 values, best as candidate, 4 reruns", Design(values=6, reruns=4)),
        Row("candidate 9 trials vs baseline 3, 4 reruns", Design(trials=(3, 9), reruns=4)),
        Row("noisy candidate evals, no nuisance", Design(nuisance=False, eval_sd=noisy)),
        Row("noisy baseline evals, no nuisance", Design(nuisance=False, eval_sd=noisy[::-1])),
    ]
    for r in (4, 8):
        pol = Policy(nuisance_reruns=r)
        rows.append(
            Row(f"noisy candidate evals, {r} reruns", Design(reruns=r, eval_sd=noisy), policy=pol)
        )
        rows.append(
            Row(
                f"noisy baseline evals, {r} reruns",
                Design(reruns=r, eval_sd=noisy[::-1]),
                policy=pol,
            )
        )
    rows += [
        Row(
            "strong luck (4 trials, 7x penalty), 4 reruns",
            Design(trials=(4, 4), luck=0.2, reruns=4),
        ),
        Row(
            "4 values all retrained (Holm), 4 reruns", Design(values=4, reruns=4, retrain_all=True)
        ),
    ]
    return rows


def decide_workflow(
    batch: Batch, rule: Rule, workflow: str, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Adopt and reject per study after following ``workflow``."""
    if workflow == "single":
        a, r, _ = rule(batch, n)
        return a, r
    count = batch.candidate.shape[0]
    have = np.full(count, 3)
    done = np.zeros(count, dtype=bool)
    adopt = np.zeros(count, dtype=bool)
    reject = np.zeros(count, dtype=bool)
    analyses = 3 if workflow == "follow" else 10
    for _ in range(analyses):
        for m in np.unique(have[~done]):
            sel = ~done & (have == m)
            a, r, more = rule(batch, int(m))
            adopt[sel] = a[sel]
            reject[sel] = r[sel]
            stop = a | r | (more <= 0) if workflow == "follow" else a | r
            nxt = have + (more if workflow == "follow" else 2)
            have = np.where(sel & ~stop, np.minimum(nxt, batch.design.retrains), have)
            done |= sel & stop
    return adopt, reject


def wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def _cell(k: int, n: int, interval: bool) -> str:
    if not interval:
        return f"{k / n:6.1%}"
    lo, hi = wilson(k, n)
    return f"{k / n:5.1%} [{lo:4.1%},{hi:5.1%}]"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sims", type=int, default=2000, help="simulated studies per cell")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="200 studies per cell: a smoke run")
    ap.add_argument("--only", default="", help="run the rows whose name contains this")
    ap.add_argument("--check", type=int, default=0, help="studies run through analyze_study")
    args = ap.parse_args()
    sims = 200 if args.quick else args.sims
    rows = [r for r in _rows() if args.only in r.name]
    seeds = np.random.SeedSequence(args.seed)
    start = time.perf_counter()
    results: dict[tuple[str, float], tuple[int, int, int, int]] = {}
    for row in rows:
        for effect in (0.0, 1.0, 2.0):
            rng = np.random.default_rng(seeds.spawn(1)[0])
            batch = simulate(row.design, effect, sims, rng)
            na, nr = decide_workflow(
                batch, lambda b, n, p=row.policy: new_rule(b, n, p), row.workflow, row.n
            )
            oa, orj = decide_workflow(batch, old_rule, row.workflow, row.n)
            results[(row.name, effect)] = (
                int(na.sum()),
                int(nr.sum()),
                int(oa.sum()),
                int(orj.sum()),
            )
    took = time.perf_counter() - start
    print(
        f"launch decision, new rule against the rule before issue 33 (old): {sims} simulated "
        f"studies per cell, seed {args.seed}, {took:.0f} s; rates with 95 % Wilson intervals"
    )
    print("\nError rates (A/A: equal values; every adopt and every reject is an error)")
    head = (
        f"{'scenario':<46} | {'false adopt new':>20} | {'old':>20} | {'false reject new':>20} | "
        f"{'old':>20} | {'false reject at 1 sd new':>24} | {'old':>6}"
    )
    print(head)
    print("-" * len(head))
    for row in rows:
        na, nr, oa, orj = results[(row.name, 0.0)]
        _, nr1, _, or1 = results[(row.name, 1.0)]
        print(
            f"{row.name:<46} | {_cell(na, sims, True):>20} | {_cell(oa, sims, True):>20} | "
            f"{_cell(nr, sims, True):>20} | {_cell(orj, sims, True):>20} | "
            f"{_cell(nr1, sims, False):>24} | {_cell(or1, sims, False):>6}"
        )
    print("\nPower (adopt rate when the candidate is better)")
    head = f"{'scenario':<46} | {'1 sd new':>9} | {'old':>6} | {'2 sd new':>9} | {'old':>6}"
    print(head)
    print("-" * len(head))
    for row in rows:
        p1 = results[(row.name, 1.0)]
        p2 = results[(row.name, 2.0)]
        mark = " *" if row.power else ""
        print(
            f"{row.name:<46} | {_cell(p1[0], sims, False):>9} | {_cell(p1[2], sims, False):>6} | "
            f"{_cell(p2[0], sims, False):>9} | {_cell(p2[2], sims, False):>6}{mark}"
        )
    print("* the power table of issue 33 (10 retrains; 0, 2, 4, 8 reruns; and no nuisance)")
    if args.check:
        from decision_check import check

        bad = check(args.check, args.seed)
        print(
            f"\nanalyze_study against the vectorised new rule: {args.check} studies per row, {bad} differ"
        )
        if bad:
            sys.exit(1)


if __name__ == "__main__":
    main()

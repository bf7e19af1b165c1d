"""Calibration of the launch decision in the workflows users follow, through ``analyze_study``.

Every simulated study is built as real trial records (search, retrain and rerun kinds) and
analysed by ``reportgen.analysis.analyze_study``, the function ``reportgen analyze`` and
``reportgen build`` call. The scientific value under test (``width``) has no effect in the A/A
rows; in the power rows the candidate is better by 1 or 2 retrain standard deviations (sd). The
seed noise of a retrain is sd = 0.005 on a validation error near 0.2.

Scenarios (issue 15):

- ``single look``: two arms, n retrains each, analysed once (n = 3, 5, 10);
- ``follow Next``: 3 retrains per arm, then the retrains the decision's "Next:" asks for, up to
  3 looks;
- ``+2 per look``: 3 retrains per arm, then 2 more per arm after every inconclusive look, up to
  10 looks;
- ``nuisance luck``: each arm's learning rate (nuisance, 8 search trials per arm) lands at its
  own distance from the optimum; 10 retrains per arm; without reruns, and with 4 reruns;
- ``6 values``: the same with 6 scientific values, the best non-baseline value as candidate;
- ``9 vs 3 trials``: the candidate value searched with 9 trials and the baseline with 3;
- ``noisy evals``: equal plateaus, the candidate's evaluations 4x noisier, objective "best
  over training", 10 retrains per arm.

For each cell: the adopt rate with its 95 % Wilson interval (false adopts in A/A rows), and the
same data decided by the old rule (one Welch look at 5 %, whose "Next:" asked for about the
retrains that would reach 80 % power) beside it. Run from the repository root:

    python bench/decision_calibration.py [--sims 2000] [--jobs 16] [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import pathlib
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy import stats

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from reportgen.analysis import analyze_study  # noqa: E402
from reportgen.schema import (  # noqa: E402
    Best,
    Curves,
    Execution,
    Provenance,
    Seeds,
    Status,
    StudySpec,
    TrialKind,
    TrialRecord,
    Verdict,
)

SD = 0.005  # retrain (seed) standard deviation
LEVEL = 0.2  # validation error of the baseline's plateau
EVAL_SD = 0.001  # evaluation noise of one evaluation (the 'noisy evals' candidate gets 4x)
LR_LOW, LR_HIGH = 1e-4, 1e-1
LR_BEST = 3e-3  # optimum of the learning rate for every width
LUCK = 0.03  # objective penalty per squared decade away from the optimum
WIDTHS = [64, 32, 128, 256, 16, 8]  # the first is the baseline
STAMP = Provenance(created_utc=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
EXEC = Execution(mode="sequential")


def make_spec(widths: list[int], nuisance: bool = True) -> StudySpec:
    """The simulated study: the learning rate is a searched nuisance hyperparameter, or held
    fixed at its optimum when ``nuisance`` is off (pure seed noise between the arms)."""
    lr = (
        {"name": "lr", "role": "nuisance", "scale": "log", "low": LR_LOW, "high": LR_HIGH}
        if nuisance
        else {"name": "lr", "role": "fixed", "value": LR_BEST}
    )
    return StudySpec(
        study_id="sim",
        title="Simulated study",
        goal="Calibrate the launch decision.",
        workload={"name": "digits_mlp"},
        search_space=[
            lr,
            {"name": "width", "role": "scientific", "scale": "discrete", "values": widths},
        ],
        baseline={"hyperparameter": "width", "value": widths[0]},
        trial_budget=8,
        max_train_steps=60,
        eval_every=10,
    )


SPECS = {(k, nuis): make_spec(WIDTHS[:k], nuis) for k in (2, 6) for nuis in (True, False)}


def record(
    tid: str,
    value: float,
    eval_sd: float,
    rng: np.random.Generator,
    width: int,
    lr: float,
    kind: TrialKind = TrialKind.SEARCH,
    group: str = "",
    index: int = 0,
) -> TrialRecord:
    """A trial whose valid_error falls to ``value`` and then jitters with ``eval_sd``."""
    tail = value + eval_sd * rng.standard_normal(4)
    valid = [value + 0.3, value + 0.1, *tail.tolist()]
    steps = [10, 20, 30, 40, 50, 60]
    b = int(np.argmin(valid))
    # copies of one validated template: the fields are built right here, so validating them
    # again only costs time, and pydantic's model_construct resolves every default through
    # inspect.signature (80 % of the bench's time); tests/analysis/test_decision_cases.py runs the
    # same shapes through validation
    return _TRIAL.model_copy(
        update={
            "trial_id": tid,
            "kind": kind,
            "group": group,
            "index": index,
            "hyperparameters": {"lr": lr, "width": width},
            "seeds": Seeds(init=index, data_order=index, sampler=0),
            "curves": _CURVES.model_copy(
                update={
                    "train_loss": [v + 0.1 for v in valid],
                    "valid_loss": valid,
                    "valid_error": valid,
                    "learning_rate": [lr] * 6,
                }
            ),
            "best": Best(step=steps[b], value=valid[b]),
        }
    )


_CURVES = Curves(
    step=[10, 20, 30, 40, 50, 60],
    train_loss=[0.5] * 6,
    valid_loss=[0.4] * 6,
    valid_error=[0.4] * 6,
    learning_rate=[LR_BEST] * 6,
    grad_norm=[1.0] * 6,
)
_TRIAL = TrialRecord(
    study_id="sim",
    study_revision=1,
    trial_id="template",
    kind=TrialKind.SEARCH,
    index=0,
    hyperparameters={"lr": LR_BEST, "width": WIDTHS[0]},
    seeds=Seeds(init=0, data_order=0, sampler=0),
    status=Status.COMPLETE,
    curves=_CURVES,
    best=Best(step=10, value=0.4),
    max_train_steps=60,
    wall_seconds=1.0,
    step_seconds=0.01,
    execution=EXEC,
    provenance=STAMP,
)


@dataclass
class Study:
    """A simulated study: the configurations the search picked and how to draw more retrains."""

    spec: StudySpec
    trials: list[TrialRecord]
    picked: dict[int, tuple[str, float, float]]  # width -> (source trial id, lr, config value)
    eval_sd: dict[int, float]
    rng: np.random.Generator

    def retrain(self, width: int, k_from: int, k_to: int) -> None:
        src, lr, value = self.picked[width]
        for k in range(k_from + 1, k_to + 1):
            v = value + SD * self.rng.standard_normal()
            self.trials.append(
                record(
                    f"{src}-rt{k}",
                    v,
                    self.eval_sd[width],
                    self.rng,
                    width,
                    lr,
                    TrialKind.RETRAIN,
                    src,
                    k,
                )
            )

    def n_retrains(self, width: int) -> int:
        src = self.picked[width][0]
        return sum(1 for t in self.trials if t.kind is TrialKind.RETRAIN and t.group == src)


def config_value(width: int, lr: float, effect: float, candidate: int | None) -> float:
    shift = -effect * SD if width == candidate else 0.0
    return LEVEL + shift + LUCK * math.log10(lr / LR_BEST) ** 2


def search_study(
    rng: np.random.Generator,
    n_widths: int,
    effect: float,
    trials_per_width: dict[int, int] | None = None,
    reruns: int = 0,
    nuisance: bool = True,
    eval_sd: dict[int, float] | None = None,
    candidate: int | None = None,
) -> Study:
    """Search every width over the learning rate (or at its optimum when ``nuisance`` is off)."""
    widths = WIDTHS[:n_widths]
    candidate = candidate if candidate is not None else widths[1]
    per = trials_per_width or dict.fromkeys(widths, 8 if nuisance else 1)
    sds = eval_sd or dict.fromkeys(widths, EVAL_SD)
    trials: list[TrialRecord] = []
    picked: dict[int, tuple[str, float, float]] = {}
    for seed in range(reruns + 1):
        kind = TrialKind.SEARCH if seed == 0 else TrialKind.RERUN
        group = "" if seed == 0 else f"sampler-seed-{seed}"
        i = 0
        best: dict[int, tuple[float, str, float, float]] = {}
        for w in widths:
            for _ in range(per[w]):
                lr = 10 ** rng.uniform(math.log10(LR_LOW), math.log10(LR_HIGH)) if nuisance else LR_BEST
                cv = config_value(w, lr, effect, candidate)
                tid = f"s{seed}-{i:03d}"
                t = record(tid, cv + SD * rng.standard_normal(), sds[w], rng, w, lr, kind, group, i)
                trials.append(t)
                score = min(t.curves.valid_error)
                if w not in best or score < best[w][0]:
                    best[w] = (score, tid, lr, cv)
                i += 1
        if seed == 0:
            picked = {w: (tid, lr, cv) for w, (_, tid, lr, cv) in best.items()}
    return Study(SPECS[(n_widths, nuisance)], trials, picked, sds, rng)


def verdict(study: Study):  # type: ignore[no-untyped-def]
    return analyze_study(study.spec, study.trials).decision


def candidate_width(study: Study) -> int:
    """The best non-baseline width of the first search (as the analysis picks it)."""
    best: dict[int, float] = {}
    for t in study.trials:
        if t.kind is TrialKind.SEARCH and t.best is not None:
            w = int(t.hyperparameters["width"])
            best[w] = min(best.get(w, math.inf), t.best.value)
    return min((w for w in best if w != WIDTHS[0]), key=lambda w: best[w])


# --------------------------------------------------------------------- the old rule, for contrast
def old_rule(study: Study, cand: int) -> tuple[bool, int]:
    """One Welch look at 5 % on every retrain: (adopt, retrains per arm its 'Next:' asked for,
    0 once it concluded)."""
    vals = {}
    for w in (WIDTHS[0], cand):
        src = study.picked[w][0]
        vals[w] = np.array(
            [t.best.value for t in study.trials if t.kind is TrialKind.RETRAIN and t.group == src]
        )
    c, b = vals[cand], vals[WIDTHS[0]]
    va, vb = c.var(ddof=1) / c.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (c.size - 1) + vb**2 / (b.size - 1)) if se > 0 else c.size + b.size - 2
    effect = float(b.mean() - c.mean())
    low = effect - stats.t.isf(0.05, df) * se
    high = effect + stats.t.isf(0.05, df) * se
    if low > 0 or high < 0:
        return bool(low > 0), 0
    n = min(c.size, b.size)
    z = stats.norm.isf(0.05) + stats.norm.ppf(0.8)
    var_sum = c.var(ddof=1) + b.var(ddof=1)
    total = math.ceil(z**2 * var_sum / effect**2) if effect else 50
    return bool(low > 0), int(min(50, max(1, total - n)))


# ---------------------------------------------------------------------------------- scenarios
def single_look(n: int) -> Callable[[np.random.Generator, float], tuple[bool, bool]]:
    def run(rng: np.random.Generator, effect: float) -> tuple[bool, bool]:
        st = search_study(rng, 2, effect, nuisance=False)
        for w in WIDTHS[:2]:
            st.retrain(w, 0, n)
        return verdict(st).verdict is Verdict.ADOPT, old_rule(st, WIDTHS[1])[0]

    return run


def follow_next(rng: np.random.Generator, effect: float) -> tuple[bool, bool]:
    """Start at 3 per arm, then add what 'Next:' asks for, up to 3 looks (new and old rule)."""
    outcome = []
    for rule in ("new", "old"):
        st = search_study(np.random.default_rng(rng.integers(2**63)), 2, effect, nuisance=False)
        n = 3
        for w in WIDTHS[:2]:
            st.retrain(w, 0, n)
        adopted = False
        for look in range(3):
            if rule == "new":
                d = verdict(st)
                adopted = d.verdict is Verdict.ADOPT
                more = d.retrains_needed
                if d.verdict is not Verdict.INCONCLUSIVE or not more:
                    break
            else:
                adopted, more = old_rule(st, WIDTHS[1])
                if not more:
                    break
            if look < 2:
                for w in WIDTHS[:2]:
                    st.retrain(w, n, n + more)
                n += more
        outcome.append(adopted)
    return outcome[0], outcome[1]


def plus_two(rng: np.random.Generator, effect: float) -> tuple[bool, bool]:
    """Start at 3 per arm, add 2 per arm after every inconclusive look, up to 10 looks."""
    st = search_study(rng, 2, effect, nuisance=False)
    n = 3
    for w in WIDTHS[:2]:
        st.retrain(w, 0, n)
    new = old = False
    new_done = old_done = False
    for _ in range(10):
        if not new_done:
            d = verdict(st)
            new = d.verdict is Verdict.ADOPT
            new_done = d.verdict is not Verdict.INCONCLUSIVE
        if not old_done:
            old, more = old_rule(st, WIDTHS[1])
            old_done = not more
        if new_done and old_done:
            break
        for w in WIDTHS[:2]:
            st.retrain(w, n, n + 2)
        n += 2
    return new, old


def nuisance(
    n_widths: int, reruns: int, trials: tuple[int, int] | None = None
) -> Callable[[np.random.Generator, float], tuple[bool, bool]]:
    def run(rng: np.random.Generator, effect: float) -> tuple[bool, bool]:
        per = None
        if trials is not None:
            per = {WIDTHS[0]: trials[1], WIDTHS[1]: trials[0]}
        cand_true = WIDTHS[1] if n_widths == 2 else int(rng.choice(WIDTHS[1:n_widths]))
        st = search_study(rng, n_widths, effect, per, reruns, candidate=cand_true)
        cand = candidate_width(st)
        for w in (WIDTHS[0], cand):
            st.retrain(w, 0, 10)
        return verdict(st).verdict is Verdict.ADOPT, old_rule(st, cand)[0]

    return run


def noisy_evals(rng: np.random.Generator, effect: float) -> tuple[bool, bool]:
    sds = {WIDTHS[0]: EVAL_SD * 2, WIDTHS[1]: EVAL_SD * 8}
    st = search_study(rng, 2, effect, nuisance=False, eval_sd=sds)
    for w in WIDTHS[:2]:
        st.retrain(w, 0, 10)
    return verdict(st).verdict is Verdict.ADOPT, old_rule(st, WIDTHS[1])[0]


SCENARIOS: dict[str, Callable[[np.random.Generator, float], tuple[bool, bool]]] = {
    "single look, 3 per arm": single_look(3),
    "single look, 5 per arm": single_look(5),
    "single look, 10 per arm": single_look(10),
    "follow Next, up to 3 looks": follow_next,
    "+2 per arm per look, up to 10 looks": plus_two,
    "nuisance luck, 10 per arm, no reruns": nuisance(2, 0),
    "nuisance luck, 10 per arm, 4 reruns": nuisance(2, 4),
    "6 values, best as candidate, no reruns": nuisance(6, 0),
    "6 values, best as candidate, 4 reruns": nuisance(6, 4),
    "candidate 9 trials vs baseline 3": nuisance(2, 0, (9, 3)),
    "candidate evals 4x noisier, best over training": noisy_evals,
}
EFFECTS = (0.0, 1.0, 2.0)


def chunk(task: tuple[str, float, int, int]) -> tuple[str, float, int, int, int]:
    name, effect, sims, seed = task
    rng = np.random.default_rng(seed)
    new = old = 0
    for _ in range(sims):
        a, b = SCENARIOS[name](rng, effect)
        new += a
        old += b
    return name, effect, sims, new, old


def wilson(k: int, n: int) -> tuple[float, float]:
    z = 1.959964
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sims", type=int, default=2000, help="simulated studies per cell")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="", help="run the scenarios whose name contains this")
    args = ap.parse_args()
    names = [n for n in SCENARIOS if args.only in n]
    per_task = max(1, math.ceil(args.sims / max(1, 4 * args.jobs // max(1, len(names)))))
    tasks = []
    seeds = np.random.SeedSequence(args.seed)
    for name in names:
        for effect in EFFECTS:
            left = args.sims
            while left > 0:
                m = min(per_task, left)
                tasks.append((name, effect, m, int(seeds.spawn(1)[0].generate_state(1)[0])))
                left -= m
    start = time.perf_counter()
    totals: dict[tuple[str, float], list[int]] = {}
    with ProcessPoolExecutor(args.jobs) as pool:
        for done, (name, effect, sims, new, old) in enumerate(pool.map(chunk, tasks), 1):
            print(f"  {done}/{len(tasks)} tasks", file=sys.stderr, flush=True)
            t = totals.setdefault((name, effect), [0, 0, 0])
            t[0] += sims
            t[1] += new
            t[2] += old
    took = time.perf_counter() - start
    print(
        f"launch decision through analyze_study: {args.sims} simulated studies per cell, seed "
        f"{args.seed}, {args.jobs} jobs, {took:.0f} s; adopt rate [95 % Wilson interval]; "
        f"'old' = one Welch look at 5 % on the same data"
    )
    head = (
        f"{'scenario':<48} | {'A/A false adopt (new)':>22} | {'old':>6} | "
        f"{'power 1 sd':>10} | {'old':>6} | {'power 2 sd':>10} | {'old':>6}"
    )
    print(head)
    print("-" * len(head))
    for name in names:
        cells = []
        for effect in EFFECTS:
            sims, new, old = totals[(name, effect)]
            lo, hi = wilson(new, sims)
            first = f"{new / sims:.1%} [{lo:.1%}, {hi:.1%}]" if effect == 0 else f"{new / sims:.1%}"
            cells += [f"{first:>{22 if effect == 0 else 10}}", f"{old / sims:>6.1%}"]
        print(f"{name:<48} | " + " | ".join(cells))


if __name__ == "__main__":
    main()

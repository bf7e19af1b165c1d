"""Time ``analyze_study`` on a synthetic study of 500 trials x 1000 evaluation points.

Synthetic records only (built here, never written): a log-scaled learning rate and a dropout
nuisance, a discrete scientific width, about 10 % diverged trials, and two retrain groups of 5.
Prints the median wall time of several runs, twice, interleaved: as a library call, and the way
`reportgen analyze` and the build call it (`store.long_lived.records_settled`: the records left
out of the garbage collector's full passes). Run from the repository root:

    python bench/analysis_speed.py [--trials 500] [--points 1000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import pathlib
import statistics
import sys
import time

import numpy as np

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
)
from reportgen.store.long_lived import records_settled  # noqa: E402

WIDTHS = [32, 64, 128, 256]


def make_spec(points: int) -> StudySpec:
    return StudySpec(
        study_id="bench",
        title="Synthetic benchmark study",
        goal="Time the analysis.",
        workload={"name": "synthetic"},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-5,
                "high": 1e-1,
            },
            {"name": "dropout", "role": "nuisance", "scale": "linear", "low": 0.0, "high": 0.5},
            {"name": "width", "role": "scientific", "scale": "discrete", "values": WIDTHS},
        ],
        trial_budget=500,
        max_train_steps=points * 10,
        eval_every=10,
        baseline={"hyperparameter": "width", "value": 64},
    )


def make_trial(
    i: int,
    hps: dict,
    rng: np.random.Generator,
    points: int,
    kind=TrialKind.SEARCH,
    group="",
    tid=None,
) -> TrialRecord:
    steps = np.arange(1, points + 1) * 10
    lr = hps["adam.learning_rate"]
    floor = (
        0.05
        + 0.02 * abs(np.log10(lr) + 3)
        + 0.01 * (hps["width"] == 32)
        + 0.1 * hps["dropout"] ** 2
    )
    t = steps / steps[-1]
    valid = (
        floor + 0.8 * np.exp(-6 * t) + 0.03 * np.maximum(t - 0.6, 0) + rng.normal(0, 0.003, points)
    )
    train = floor + 0.9 * np.exp(-6 * t) + rng.normal(0, 0.003, points)
    diverged = lr > 0.03 and kind is TrialKind.SEARCH
    if diverged:
        cut = points // 3
        train[cut:] = np.nan
        valid[cut:] = np.nan
    b = int(np.nanargmin(valid))
    return TrialRecord(
        study_id="bench",
        study_revision=1,
        trial_id=tid or f"t{i:04d}",
        kind=kind,
        group=group,
        index=i,
        hyperparameters=hps,
        seeds=Seeds(init=i, data_order=i, sampler=0),
        status=Status.DIVERGED if diverged else Status.COMPLETE,
        status_reason="nan loss" if diverged else "",
        curves=Curves(
            step=steps.tolist(),
            train_loss=train.tolist(),
            valid_loss=valid.tolist(),
            valid_error=valid.tolist(),
            learning_rate=[lr] * points,
            grad_norm=np.abs(rng.normal(1, 0.2, points)).tolist(),
        ),
        best=Best(step=int(steps[b]), value=float(valid[b])),
        max_train_steps=int(steps[-1]),
        wall_seconds=1.0,
        step_seconds=0.001,
        execution=Execution(mode="vectorised", group_size=64),
        provenance=Provenance(created_utc=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--trials", type=int, default=500)
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    spec = make_spec(args.points)
    trials = []
    for i in range(args.trials):
        hps = {
            "optimizer": "adam",
            "adam.learning_rate": float(10 ** rng.uniform(-5, -1)),
            "dropout": float(rng.uniform(0, 0.5)),
            "width": WIDTHS[i % len(WIDTHS)],
        }
        trials.append(make_trial(i, hps, rng, args.points))
    for source in ("t0001", "t0002"):
        src = next(t for t in trials if t.trial_id == source)
        for s in range(5):
            trials.append(
                make_trial(
                    s,
                    dict(src.hyperparameters),
                    rng,
                    args.points,
                    TrialKind.RETRAIN,
                    source,
                    f"{source}-r{s}",
                )
            )
    times: dict[str, list[float]] = {"library call": [], "records settled (CLI)": []}
    for _ in range(args.repeats):
        for how, ts in times.items():
            t0 = time.perf_counter()
            if how == "library call":
                result = analyze_study(spec, trials)
            else:
                with records_settled():
                    result = analyze_study(spec, trials)
            ts.append(time.perf_counter() - t0)
    for how, ts in times.items():
        print(
            f"analyze_study ({how}): {args.trials} search trials x {args.points} points "
            f"(+10 retrains): median {statistics.median(ts):.3f} s, min {min(ts):.3f} s over "
            f"{args.repeats} runs; {len(result.findings)} findings, verdict {result.decision.verdict}"
        )
    plain, settled = (statistics.median(ts) for ts in times.values())
    print(f"settled / library call: {settled / plain:.2f}")


if __name__ == "__main__":
    main()

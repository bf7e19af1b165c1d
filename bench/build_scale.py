"""Benchmark `reportgen build` on a synthetic logbook, and Optuna's plotly plots on the same trials.

Synthetic records are for this benchmark only: S studies × T trials × P eval points (default
100 × 200 × 1000). Prints: full build, no-op rebuild, rebuild after one study changed, bytes
per study page (its HTML, which carries its chart data), and for a sample of studies the time
and JSON size of Optuna's `plot_slice` (each hyperparameter) + `plot_intermediate_values`.

    python bench/build_scale.py [--studies 100] [--trials 200] [--points 1000] [--optuna-sample 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reportgen.analysis import analyze_study  # noqa: E402
from reportgen.schema import StudySpec, TrialRecord  # noqa: E402
from reportgen.site import build_site  # noqa: E402
from reportgen.site.mkdocs_run import DEFAULT_DOCS  # noqa: E402
from reportgen.store import dumps_record, write_spec  # noqa: E402


def make_study(
    root: Path, i: int, n_trials: int, n_points: int, rng: np.random.Generator
) -> list[TrialRecord]:
    sid = f"study-{i:03d}"
    spec = StudySpec(
        study_id=sid,
        title=f"Synthetic study {i}",
        goal="Benchmark the site build.",
        workload={"name": "external"},  # a known workload: `reportgen check` accepts it
        search_space=[
            {
                "name": "learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-1,
            },
            {"name": "weight_decay", "role": "nuisance", "scale": "log", "low": 1e-6, "high": 1e-2},
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [64, 128, 256]},
        ],
        trial_budget=n_trials,
        max_train_steps=n_points * 10,
        eval_every=10,
    )
    write_spec(root, spec)
    folder = root / sid / "trials"
    folder.mkdir(parents=True, exist_ok=True)
    step = list(range(10, n_points * 10 + 1, 10))
    k = np.arange(n_points)
    records = []
    for t in range(n_trials):
        lr = float(10 ** rng.uniform(-4, -1))
        wd = float(10 ** rng.uniform(-6, -2))
        width = [64, 128, 256][t % 3]
        base = 0.05 + 2.0 * np.exp(-k * lr * 5) + 0.01 * rng.standard_normal(n_points)
        diverged = lr > 0.08
        train = base.copy()
        if diverged:
            train[n_points // 3 :] = np.nan
        valid = np.clip(train / 2.5 + 0.02, 0, 1)
        best_i = int(np.nanargmin(valid))
        rec = TrialRecord(
            study_id=sid,
            study_revision=1,
            trial_id=f"t{t:04d}",
            index=t,
            hyperparameters={"learning_rate": lr, "weight_decay": wd, "width": width},
            seeds={"init": t, "data_order": t, "sampler": 0},
            status="diverged" if diverged else "complete",
            status_reason="loss became NaN" if diverged else "",
            curves={
                "step": step,
                "train_loss": train.tolist(),
                "valid_loss": (train * 1.1).tolist(),
                "valid_error": valid.tolist(),
                "learning_rate": [lr] * n_points,
                "grad_norm": np.abs(base).tolist(),
            },
            best={"step": step[best_i], "value": float(valid[best_i])},
            final_value=None if diverged else float(valid[-1]),
            max_train_steps=n_points * 10,
            wall_seconds=1.0,
            step_seconds=0.001,
            execution={"mode": "sequential"},
            provenance={
                "created_utc": dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i)
            },
        )
        (folder / f"{rec.trial_id}.json").write_text(dumps_record(rec))
        records.append(rec)
    return records


def optuna_plots(records: list[TrialRecord]) -> tuple[float, int]:
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    dists = {
        "learning_rate": FloatDistribution(1e-4, 1e-1, log=True),
        "weight_decay": FloatDistribution(1e-6, 1e-2, log=True),
        "width": IntDistribution(64, 256),
    }
    start = time.perf_counter()
    study = optuna.create_study(direction="minimize")
    trials = []
    for r in records:
        inter = {
            s: v
            for s, v in zip(r.curves.step, r.curves.valid_error, strict=True)
            if math.isfinite(v)
        }
        state = optuna.trial.TrialState.COMPLETE if r.feasible else optuna.trial.TrialState.FAIL
        trials.append(
            optuna.trial.create_trial(
                params=dict(r.hyperparameters),
                distributions=dists,
                value=r.best.value if r.feasible else None,
                intermediate_values=inter,
                state=state,
            )
        )
    study.add_trials(trials)
    size = 0
    for name in dists:
        size += len(optuna.visualization.plot_slice(study, params=[name]).to_json())
    size += len(optuna.visualization.plot_intermediate_values(study).to_json())
    return time.perf_counter() - start, size


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--studies", type=int, default=100)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--optuna-sample", type=int, default=5, help="studies plotted with Optuna")
    ap.add_argument(
        "--keep", type=Path, default=None, help="work folder to keep (default: a temp dir)"
    )
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    logbook, docs, site = work / "logbook", work / "docs", work / "site"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(DEFAULT_DOCS, docs)  # the generic pages (the repo home page lists our studies)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    sample = []
    for i in range(args.studies):
        recs = make_study(logbook, i, args.trials, args.points, rng)
        if i < args.optuna_sample:
            sample.append(recs)
    gen_s = time.perf_counter() - t0
    config = REPO / "mkdocs.yml"

    def build():
        start, cpu0 = time.perf_counter(), os.times()
        r = build_site(logbook, docs, site, config=config, analyze=analyze_study)
        cpu1 = os.times()
        build.cpu = sum(cpu1[:4]) - sum(cpu0[:4])  # this process and its workers
        return time.perf_counter() - start, r

    full_s, r_full = build()
    full_cpu = build.cpu
    noop_s, r_noop = build()
    spec = logbook / "study-000" / "study.yaml"
    spec.write_text(spec.read_text().replace("Synthetic study 0", "Synthetic study 0 (edited)"))
    one_s, r_one = build()
    pages = [site / "studies" / f"study-{i:03d}" / "index.html" for i in range(args.studies)]
    page_bytes = [p.stat().st_size for p in pages]
    ours_per_study = full_s / args.studies
    opt = [optuna_plots(recs) for recs in sample]
    opt_s = statistics.mean(t for t, _ in opt)
    opt_bytes = statistics.mean(b for _, b in opt)
    # chart data of one page only: the data-spec attributes of its study page
    import re

    spec_bytes = statistics.mean(
        sum(len(m) for m in re.findall(r"data-spec='([^']*)'", p.read_text()))
        for p in pages[: args.optuna_sample]
    )
    print(
        f"synthetic logbook: {args.studies} studies × {args.trials} trials × {args.points} points "
        f"(written in {gen_s:.1f} s); analysis: reportgen.analysis.analyze_study"
    )
    print("| measure | value | target |")
    print("|---|---|---|")
    print(
        f"| full build | {full_s:.1f} s wall, {full_cpu:.1f} s CPU ({len(r_full.rendered)} studies rendered) | ≤ 25 s at 100×200×1000, ≤ 120 s at 1000×20 |"
    )
    print(
        f"| no-op rebuild | {noop_s:.2f} s (rendered {len(r_noop.rendered)}, mkdocs ran: {r_noop.mkdocs_ran}) | ≤ 3 s |"
    )
    print(
        f"| rebuild after one study changed | {one_s:.1f} s (rendered {len(r_one.rendered)}) | ≤ 3 s |"
    )
    print(
        f"| study page (HTML incl. chart data), mean / max | {statistics.mean(page_bytes) / 1e6:.2f} / {max(page_bytes) / 1e6:.2f} MB | ≤ 2 MB, independent of the number of studies |"
    )
    print(f"| chart data per page (mean of {args.optuna_sample}) | {spec_bytes / 1e6:.2f} MB | — |")
    print(f"| our build per study (full build / studies) | {ours_per_study:.2f} s | — |")
    print(
        f"| Optuna plot_slice ×3 + plot_intermediate_values per study | {opt_s:.2f} s, {opt_bytes / 1e6:.2f} MB JSON | — |"
    )
    print(
        f"| speed ratio (Optuna time / our time per study) | {opt_s / ours_per_study:.1f}× | ≥ 5× |"
    )
    print(f"| size ratio (Optuna JSON / our chart data) | {opt_bytes / spec_bytes:.1f}× | ≥ 5× |")
    env = os.environ | {"PYTHONPATH": str(REPO)}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportgen", "--help"], env=env, capture_output=True, check=True)
    help_s = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportgen", "check", "--logbook", str(logbook / ".." / "logbook")],
                   env=env, capture_output=True)  # fmt: skip
    check_s = time.perf_counter() - t
    print(f"| `reportgen --help` whole process | {help_s:.2f} s | ≤ 0.5 s of imports |")
    print(f"| `reportgen check` whole process ({args.studies} studies) | {check_s:.2f} s | — |")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

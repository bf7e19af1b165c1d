"""Benchmark `reportgen build` on a synthetic logbook, and Optuna's plotly plots on the same trials.

Synthetic records are for this benchmark only: S studies × T trials × P eval points (default
100 × 200 × 1000). Prints: full build, no-op rebuild, rebuild after one study changed, bytes
per study page (its HTML, which carries its chart data), and for a sample of studies the time
and JSON size of Optuna's `plot_slice` (each hyperparameter) + `plot_intermediate_values`.

    python bench/build_scale.py [--studies 100] [--trials 200] [--points 1000] [--optuna-sample 5]

``--keep DIR --reuse`` builds the records a previous run with the same sizes left in DIR (the
records are seeded, so they are the ones it would write again) instead of writing them again:
the SQLite side of the Optuna comparison takes most of the writing time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
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

# the study pages and charts (altair) are imported before the clocks, as they were before
# build_site imported them lazily (only when a study is rendered): the full build is timed
# as the rendering it is, not as a cold start
importlib.import_module("reportgen.site.study_build")


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


OPTUNA_PARAMS = ("learning_rate", "weight_decay", "width")


def write_optuna_storage(path: Path, study_id: str, records: list[TrialRecord]) -> None:
    """The same trials in Optuna's own file storage (a journal): its side of the comparison."""
    import optuna
    from optuna.distributions import FloatDistribution, IntDistribution
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    dists = {
        "learning_rate": FloatDistribution(1e-4, 1e-1, log=True),
        "weight_decay": FloatDistribution(1e-6, 1e-2, log=True),
        "width": IntDistribution(64, 256),
    }
    storage = JournalStorage(JournalFileBackend(str(path)))
    study = optuna.create_study(direction="minimize", study_name=study_id, storage=storage)
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


def copy_to_sqlite(journal: Path, db: Path, study_id: str) -> None:
    """The same study in Optuna's RDB storage (SQLite: what optuna-dashboard opens)."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    src = optuna.load_study(
        study_name=study_id, storage=JournalStorage(JournalFileBackend(str(journal)))
    )
    dst = optuna.create_study(study_name=study_id, storage=f"sqlite:///{db}", direction="minimize")
    dst.add_trials(src.trials)


def _side_optuna(work: Path, storage_kind: str) -> dict[str, float]:
    """Child process: each study read from its storage, 3 slice plots + intermediate values as HTML."""
    import optuna
    import optuna.visualization as vis
    import plotly  # noqa: F401  (imported before the clock starts, like ours)
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    out = work / "optuna-html"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    t0, c0 = time.perf_counter(), time.process_time()
    suffix = ".log" if storage_kind == "journal" else ".db"
    paths = sorted((work / "optuna").glob(f"*{suffix}"))
    for path in paths:
        if storage_kind == "journal":
            storage = JournalStorage(JournalFileBackend(str(path)))
        else:
            storage = f"sqlite:///{path}"
        study = optuna.load_study(study_name=path.stem, storage=storage)
        for name in OPTUNA_PARAMS:
            fig = vis.plot_slice(study, params=[name])
            fig.write_html(out / f"{path.stem}-slice-{name}.html", include_plotlyjs="directory")
        fig = vis.plot_intermediate_values(study)
        fig.write_html(out / f"{path.stem}-intermediate.html", include_plotlyjs="directory")
    html = sum(f.stat().st_size for f in out.iterdir())
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"wall": wall, "cpu": cpu, "bytes": html, "studies": len(paths)}


def _side_ours(work: Path) -> dict[str, float]:
    """Child process: `build_site` of the same studies in this one process (jobs=1), from scratch."""
    fair = work / "fair"
    site, docs = fair / "site", fair / "docs"
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(docs, ignore_errors=True)
    shutil.copytree(DEFAULT_DOCS, docs)
    # what the build imports lazily is imported before the clock, as Optuna's side imports plotly
    import mkdocs.commands.build  # noqa: F401
    import optuna.importance  # noqa: F401
    import sklearn.ensemble  # noqa: F401

    from reportgen.site import pipeline

    # CPU of MkDocs, of loading the records and of the analysis, apart (jobs=1: all in here)
    parts = {"mkdocs": 0.0, "load": 0.0, "analysis": 0.0}

    def timed(fn, part):  # type: ignore[no-untyped-def]
        def call(*a, **k):  # type: ignore[no-untyped-def]
            c = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                parts[part] += time.process_time() - c

        return call

    pipeline.run_mkdocs = timed(pipeline.run_mkdocs, "mkdocs")
    pipeline.load_study = timed(pipeline.load_study, "load")
    t0, c0 = time.perf_counter(), time.process_time()
    build_site(
        fair / "logbook", docs, site, config=REPO / "mkdocs.yml", jobs=1,
        analyze=timed(analyze_study, "analysis"),
    )  # fmt: skip
    pages = sum(p.stat().st_size for p in (site / "studies").glob("*/index.html"))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        **{f"{k}_cpu": v for k, v in parts.items()},
        "wall": wall,
        "cpu": cpu,
        "bytes": pages,
        "studies": len(list((fair / "logbook").iterdir())),
    }


def fair_comparison(work: Path, repeats: int) -> dict[str, list[dict[str, float]]]:
    """Both sides in fresh child processes, interleaved; imports are outside both clocks.

    Ours twice: "ours" with an empty record cache each time (a first build: every record
    parsed, and the cache written), "ours-cached" with the records already in the cache (a
    later build of the same records, after a page or code change)."""
    sides = ["ours", "ours-cached", "journal"]
    sides += ["sqlite"] if any((work / "optuna").glob("*.db")) else []
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    env = os.environ | {"PYTHONPATH": str(REPO)}
    warm = work / "fair-record-cache"
    shutil.rmtree(warm, ignore_errors=True)
    for i in range(-1, repeats):
        for side in sides:
            if i < 0 and side != "ours-cached":
                continue  # the first round only fills the cached side's cache
            cold = work / "fair-record-cache-cold"
            shutil.rmtree(cold, ignore_errors=True)
            cache = warm if side == "ours-cached" else cold
            out = subprocess.run(
                [sys.executable, __file__, "--side", side.removesuffix("-cached"), "--keep", str(work)],
                env=env | {"REPORTGEN_CACHE_DIR": str(cache)}, capture_output=True, text=True,
                check=True,
            )  # fmt: skip
            if i >= 0:
                runs[side].append(json.loads(out.stdout.strip().splitlines()[-1]))
    return runs


def import_seconds(args: list[str], env: dict[str, str]) -> tuple[float, list[str]]:
    """Seconds of imports of one CLI call (`python -X importtime`, top-level modules'
    cumulative times) and which of scipy, altair, pandas it imported."""
    import re

    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reportgen", *args],
        env=env, capture_output=True, text=True,
    )  # fmt: skip
    total, heavy = 0, set()
    for line in out.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(2)) == 1:
            total += int(m.group(1))
        if m and m.group(3).split(".")[0] in ("scipy", "altair", "pandas"):
            heavy.add(m.group(3).split(".")[0])
    return total / 1e6, sorted(heavy)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--studies", type=int, default=100)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument(
        "--optuna-sample", type=int, default=5, help="studies in the comparison with Optuna"
    )
    ap.add_argument("--repeats", type=int, default=3, help="interleaved runs of each side")
    ap.add_argument(
        "--keep", type=Path, default=None, help="work folder to keep (default: a temp dir)"
    )
    ap.add_argument(
        "--sqlite-studies",
        type=int,
        default=2,
        help="of those, studies also copied into Optuna's SQLite storage (slow to write)",
    )
    ap.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: build the records already in DIR from an earlier run of these sizes",
    )
    ap.add_argument("--side", choices=("ours", "journal", "sqlite"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.side:  # a child of the fair comparison
        got = _side_ours(args.keep) if args.side == "ours" else _side_optuna(args.keep, args.side)
        print(json.dumps(got))
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="reportgen-bench-"))
    logbook, docs, site = work / "logbook", work / "docs", work / "site"
    reuse = args.reuse and args.keep is not None and logbook.is_dir()
    if reuse:
        have = sorted(p.name for p in logbook.iterdir() if p.is_dir())
        if (
            have != [f"study-{i:03d}" for i in range(args.studies)]
            or len(list((logbook / have[0] / "trials").glob("*.json"))) != args.trials
        ):
            raise SystemExit(f"--reuse: {logbook} was not written with these sizes")
        shutil.rmtree(docs, ignore_errors=True)
        shutil.rmtree(site, ignore_errors=True)
    else:
        shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(DEFAULT_DOCS, docs)  # the generic pages (the repo home page lists our studies)
    # the builds' record cache starts empty: the full build below is a first build
    os.environ["REPORTGEN_CACHE_DIR"] = str(work / "record-cache")
    shutil.rmtree(work / "record-cache", ignore_errors=True)
    rng = np.random.default_rng(0)
    t0 = time.perf_counter()
    (work / "optuna").mkdir(parents=True, exist_ok=True)
    for i in range(0 if reuse else args.studies):
        recs = make_study(logbook, i, args.trials, args.points, rng)
        if i < args.optuna_sample:  # the same trials for the fair comparison, in both storages
            sid = recs[0].study_id
            shutil.copytree(logbook / sid, work / "fair" / "logbook" / sid)
            write_optuna_storage(work / "optuna" / f"{sid}.log", sid, recs)
            if i < args.sqlite_studies:
                copy_to_sqlite(work / "optuna" / f"{sid}.log", work / "optuna" / f"{sid}.db", sid)
        del recs
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
    original = spec.read_text()
    spec.write_text(original.replace("Synthetic study 0", "Synthetic study 0 (edited)"))
    try:
        one_s, r_one = build()
    finally:
        spec.write_text(original)  # the records as written (for --reuse)
    pages = [site / "studies" / f"study-{i:03d}" / "index.html" for i in range(args.studies)]
    page_bytes = [p.stat().st_size for p in pages]
    fair = fair_comparison(work, args.repeats) if args.optuna_sample > 0 else {}

    print(
        f"synthetic logbook: {args.studies} studies × {args.trials} trials × {args.points} points "
        + ("(reused from an earlier run)" if reuse else f"(written in {gen_s:.1f} s)")
        + "; analysis: reportgen.analysis.analyze_study"
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
    site_bytes = sum(f.stat().st_size for f in site.rglob("*") if f.is_file())
    print(
        f"| whole site | {site_bytes / 1e6:.0f} MB ({site_bytes / args.studies / 1e6:.2f} MB per study) | — |"
    )
    print(
        f"| study page (HTML incl. chart data), mean / max | {statistics.mean(page_bytes) / 1e6:.2f} / {max(page_bytes) / 1e6:.2f} MB | ≤ 2 MB, independent of the number of studies |"
    )
    if fair:
        k = args.optuna_sample

        def per_study(side: str, key: str) -> float:
            return statistics.median(r[key] / r["studies"] for r in fair[side])

        ours_cpu, ours_wall = per_study("ours", "cpu"), per_study("ours", "wall")
        print(
            f"| fair, ours: `build_site` of {k} studies from their records, one process (jobs=1), "
            f"whole site written | {ours_wall:.2f} s wall, {ours_cpu:.2f} s CPU per study | — |"
        )
        cached_cpu, cached_wall = per_study("ours-cached", "cpu"), per_study("ours-cached", "wall")
        print(
            f"| fair, ours again with the records in the record cache (a later build) "
            f"| {cached_wall:.2f} s wall, {cached_cpu:.2f} s CPU per study | — |"
        )
        for side in ("ours", "ours-cached"):
            share = ", ".join(
                f"{part} {per_study(side, part + '_cpu'):.3f} s"
                for part in ("mkdocs", "analysis", "load")
            )
            print(f"| fair, {side}: of its CPU per study | {share} | — |")
        for side in fair:
            if side.startswith("ours"):
                continue
            n = fair[side][0]["studies"]
            cpu, wall = per_study(side, "cpu"), per_study(side, "wall")
            print(
                f"| fair, Optuna: {n} studies read from its {side} storage → `plot_slice` ×3 + "
                f"`plot_intermediate_values` → HTML | {wall:.2f} s wall, {cpu:.2f} s CPU per study | — |"
            )
            for ours, label in (("ours", "first build"), ("ours-cached", "records cached")):
                mine = per_study(ours, "cpu"), per_study(ours, "wall")
                runs = ", ".join(
                    f"{(o['cpu'] / o['studies']) / (u['cpu'] / u['studies']):.1f}×"
                    for u, o in zip(fair[ours], fair[side], strict=True)
                )
                print(
                    f"| **CPU ratio, Optuna ({side}) / ours ({label})**, per study, median of "
                    f"{args.repeats} interleaved runs | **{cpu / mine[0]:.1f}×** (wall "
                    f"{wall / mine[1]:.1f}×; runs: {runs}) | ≥ 5× |"
                )
    env = os.environ | {"PYTHONPATH": str(REPO)}
    t = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "reportgen", "--help"], env=env, capture_output=True, check=True
    )
    help_s = time.perf_counter() - t
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportgen", "check", "--logbook", str(logbook / ".." / "logbook")],
                   env=env, capture_output=True)  # fmt: skip
    check_s = time.perf_counter() - t
    print(f"| `reportgen --help` whole process | {help_s:.2f} s | — |")
    small = REPO / "tests" / "fixtures" / "logbook"
    for label, cli in (("--help", ["--help"]), ("check (test fixture logbook)", ["check", "--logbook", str(small)])):  # fmt: skip
        secs, heavy = import_seconds(cli, env)
        print(
            f"| imports of `reportgen {label}` (-X importtime) | {secs:.2f} s; scipy/altair/pandas "
            f"imported: {', '.join(heavy) or 'none'} | ≤ 0.5 s, none |"
        )
    print(f"| `reportgen check` whole process ({args.studies} studies) | {check_s:.2f} s | — |")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

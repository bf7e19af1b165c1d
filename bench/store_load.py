"""Time reading trial records: one record, whole studies (`load_study`) and `reportgen check`.

    python bench/store_load.py [--points 1000] [--repeat 200]
    python bench/store_load.py --logbook [--studies 3] [--trials 200] [--points 1000] [--keep DIR]

The first form prints milliseconds per trial for the store's path and for plain json.loads +
model_validate, and their ratio. ``--logbook`` writes a synthetic logbook (S studies × T trials
× P points, diverged trials with NaN tails, like bench/build_scale.py) and prints trials/s and
MB/s of `load_study` over every study and of `reportgen check` (a subprocess, imports
included), each with every file parsed and with the records taken from the record cache, then where one `load_study` spends its time (cProfile): the duplicate-key / huge-int
scan, the pydantic parse, the record validators, the consistency checks, reading and hashing.
Synthetic records, for this bench only.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from reportgen.schema import (  # noqa: E402
    Best,
    Curves,
    Execution,
    Provenance,
    Seeds,
    Status,
    TrialRecord,
)
from reportgen.store import dumps_record, load_study  # noqa: E402
from reportgen.store.consistency import trial_consistency  # noqa: E402
from reportgen.store.load import parse_trial  # noqa: E402
from reportgen.store.parse import json_problems  # noqa: E402


def record(points: int) -> bytes:
    rng = random.Random(0)
    col = [[round(rng.random(), 7) for _ in range(points)] for _ in range(5)]
    curves = Curves(
        step=list(range(0, 10 * points, 10)),
        train_loss=col[0],
        valid_loss=col[1],
        valid_error=col[2],
        learning_rate=col[3],
        grad_norm=col[4],
    )
    t = TrialRecord(
        study_id="bench",
        study_revision=1,
        trial_id="t0",
        index=0,
        hyperparameters={"lr": 0.1},
        seeds=Seeds(init=0, data_order=0, sampler=0),
        status=Status.COMPLETE,
        curves=curves,
        best=Best(step=0, value=col[2][0]),
        max_train_steps=10 * points,
        wall_seconds=1.0,
        step_seconds=0.001,
        execution=Execution(mode="vectorised"),
        provenance=Provenance(created_utc=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    )
    return dumps_record(t).encode()


def per_trial_ms(fn, raw: bytes, repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn(raw)
    return (time.perf_counter() - t0) / repeat * 1000


def make_logbook(root: Path, studies: int, trials: int, points: int) -> int:
    """A synthetic logbook (``make_study`` of bench/build_scale.py); returns its trial bytes."""
    from build_scale import make_study  # noqa: PLC0415 (a sibling script of this bench)

    rng = np.random.default_rng(0)
    for i in range(studies):
        make_study(root, i, trials, points, rng)
    return sum(f.stat().st_size for f in root.glob("*/trials/*.json"))


# Where one load_study spends its time: cumulative seconds of these functions (by name).
_PARTS = (
    ("json_problems (duplicate keys, huge ints)", "parse.py", "json_problems"),
    ("pydantic parse + validate (model_validate_json)", "", "model_validate_json"),
    ("  of which Curves._columns", "trial.py", "_columns"),
    ("  of which TrialRecord._status_consistent", "trial.py", "_status_consistent"),
    ("trial_consistency (best vs curve)", "consistency.py", "trial_consistency"),
    ("read_bounded (read the file)", "parse.py", "read_bounded"),
    ("digest_bounded (read + hash again)", "parse.py", "digest_bounded"),
)


def bench_logbook(args: argparse.Namespace) -> int:
    work = args.keep or Path(tempfile.mkdtemp(prefix="reportgen-load-"))
    root = work / "logbook"
    if not (root.is_dir() and args.keep):
        shutil.rmtree(root, ignore_errors=True)
        nbytes = make_logbook(root, args.studies, args.trials, args.points)
    else:
        nbytes = sum(f.stat().st_size for f in root.glob("*/trials/*.json"))
    mb = nbytes / 1e6
    n = args.studies * args.trials
    folders = sorted(p for p in root.iterdir() if p.is_dir())
    os.environ["REPORTGEN_CACHE_DIR"] = "off"  # the plain loads below parse every file
    load_study(folders[0], root)  # warm the imports and the page cache
    t0 = time.perf_counter()
    for f in folders:
        study, problems = load_study(f, root)
        assert study is not None and not problems, problems[:3]
        assert len(study.trials) == args.trials
    load_s = time.perf_counter() - t0
    # the same loads through the record cache: one load fills it, then (past the 2 s in which
    # a stat is not trusted without re-hashing the file) every record comes from it
    cache = work / "record-cache"
    shutil.rmtree(cache, ignore_errors=True)
    os.environ["REPORTGEN_CACHE_DIR"] = str(cache)
    t0 = time.perf_counter()
    for f in folders:
        load_study(f, root, cached=True)
    fill_s = time.perf_counter() - t0
    time.sleep(2.1)
    t0 = time.perf_counter()
    for f in folders:
        study, problems = load_study(f, root, cached=True)
        assert study is not None and not problems and len(study.trials) == args.trials
    cached_s = time.perf_counter() - t0
    env = dict(os.environ, PYTHONPATH=str(REPO))
    check = {}
    for side in ("off", str(cache)):
        t0 = time.perf_counter()
        r = subprocess.run(
            [sys.executable, "-m", "reportgen", "check", "--logbook", str(root)],
            env=env | {"REPORTGEN_CACHE_DIR": side},
            capture_output=True,
            text=True,
        )
        check[side] = time.perf_counter() - t0
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    check_s, check_cached_s = check["off"], check[str(cache)]
    os.environ["REPORTGEN_CACHE_DIR"] = "off"

    # the same parts without the profiler's per-call cost, over one study's files
    files = sorted((folders[0] / "trials").glob("*.json"))
    raws = [f.read_bytes() for f in files]
    spec = load_study(folders[0], root)[0].spec
    t0 = time.perf_counter()
    for r_ in raws:
        json_problems(r_, "bench.json")
    jp_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    recs = [TrialRecord.model_validate_json(r_) for r_ in raws]
    pv_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for rec in recs:
        trial_consistency(rec, spec, "bench.json")
    tc_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    load_study(folders[0], root)
    one_s = time.perf_counter() - t0

    prof = cProfile.Profile()
    prof.enable()
    load_study(folders[0], root)
    prof.disable()
    stats = pstats.Stats(prof)
    total = max(stats.total_tt, 1e-9)
    cum: dict[str, float] = {}
    for (file, _, name), (_, _, _, ct, _) in stats.stats.items():  # type: ignore[attr-defined]
        for label, where, fn in _PARTS:
            if name == fn and file.endswith(where):
                cum[label] = cum.get(label, 0.0) + ct

    print(
        f"synthetic logbook: {args.studies} studies × {args.trials} trials × {args.points} "
        f"points, {mb:.0f} MB of trial files ({root})\n"
    )
    print("| step | seconds | trials/s | MB/s |\n|---|---|---|---|")
    print(f"| load_study, every study | {load_s:.2f} | {n / load_s:.0f} | {mb / load_s:.1f} |")
    print(
        f"| load_study, every study, filling the record cache | {fill_s:.2f} | {n / fill_s:.0f} "
        f"| {mb / fill_s:.1f} |"
    )
    print(
        f"| load_study, every study, records from the cache ({load_s / cached_s:.1f}× faster) "
        f"| {cached_s:.2f} | {n / cached_s:.0f} | {mb / cached_s:.1f} |"
    )
    print(
        f"| reportgen check (subprocess) | {check_s:.2f} | {n / check_s:.0f} | {mb / check_s:.1f} |"
    )
    print(
        f"| reportgen check (subprocess), records from the cache | {check_cached_s:.2f} "
        f"| {n / check_cached_s:.0f} | {mb / check_cached_s:.1f} |"
    )
    print(f"\none load_study of {args.trials} trials: {one_s:.3f} s, of which (timed alone)\n")
    print("| part | seconds | share |\n|---|---|---|")
    for label, sec in (
        ("json_problems", jp_s),
        ("TrialRecord.model_validate_json (parse + validators)", pv_s),
        ("trial_consistency", tc_s),
    ):
        print(f"| {label} | {sec:.3f} | {100 * sec / one_s:.0f} % |")
    print(f"\nthe same load_study under cProfile: {total:.2f} s\n")
    print("| part | seconds | share |\n|---|---|---|")
    for label, _, _ in _PARTS:
        ct = cum.get(label, 0.0)
        print(f"| {label} | {ct:.3f} | {100 * ct / total:.0f} % |")
    print("\ntop entries by own time:\n")
    stats.sort_stats("tottime").print_stats(args.top)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--points", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=200)
    p.add_argument("--logbook", action="store_true", help="time load_study and reportgen check")
    p.add_argument("--studies", type=int, default=3)
    p.add_argument("--trials", type=int, default=200)
    p.add_argument("--top", type=int, default=12, help="cProfile entries to print")
    p.add_argument("--keep", type=Path, default=None, help="work folder to keep and reuse")
    args = p.parse_args()
    if args.logbook:
        return bench_logbook(args)
    raw = record(args.points)
    store = per_trial_ms(lambda r: parse_trial(r, "bench.json"), raw, args.repeat)
    plain = per_trial_ms(lambda r: TrialRecord.model_validate(json.loads(r)), raw, args.repeat)
    print(f"| path | ms per trial ({args.points} points, {len(raw)} bytes) |\n|---|---|")
    print(f"| store (pydantic-core, one pass) | {store:.2f} |")
    print(f"| json.loads + model_validate | {plain:.2f} |")
    print(f"| ratio | {plain / store:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

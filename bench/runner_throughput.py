"""Time per trial of the group trainer against one trial at a time and the hand-written limit.

    python bench/runner_throughput.py [--sizes 8 64 256] [--workloads digits_mlp fashion_cnn]
                                      [--digits-steps 200] [--fashion-steps 10] [--repeats 3]
                                      [--e2e-trials 8] [--e2e-repeats 3]

For each workload and group size the *same* trials (same hyperparameters and seeds) are trained
in the same process three ways: by the runner's vectorised group (`runners.vectorised`), by the
runner one trial at a time, and by a hand-written ``jit(vmap(lax.scan))`` of the same model,
batches, Adam, schedule and end-of-run validation and test passes with nothing else
(`bench/runner_limit.py`): the limit a runner that also keeps curves, gradient statistics, a
divergence mask and the best parameters can approach. Steady state is the median of ``--repeats`` groups per mode, the modes taking turns; end to end
is each mode's first group, compile included. The validation and test sets are cut to 1000
examples so that evaluation does not dominate short runs. On a GPU the table adds the achieved
FLOP/s of the training steps as a fraction of the device's peak (dense float32 / TF32 figures
below). Then ``--e2e-trials`` trials end to end in two fresh processes sharing a fresh
persistent compilation cache (the runner's default): cold, then warm.

    python bench/runner_throughput.py --scale-out [--sizes 64] [--digits-steps 200]

instead measures scale-out on digits_mlp, each figure in fresh child processes of the same run:
vectorised trials/s unsharded (1 device) vs sharded over 4 forced host devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=4``); compile time of a first and a second
process sharing a fresh persistent compilation cache; and the end-to-end wall time of
``reportgen run`` on a small study with the local executor vs ``--executor ray`` (a local Ray
instance started by the driver, then one started before the runs, as a cluster's user has;
compile cache off for all; local and Ray take turns ``--e2e-repeats`` times, medians).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import statistics
import sys
import time
from collections.abc import Iterator
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

# Dense peak FLOP/s by device kind (vendor datasheets): float32 on the CUDA cores, and TF32
# tensor cores (what XLA uses for float32 matmuls by default on Ampere and later).
PEAK_FLOPS = {
    "H100": {"fp32": 67e12, "tf32": 495e12},
    "H200": {"fp32": 67e12, "tf32": 495e12},
    "A100": {"fp32": 19.5e12, "tf32": 156e12},
}

BASE_HP = {
    "learning_rate": 1e-3,
    "b1": 0.9,
    "b2": 0.999,
    "eps": 1e-8,
    "warmup_steps": 0.0,
    "weight_decay": 0.0,
    "grad_clip": 0.0,
    "label_smoothing": 0.0,
    "dropout": 0.0,
    "schedule": 2.0,
}


def peak_for(kind: str) -> dict[str, float] | None:
    return next((v for k, v in PEAK_FLOPS.items() if k in kind), None)


def run(
    workload_name: str,
    sizes: list[int],
    steps: int,
    batch: int,
    modes: tuple[str, ...] = ("vectorised", "sequential", "limit"),
    repeats: int = 3,
    warm_up: bool = True,
) -> list[dict]:
    """Per group size: each mode's end-to-end wall time of its first group (compile included,
    in this process) and its steady state (the median of ``repeats`` more groups, the modes
    taking turns, so a machine that slows down slows all of them). ``warm_up``: first train one
    trial for one step, so that the first mode timed does not also pay the process's one-time
    costs (backend start, first trace, first compile): a digits MLP of width 8, whose programs
    differ from the timed ones (same-shaped init and test programs would be shared through the
    persistent cache and flatter the first mode that uses them)."""

    import numpy as np
    from runner_limit import limit_program

    from runners.device_data import device_data
    from runners.vectorised import GroupPlan, GroupTrainer
    from runners.workloads import get_workload

    w = get_workload(workload_name)
    cfg = {**w.all_settings(), "batch_size": batch, "eval_batch_size": 100}
    data = w.load(cfg)
    data = dataclasses.replace(
        data,
        x_valid=data.x_valid[:1000],
        y_valid=data.y_valid[:1000],
        x_test=data.x_test[:1000],
        y_test=data.y_test[:1000],
    )
    dev = device_data(data, 100)  # small eval chunks: 64 trials x 100 images stays in memory
    if warm_up:  # a digits MLP of another width: no program in common with the timed ones
        d = get_workload("digits_mlp")
        small = {**d.all_settings(), "width": 8, "batch_size": 8, "eval_batch_size": 100}
        warm = GroupTrainer(GroupPlan(d, small, "adam", 1, 1), device_data(d.load(small), 100))
        warm.train([BASE_HP], [(0, 0, 0)], "sequential")
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        lrs = 10 ** rng.uniform(-3.5, -2.5, n)
        hps = [dict(BASE_HP, learning_rate=float(lr)) for lr in lrs]
        seeds = [(i + 1, i + 1001, i + 2001) for i in range(n)]
        row = {"workload": workload_name, "trials": n, "steps": steps}
        calls = {}
        for mode in modes:
            if mode == "limit":
                go, compile_s = limit_program(w, cfg, steps, batch, dev)(lrs, seeds)
                t0 = time.perf_counter()
                go()
                row["limit_e2e_s"] = compile_s + time.perf_counter() - t0
                row["limit_compile_s"] = compile_s
                calls[mode] = go
                continue
            trainer = GroupTrainer(GroupPlan(w, cfg, "adam", steps, steps), dev)
            out = trainer.train(hps, seeds, mode)
            row[f"{mode}_e2e_s"] = out.wall_seconds
            row[f"{mode}_compile_s"] = out.compile_seconds
            calls[mode] = partial(trainer.train, hps, seeds, mode)
        times: dict[str, list[float]] = {m: [] for m in modes}
        for _ in range(repeats):
            for mode in modes:
                t0 = time.perf_counter()
                calls[mode]()
                times[mode].append(time.perf_counter() - t0)
        for mode in modes:
            row[f"{mode}_train_s"] = (
                statistics.median(times[mode])
                if times[mode]
                else row[f"{mode}_e2e_s"] - row[f"{mode}_compile_s"]
            )
            row[f"{mode}_trials_per_s"] = n / max(row[f"{mode}_train_s"], 1e-9)
        if "vectorised" in modes:
            flops = w.flops_per_example(cfg) * batch * steps * n
            row["vectorised_flops"] = flops / max(row["vectorised_train_s"], 1e-9)
        rows.append(row)
        print(f"  done {workload_name} n={n}", file=sys.stderr, flush=True)
    return rows


def _child(args: list[str], env: dict[str, str]) -> dict:
    import json
    import os
    import subprocess

    full = dict(os.environ, PYTHONPATH=str(REPO), **env)
    out = subprocess.run(
        [sys.executable, __file__, *args, "--json"], env=full, capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _study_wall(executor: str, budget: int, steps: int, extra: dict | None = None) -> float:
    import os
    import subprocess
    import tempfile

    from reportgen.schema import StudySpec
    from reportgen.store import write_spec

    spec = StudySpec(
        study_id="bench",
        title="Scale-out bench",
        goal="Time the executors.",
        workload={"name": "digits_mlp", "settings": {"batch_size": 32, "depth": 1, "width": 32}},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": "adam.learning_rate", "role": "nuisance", "scale": "log", "low": 1e-3,
             "high": 1e-2},
        ],
        trial_budget=budget,
        max_train_steps=steps,
        eval_every=steps,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        write_spec(Path(tmp), spec)
        env = dict(os.environ, PYTHONPATH=str(REPO), REPORTGEN_COMPILE_CACHE="off", **(extra or {}))
        cmd = [sys.executable, "-m", "reportgen", "run", "bench", "--logbook", tmp, "--quiet",
               "--executor", executor, "--max-group", str(max(1, budget // 2))]  # fmt: skip
        t0 = time.perf_counter()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            raise SystemExit(out.stderr[-3000:])
        return wall


@contextlib.contextmanager
def _running_ray() -> Iterator[dict[str, str]]:
    """A Ray instance started before the runs (``ray start --head``, as a cluster's user has one;
    its own port and temporary folder), stopped at the end: the environment that reaches it."""
    import os
    import signal
    import socket
    import subprocess
    import tempfile

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"RAY_ADDRESS": f"127.0.0.1:{port}", "RAY_AUTH_MODE": "disabled",
           "RAY_USAGE_STATS_ENABLED": "0"}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="rgray", dir="/tmp") as temp:
        head = subprocess.Popen(
            [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block",
             f"--port={port}", "--num-cpus=2", "--include-dashboard=false", f"--temp-dir={temp}"],
            env=dict(os.environ, **env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            time.sleep(8)  # the head starts
            yield env
        finally:
            os.killpg(head.pid, signal.SIGTERM)
            head.wait(timeout=60)


def scale_out(args: argparse.Namespace) -> int:
    import tempfile

    n = args.sizes[-1]
    common = ["--workloads", "digits_mlp", "--sizes", str(n), "--digits-steps",
              str(args.digits_steps), "--modes", "vectorised"]  # fmt: skip
    one = _child(common, {"REPORTGEN_COMPILE_CACHE": "off"})
    four = _child(
        common,
        {"REPORTGEN_COMPILE_CACHE": "off", "XLA_FLAGS": "--xla_force_host_platform_device_count=4"},
    )
    with tempfile.TemporaryDirectory() as cache:
        first = _child(common, {"REPORTGEN_COMPILE_CACHE": cache})
        second = _child(common, {"REPORTGEN_COMPILE_CACHE": cache})
    budget = max(4, min(n, 8))
    runs: dict = {}  # (steps, executor) -> seconds of each run; each study also at 10x the
    all_steps = (args.digits_steps, 10 * args.digits_steps)  # steps, where Ray's start weighs less

    def alternate(kind: str, env: dict | None = None) -> None:  # local and Ray take turns
        for _ in range(args.e2e_repeats):
            for steps in all_steps:
                for executor, key, e in (("local", f"local/{kind}", None), ("ray", kind, env)):
                    runs.setdefault((steps, key), []).append(_study_wall(executor, budget, steps, e))

    alternate("ray")
    with _running_ray() as env:  # the driver connects: no instance to start per run
        alternate("running", env)
    walls = {k: statistics.median(v) for k, v in runs.items()}
    print(f"digits_mlp, {n} trials x {args.digits_steps} steps, vectorised, compile excluded")
    print(f"{'':<34}{'trials/s':>10}{'compile s':>11}{'ratio':>8}")
    print(
        f"{'unsharded (1 device)':<34}{one['vectorised_trials_per_s']:>10.2f}{one['vectorised_compile_s']:>11.2f}{1.0:>8.2f}"
    )
    print(
        f"{'sharded (4 forced host devices)':<34}{four['vectorised_trials_per_s']:>10.2f}{four['vectorised_compile_s']:>11.2f}"
        f"{four['vectorised_trials_per_s'] / one['vectorised_trials_per_s']:>8.2f}"
    )
    print(f"persistent compilation cache: first process compile {first['vectorised_compile_s']:.2f} s, "
          f"second process {second['vectorised_compile_s']:.2f} s")  # fmt: skip
    for steps in all_steps:
        local, ray = walls[steps, "local/ray"], walls[steps, "ray"]
        local2, running = walls[steps, "local/running"], walls[steps, "running"]
        print(f"reportgen run, {budget} trials x {steps} steps, end to end (cache off), medians "
              f"of {args.e2e_repeats} alternating runs: local executor {local:.1f} s, ray "
              f"executor (local instance) {ray:.1f} s, ratio ray/local {ray / local:.2f}; local "
              f"{local2:.1f} s, on an instance already running {running:.1f} s, ratio "
              f"{running / local2:.2f}")  # fmt: skip
    return 0


def cache_e2e(args: argparse.Namespace) -> list[tuple[str, dict]]:
    """End to end at ``--e2e-trials`` trials in fresh processes sharing a fresh persistent
    compilation cache (the runner's default): the first process compiles (cold), the second
    loads what the first compiled (warm). Each mode in processes of its own, the modes taking
    turns ``--e2e-repeats`` times; each figure is the median (compile time varies by a second
    from one process to the next on a loaded 2-core machine)."""
    import tempfile

    common = ["--workloads", "digits_mlp", "--sizes", str(args.e2e_trials), "--digits-steps",
              str(args.digits_steps), "--repeats", "0", "--no-warm-up", "--modes"]  # fmt: skip
    runs: dict[str, list[dict]] = {"cold": [], "warm": []}
    for _ in range(args.e2e_repeats):
        cold: dict = {}
        warm: dict = {}
        for mode in ("vectorised", "sequential"):
            with tempfile.TemporaryDirectory() as cache:
                cold |= _child([*common, mode], {"REPORTGEN_COMPILE_CACHE": cache})
                warm |= _child([*common, mode], {"REPORTGEN_COMPILE_CACHE": cache})
        runs["cold"].append(cold)
        runs["warm"].append(warm)
    out = []
    for state, rows in runs.items():
        median = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        median["ratio"] = statistics.median(
            r["sequential_e2e_s"] / r["vectorised_e2e_s"] for r in rows
        )
        out.append((state, median))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[8, 64, 256])
    p.add_argument("--workloads", nargs="+", default=["digits_mlp", "fashion_cnn"])
    p.add_argument("--digits-steps", type=int, default=200)
    p.add_argument("--fashion-steps", type=int, default=10)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3, help="steady-state groups per mode")
    p.add_argument("--e2e-trials", type=int, default=8, help="trials of the cache end-to-end rows")
    p.add_argument("--e2e-repeats", type=int, default=3, help="fresh-process pairs per mode")
    p.add_argument("--scale-out", action="store_true", help="sharded, cache and Ray figures")
    p.add_argument("--modes", nargs="+", default=["vectorised", "sequential", "limit"],
                   help=argparse.SUPPRESS)  # fmt: skip
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--no-warm-up", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.scale_out:
        return scale_out(args)
    if args.json:  # a child process: one group size, its row as JSON
        import json

        from runners.compile_cache import enable_compilation_cache

        enable_compilation_cache()
        steps = args.digits_steps if args.workloads[0] == "digits_mlp" else args.fashion_steps
        modes = tuple(args.modes)
        warm = not args.no_warm_up
        row = run(args.workloads[0], args.sizes, steps, args.batch, modes, args.repeats, warm)
        print(json.dumps(row[0]))
        return 0
    import jax

    from runners.group_size import device_label

    device = device_label()
    kind = getattr(jax.devices()[0], "device_kind", "")
    peak = peak_for(kind) if jax.default_backend() == "gpu" else None
    rows = []
    for name in args.workloads:
        steps = args.digits_steps if name == "digits_mlp" else args.fashion_steps
        rows += run(name, args.sizes, steps, args.batch, repeats=args.repeats)
    print(f"device: {device}; jax {jax.__version__}; batch {args.batch}; steady state: median of "
          f"{args.repeats} groups per mode, modes in turn; end to end: the first group, compile "
          "included (no persistent cache)")  # fmt: skip
    head = (
        f"{'workload':<13}{'trials':>7}{'steps':>6}  {'runner ms':>10}{'limit ms':>9}"
        f"{'of limit':>9}{'seq ms':>8}{'vec/seq':>8}  {'e2e vec s':>10}{'e2e seq s':>10}"
        f"{'vec/seq':>8}{'vec compile':>12}{'seq compile':>12}"
    )
    if peak:
        head += f"{'GFLOP/s':>10}{'% fp32 peak':>12}{'% tf32 peak':>12}"
    print(head)
    print("-" * len(head))
    for r in rows:
        n = r["trials"]
        vec, seq, lim = r["vectorised_train_s"], r["sequential_train_s"], r["limit_train_s"]
        line = (
            f"{r['workload']:<13}{n:>7}{r['steps']:>6}  {1000 * vec / n:>10.2f}"
            f"{1000 * lim / n:>9.2f}{lim / vec:>9.2f}{1000 * seq / n:>8.2f}{seq / vec:>8.2f}  "
            f"{r['vectorised_e2e_s']:>10.2f}{r['sequential_e2e_s']:>10.2f}"
            f"{r['sequential_e2e_s'] / r['vectorised_e2e_s']:>8.2f}"
            f"{r['vectorised_compile_s']:>12.2f}{r['sequential_compile_s']:>12.2f}"
        )
        if peak:
            f = r["vectorised_flops"]
            frac = (
                f"{100 * f / peak['fp32']:>12.2f}{100 * f / peak['tf32']:>12.2f}"
                if r["workload"] == "fashion_cnn"
                else f"{'':>12}{'':>12}"
            )
            line += f"{f / 1e9:>10.1f}" + frac
        print(line)
    print("ms: milliseconds per trial; of limit: the hand-written jit(vmap(lax.scan))'s time over "
          "the runner's; vec/seq: one-at-a-time time over vectorised time")  # fmt: skip
    if args.e2e_trials:
        print(f"\ndigits_mlp, {args.e2e_trials} trials x {args.digits_steps} steps, end to end "
              "(compile included) in fresh processes sharing a persistent compilation cache:")  # fmt: skip
        for state, r in cache_e2e(args):
            print(f"  cache {state}: vectorised {r['vectorised_e2e_s']:.2f} s (compile "
                  f"{r['vectorised_compile_s']:.2f}), one at a time {r['sequential_e2e_s']:.2f} s "
                  f"(compile {r['sequential_compile_s']:.2f}), vec/seq "
                  f"{r['ratio']:.2f} (medians of {args.e2e_repeats})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

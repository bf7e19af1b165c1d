"""Trials per second of the group trainer: vectorised (one jit(vmap) group) vs sequential.

    python bench/runner_throughput.py [--sizes 1 16 64] [--workloads digits_mlp fashion_cnn]
                                      [--digits-steps 200] [--fashion-steps 10]

For each workload and group size the *same* trials (same hyperparameters and seeds) are trained
in both modes in the same process. Compile time is measured separately (ahead-of-time lowering)
and excluded from trials/s. The validation and test sets are cut to 1000 examples here so that
evaluation does not dominate short runs. On a GPU the table adds the achieved FLOP/s of the
training steps as a fraction of the device's peak (dense float32 / TF32 figures below).
Prints one table.

    python bench/runner_throughput.py --scale-out [--sizes 64] [--digits-steps 200]

instead measures scale-out on digits_mlp, each figure in fresh child processes of the same run:
vectorised trials/s unsharded (1 device) vs sharded over 4 forced host devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=4``); compile time of a first and a second
process sharing a fresh persistent compilation cache; and the end-to-end wall time of
``reportgen run`` on a small study with the local executor vs ``--executor ray`` (a local Ray
instance started by the driver, compile cache off for both).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

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
    modes: tuple[str, ...] = ("vectorised", "sequential"),
) -> list[dict]:
    import numpy as np

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
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        lrs = 10 ** rng.uniform(-3.5, -2.5, n)
        hps = [dict(BASE_HP, learning_rate=float(lr)) for lr in lrs]
        seeds = [(i + 1, i + 1001, i + 2001) for i in range(n)]
        row = {"workload": workload_name, "trials": n, "steps": steps}
        for mode in modes:
            trainer = GroupTrainer(GroupPlan(w, cfg, "adam", steps, steps), dev)
            t0 = time.perf_counter()
            out = trainer.train(hps, seeds, mode)
            wall = time.perf_counter() - t0
            row[f"{mode}_compile_s"] = out.compile_seconds
            row[f"{mode}_train_s"] = wall - out.compile_seconds
            row[f"{mode}_trials_per_s"] = n / max(wall - out.compile_seconds, 1e-9)
        flops = w.flops_per_example(cfg) * batch * steps * n
        row["vectorised_flops"] = flops / max(row["vectorised_train_s"], 1e-9)
        rows.append(row)
        if "sequential" not in modes:
            continue
        print(
            f"  done {workload_name} n={n}: vectorised {row['vectorised_trials_per_s']:.2f} "
            f"trials/s, sequential {row['sequential_trials_per_s']:.2f} trials/s",
            file=sys.stderr,
            flush=True,
        )
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


def _study_wall(executor: str, budget: int, steps: int) -> float:
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
        env = dict(os.environ, PYTHONPATH=str(REPO), REPORTGEN_COMPILE_CACHE="off")
        cmd = [sys.executable, "-m", "reportgen", "run", "bench", "--logbook", tmp, "--quiet",
               "--executor", executor, "--max-group", str(max(1, budget // 2))]  # fmt: skip
        t0 = time.perf_counter()
        out = subprocess.run(cmd, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if out.returncode != 0:
            raise SystemExit(out.stderr[-3000:])
        return wall


def scale_out(args: argparse.Namespace) -> int:
    import tempfile

    n = args.sizes[-1]
    common = ["--workloads", "digits_mlp", "--sizes", str(n), "--digits-steps",
              str(args.digits_steps), "--vectorised-only"]  # fmt: skip
    one = _child(common, {"REPORTGEN_COMPILE_CACHE": "off"})
    four = _child(
        common,
        {"REPORTGEN_COMPILE_CACHE": "off", "XLA_FLAGS": "--xla_force_host_platform_device_count=4"},
    )
    with tempfile.TemporaryDirectory() as cache:
        first = _child(common, {"REPORTGEN_COMPILE_CACHE": cache})
        second = _child(common, {"REPORTGEN_COMPILE_CACHE": cache})
    budget = max(4, min(n, 8))
    local = _study_wall("local", budget, args.digits_steps)
    ray = _study_wall("ray", budget, args.digits_steps)
    print(f"digits_mlp, {n} trials x {args.digits_steps} steps, vectorised, compile excluded")
    print(f"{'':<34}{'trials/s':>10}{'compile s':>11}{'ratio':>8}")
    print(f"{'unsharded (1 device)':<34}{one['tps']:>10.2f}{one['compile']:>11.2f}{1.0:>8.2f}")
    print(
        f"{'sharded (4 forced host devices)':<34}{four['tps']:>10.2f}{four['compile']:>11.2f}"
        f"{four['tps'] / one['tps']:>8.2f}"
    )
    print(f"persistent compilation cache: first process compile {first['compile']:.2f} s, "
          f"second process {second['compile']:.2f} s")  # fmt: skip
    print(f"reportgen run, {budget} trials x {args.digits_steps} steps, end to end (cache off): "
          f"local executor {local:.1f} s, ray executor (local instance) {ray:.1f} s, "
          f"ratio ray/local {ray / local:.2f}")  # fmt: skip
    return 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1, 16, 64])
    p.add_argument("--workloads", nargs="+", default=["digits_mlp", "fashion_cnn"])
    p.add_argument("--digits-steps", type=int, default=200)
    p.add_argument("--fashion-steps", type=int, default=10)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--scale-out", action="store_true", help="sharded, cache and Ray figures")
    p.add_argument("--vectorised-only", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.scale_out:
        return scale_out(args)
    if args.json:  # a child of --scale-out: one vectorised group, figures as JSON
        import json

        from runners.compile_cache import enable_compilation_cache

        enable_compilation_cache()
        r = run(args.workloads[0], args.sizes, args.digits_steps, args.batch, ("vectorised",))[0]
        print(
            json.dumps({"tps": r["vectorised_trials_per_s"], "compile": r["vectorised_compile_s"]})
        )
        return 0
    import jax

    from runners.group_size import device_label

    device = device_label()
    kind = getattr(jax.devices()[0], "device_kind", "")
    peak = peak_for(kind) if jax.default_backend() == "gpu" else None
    rows = []
    for name in args.workloads:
        steps = args.digits_steps if name == "digits_mlp" else args.fashion_steps
        rows += run(name, args.sizes, steps, args.batch)
    print(
        f"device: {device}; jax {jax.__version__}; batch {args.batch}; compile excluded from trials/s"
    )
    head = (
        f"{'workload':<13}{'trials':>7}{'steps':>6}  {'vec trials/s':>12}{'seq trials/s':>13}"
        f"{'vec/seq':>8}  {'vec compile s':>13}{'seq compile s':>14}{'vec train s':>12}{'seq train s':>12}"
    )
    if peak:
        head += f"{'GFLOP/s':>10}{'% fp32 peak':>12}{'% tf32 peak':>12}"
    print(head)
    print("-" * len(head))
    for r in rows:
        line = (
            f"{r['workload']:<13}{r['trials']:>7}{r['steps']:>6}  "
            f"{r['vectorised_trials_per_s']:>12.2f}{r['sequential_trials_per_s']:>13.2f}"
            f"{r['vectorised_trials_per_s'] / r['sequential_trials_per_s']:>8.2f}  "
            f"{r['vectorised_compile_s']:>13.2f}{r['sequential_compile_s']:>14.2f}"
            f"{r['vectorised_train_s']:>12.2f}{r['sequential_train_s']:>12.2f}"
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
    return 0


if __name__ == "__main__":
    sys.exit(main())

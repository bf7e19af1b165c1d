"""The GPU figures of the logbook in one command (at most about 8 minutes on an H100).

    python bench/device_check.py            # on the GPU machine
    python bench/device_check.py --smoke    # the same steps at CI size, on a CPU (about a minute)

Prints one markdown table, each figure measured in this run:

1. vectorised against one trial at a time, end to end with compile, on digits_mlp
   (256 trials × 200 steps; --smoke: 4 × 10), the same trials and seeds in both modes, and the
   runner's steady state against the hand-written ``jit(vmap(lax.scan))`` limit;
2. achieved FLOP/s of fashion_cnn's vectorised training steps and their fraction of the device's
   dense float32 and TF32 peak (datasheet figures in ``bench/runner_throughput.py``; a CPU has
   no peak on record and prints none);
3. compile time of a first and a second process sharing a fresh persistent compilation cache;
4. a 2-trial study written with ``reportgen run`` and built with ``reportgen build`` (wall
   seconds of each, whole processes).

The table goes into ``docs/scale-out.md`` once it has been run on a GPU.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def _sizes(smoke: bool) -> dict[str, int]:
    if smoke:
        return {"trials": 4, "steps": 10, "fashion_trials": 2, "fashion_steps": 2, "batch": 16}
    return {"trials": 256, "steps": 200, "fashion_trials": 64, "fashion_steps": 50, "batch": 128}


def _vectorised_vs_sequential(s: dict[str, int]) -> dict[str, float]:
    """End to end with compile (each mode's first group), and the runner's steady state against
    the hand-written ``jit(vmap(lax.scan))`` limit (median of 3 groups, modes in turn)."""
    from runner_throughput import run

    r = run("digits_mlp", [s["trials"]], s["steps"], 64, repeats=3)[0]
    vec, seq = r["vectorised_e2e_s"], r["sequential_e2e_s"]
    return {"vec_s": vec, "seq_s": seq, "ratio": seq / vec,
            "runner_ms": 1000 * r["vectorised_train_s"] / s["trials"],
            "limit_ms": 1000 * r["limit_train_s"] / s["trials"],
            "of_limit": r["limit_train_s"] / r["vectorised_train_s"]}  # fmt: skip


def _flops(s: dict[str, int]) -> dict[str, float | None]:
    import jax
    from runner_throughput import peak_for, run

    r = run("fashion_cnn", [s["fashion_trials"]], s["fashion_steps"], s["batch"],
            ("vectorised",), repeats=1)[0]  # fmt: skip
    kind = getattr(jax.devices()[0], "device_kind", "")
    peak = peak_for(kind) if jax.default_backend() == "gpu" else None
    f = r["vectorised_flops"]
    return {"gflops": f / 1e9, "fp32": f / peak["fp32"] if peak else None,
            "tf32": f / peak["tf32"] if peak else None}  # fmt: skip


def _compile_cache(s: dict[str, int]) -> tuple[float, float]:
    from runner_throughput import _child

    args = ["--workloads", "digits_mlp", "--sizes", str(min(s["trials"], 16)),
            "--digits-steps", str(s["steps"]), "--modes", "vectorised", "--repeats", "0"]  # fmt: skip
    with tempfile.TemporaryDirectory() as cache:
        first = _child(args, {"REPORTGEN_COMPILE_CACHE": cache})
        second = _child(args, {"REPORTGEN_COMPILE_CACHE": cache})
    return first["vectorised_compile_s"], second["vectorised_compile_s"]


def _study(s: dict[str, int]) -> tuple[float, float]:
    from reportgen.schema import StudySpec
    from reportgen.store import write_spec

    spec = StudySpec(
        study_id="device-check", title="Device check", goal="Write and build a 2-trial study.",
        workload={"name": "digits_mlp", "settings": {"batch_size": 32, "depth": 1, "width": 32}},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": "adam.learning_rate", "role": "nuisance", "scale": "log", "low": 1e-3,
             "high": 1e-2},
        ],
        trial_budget=2, max_train_steps=max(s["steps"], 10), eval_every=max(s["steps"], 10),
    )  # fmt: skip
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with tempfile.TemporaryDirectory() as tmp:
        logbook = Path(tmp) / "logbook"
        write_spec(logbook, spec)
        walls = []
        for cmd in (["run", "device-check", "--logbook", str(logbook), "--quiet"],
                    ["build", "--logbook", str(logbook), "--docs", f"{tmp}/docs",
                     "--site", f"{tmp}/site", "--jobs", "1"]):  # fmt: skip
            t0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "reportgen", *cmd], cwd=tmp, env=env,
                                 capture_output=True, text=True)  # fmt: skip
            walls.append(time.perf_counter() - t0)
            if out.returncode != 0:
                raise SystemExit(f"reportgen {cmd[0]} failed:\n{out.stderr[-3000:]}")
        if not (Path(tmp) / "site" / "studies" / "device-check" / "index.html").is_file():
            raise SystemExit("reportgen build wrote no page for the 2-trial study")
    return walls[0], walls[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="CI-sized figures on any machine")
    args = p.parse_args()
    import jax

    from runners.group_size import device_label

    s = _sizes(args.smoke)
    t0 = time.perf_counter()
    vs = _vectorised_vs_sequential(s)
    fl = _flops(s)
    first, second = _compile_cache(s)
    run_s, build_s = _study(s)

    def pct(x: float | None) -> str:
        return "no peak on record" if x is None else f"{100 * x:.2f} %"

    print(
        f"device: {device_label()}; jax {jax.__version__}; "
        f"{'smoke sizes' if args.smoke else 'full sizes'}; {time.perf_counter() - t0:.0f} s"
    )
    print("\n| figure | value |\n|---|---|")
    print(
        f"| vectorised vs sequential, digits_mlp {s['trials']} trials × {s['steps']} steps, end "
        f"to end with compile | {vs['vec_s']:.2f} s vs {vs['seq_s']:.2f} s (sequential ÷ "
        f"vectorised {vs['ratio']:.2f}) |"
    )
    print(
        f"| runner against the hand-written jit(vmap(lax.scan)), digits_mlp {s['trials']} trials, "
        f"steady state | {vs['runner_ms']:.2f} ms vs {vs['limit_ms']:.2f} ms per trial (limit ÷ "
        f"runner {vs['of_limit']:.2f}) |"
    )
    print(
        f"| fashion_cnn vectorised training, {s['fashion_trials']} trials × batch {s['batch']} "
        f"| {fl['gflops']:.1f} GFLOP/s; fp32 peak {pct(fl['fp32'])}; tf32 peak "
        f"{pct(fl['tf32'])} |"
    )
    print(
        f"| compile, first vs second process (shared persistent cache) | {first:.2f} s vs "
        f"{second:.2f} s |"
    )
    print(
        f"| 2-trial study: reportgen run, then reportgen build (whole processes) | "
        f"{run_s:.1f} s, {build_s:.1f} s |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

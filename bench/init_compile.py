"""Compile time of a group's init program at XLA's default LLVM level and at level 1 (what the
group trainer uses, `runners.vectorised.GroupTrainer._get`), and whether both give the same
parameters.

    python bench/init_compile.py [--workload digits_mlp] [--trials 8] [--rounds 3]

Each round compiles, in this process and in turn, one trial's init and a vmapped group's init at
each level (after one small warm-up compile, so the first case does not pay the process's
one-time costs), and prints the median of the rounds, with the group's run time: level 1 only
pays if the program it compiles runs about as fast. The persistent compilation cache is not
used here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

LEVEL_1 = {"xla_backend_optimization_level": 1}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", default="digits_mlp")
    p.add_argument("--trials", type=int, default=8)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()

    import jax
    import jax.numpy as jnp
    import numpy as np
    from runner_throughput import BASE_HP

    from runners.specialise import compiled_out
    from runners.vectorised import GroupPlan, Program
    from runners.workloads import get_workload

    jax.config.update("jax_enable_compilation_cache", False)  # every compile is a compile
    jax.jit(lambda x: x * 2 + 1).lower(1.0).compile()  # the process's one-time costs
    w = get_workload(args.workload)
    cfg = {**w.all_settings(), "batch_size": 64}
    n = args.trials
    traced = [dict(BASE_HP, learning_rate=1e-3 * (i + 1)) for i in range(n)]
    prog = Program(GroupPlan(w, cfg, "adam", 200, 200), compiled_out(traced))
    hp = {k: jnp.asarray([t[k] for t in traced], jnp.float32) for k in sorted(traced[0])}
    sd = jnp.asarray(np.asarray([(i + 1, i + 1001, i + 2001) for i in range(n)], np.uint32))
    one = ({k: v[0] for k, v in hp.items()}, sd[0])
    cases = {
        ("one trial", "default"): (prog.init, one, None),
        ("one trial", "level 1"): (prog.init, one, LEVEL_1),
        (f"vmapped group of {n}", "default"): (jax.vmap(prog.init), (hp, sd), None),
        (f"vmapped group of {n}", "level 1"): (jax.vmap(prog.init), (hp, sd), LEVEL_1),
    }
    compile_s: dict = {k: [] for k in cases}
    run_s: dict = {k: [] for k in cases}
    outputs: dict = {}
    for _ in range(args.rounds):
        for key, (fn, fargs, options) in cases.items():
            jax.clear_caches()  # JAX keeps compiled programs in memory too
            t0 = time.perf_counter()
            compiled = jax.jit(fn).lower(*fargs).compile(compiler_options=options)
            compile_s[key].append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            outputs[key] = jax.block_until_ready(compiled(*fargs))
            run_s[key].append(time.perf_counter() - t0)
    print(f"{args.workload}, init program, medians of {args.rounds} interleaved rounds; "
          f"device {jax.devices()[0].device_kind}")  # fmt: skip
    print(f"{'program':<24}{'level':<10}{'compile s':>10}{'run ms':>9}")
    for key in cases:
        print(f"{key[0]:<24}{key[1]:<10}{statistics.median(compile_s[key]):>10.3f}"
              f"{1000 * statistics.median(run_s[key]):>9.2f}")  # fmt: skip
    for what in ("one trial", f"vmapped group of {n}"):
        same = all(
            np.array_equal(a, b, equal_nan=True)
            for a, b in zip(
                jax.tree.leaves(outputs[what, "default"]),
                jax.tree.leaves(outputs[what, "level 1"]),
                strict=True,
            )
        )
        ratio = statistics.median(compile_s[what, "level 1"]) / statistics.median(
            compile_s[what, "default"]
        )
        print(f"{what}: level 1 compiles in {ratio:.2f} of the default's time; "
              f"{'the same' if same else 'DIFFERENT'} parameters bit for bit")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

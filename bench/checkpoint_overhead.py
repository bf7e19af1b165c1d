"""Wall time of a small study with and without checkpoints, measured in the same run.

    python bench/checkpoint_overhead.py [--trials 8] [--steps 2000] [--eval-every 50]
                                        [--repeats 3] [--width 64]

The same digits_mlp study (one vectorised group of ``--trials`` trials, Adam's learning rate
varied) is trained in this process with no checkpoints, with the training state saved at every
eval and at every 5th eval (``keep: best``: the group's states are deleted at the end, each
trial's best parameters kept). A first untimed run compiles the program (and fills the
persistent compilation cache), so every timed run reuses it. Runs alternate between the
variants, ``--repeats`` times; the table prints the median wall time of ``StudyRunner.run_search``
(training, saves, record writes) and its ratio to the run without checkpoints.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

VARIANTS = {
    "none": None,
    "every eval": {"keep": "best", "every_evals": 1},
    "every 5th eval": {"keep": "best", "every_evals": 5},
}


def spec(args: argparse.Namespace, checkpoints):  # type: ignore[no-untyped-def]
    from reportgen.schema import StudySpec

    return StudySpec(
        study_id="bench",
        title="Checkpoint overhead",
        goal="Time a study with and without checkpoints.",
        workload={
            "name": "digits_mlp",
            "settings": {"batch_size": 64, "depth": 2, "width": args.width},
        },
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-2,
            },
        ],
        trial_budget=args.trials,
        max_train_steps=args.steps,
        eval_every=args.eval_every,
        checkpoints=checkpoints,
    )


def one_run(args: argparse.Namespace, checkpoints) -> float:  # type: ignore[no-untyped-def]
    from reportgen.store import write_spec
    from runners.study_runner import StudyRunner

    with tempfile.TemporaryDirectory(prefix="ckpt-bench-") as tmp:
        lb = Path(tmp) / "logbook"
        write_spec(lb, spec(args, checkpoints))
        runner = StudyRunner(lb, "bench", quiet=True, max_group=args.trials)
        t0 = time.perf_counter()
        records = runner.run_search()
        wall = time.perf_counter() - t0
        assert len(records) == args.trials
        assert all((r.checkpoint is not None) == (checkpoints is not None) for r in records)
    return wall


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=8, help="trials, all in one vectorised group")
    ap.add_argument("--steps", type=int, default=2000, help="max_train_steps")
    ap.add_argument("--eval-every", type=int, default=50, help="eval_every")
    ap.add_argument("--width", type=int, default=64, help="hidden width of the MLP")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per variant")
    args = ap.parse_args()
    import jax

    one_run(args, VARIANTS["every eval"])  # compile (and warm orbax) once, untimed
    times: dict[str, list[float]] = {k: [] for k in VARIANTS}
    for _ in range(args.repeats):
        for name, ckpt in VARIANTS.items():
            times[name].append(one_run(args, ckpt))
    evals = args.steps // args.eval_every
    print(
        f"digits_mlp, {args.trials} trials x {args.steps} steps, {evals} evals, "
        f"{jax.default_backend()} ({jax.devices()[0].device_kind}), median of {args.repeats}"
    )
    base = statistics.median(times["none"])
    print(f"{'checkpoints':<16} {'saves':>6} {'wall s':>8} {'ratio':>6}")
    for name, ckpt in VARIANTS.items():
        saves = 0 if ckpt is None else -(-evals // ckpt["every_evals"])
        wall = statistics.median(times[name])
        print(f"{name:<16} {saves:>6} {wall:>8.2f} {wall / base:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the tuned fashion_cnn configuration once and print its test accuracy and wall time.

    python bench/fashion_accuracy.py [--logbook DIR] [--steps N]

Writes the study ``fashion-cnn-reference`` (one trial, every hyperparameter fixed) into the
logbook and trains it with the real runner, so the result is an ordinary trial record.
Needs Fashion-MNIST in the cache (``python -m runners.datasets fashion-mnist``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reportgen.schema import StudySpec  # noqa: E402
from reportgen.store import write_spec  # noqa: E402

STUDY = "fashion-cnn-reference"


def spec(steps: int) -> StudySpec:
    fixed = {
        "optimizer": "adam",
        "adam.learning_rate": 0.002,
        "schedule": "cosine",
        "warmup_steps": 100,
        "dropout": 0.2,
        "label_smoothing": 0.05,
    }
    return StudySpec(
        study_id=STUDY,
        title="Reference run of the tuned fashion_cnn configuration",
        goal="Show that the fashion_cnn workload reaches at least 88 % test accuracy with a "
        "sensible configuration (Adam, cosine decay with warmup, light dropout).",
        workload={
            "name": "fashion_cnn",
            "settings": {"batch_size": 128, "channels1": 32, "channels2": 64, "hidden": 128},
        },
        search_space=[{"name": k, "role": "fixed", "value": v} for k, v in fixed.items()],
        trial_budget=1,
        max_train_steps=steps,
        eval_every=max(steps // 10, 1),
        changelog=[{"revision": 1, "date": dt.date(2026, 11, 23), "summary": "reference run"}],
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--logbook", type=Path, default=REPO / "logbook")
    p.add_argument("--steps", type=int, default=2500)
    args = p.parse_args()
    from runners.study_runner import StudyRunner

    write_spec(args.logbook, spec(args.steps))
    t0 = time.perf_counter()
    runner = StudyRunner(args.logbook, STUDY, command="bench/fashion_accuracy.py")
    (rec,) = runner.run_search(resume=True) or [None]
    if rec is None:
        print("already trained (delete the trial file to train again)")
        return 0
    wall = time.perf_counter() - t0
    print(
        f"fashion_cnn: test accuracy {rec.test_metrics.get('test_accuracy', float('nan')):.4f} "
        f"(best valid error {rec.best.value if rec.best else float('nan'):.4f} at step "
        f"{rec.best.step if rec.best else '-'}), {args.steps} steps, {wall:.0f} s wall on "
        f"{rec.execution.device}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Time writing a trial of many eval points: `reportgen complete` and the trial logger.

    python bench/logger_points.py [--points 10000] [--repeats 3]

Prints, per side, the median seconds to write one trial of N points (each run in a fresh
logbook): `reportgen complete` as a user runs it (a subprocess, imports included) and the
trial logger's ``log`` loop in this process, against the same loop with the journal written
at every point (the behaviour before journal writes were batched: one fsynced file per point),
and the ratio of the two. The external-loop study of the tests, with max_train_steps raised.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reportgen.logger import open_trial  # noqa: E402
from reportgen.logger import trial as logger  # noqa: E402
from runners.search.suggest import suggest  # noqa: E402
from tests.external_book import EXTERNAL_SPEC  # noqa: E402

STUDY = "numpy-digits"


def _book(root: Path, points: int) -> Path:
    book = root / "logbook"
    (book / STUDY).mkdir(parents=True)
    spec = EXTERNAL_SPEC.replace("max_train_steps: 1000", f"max_train_steps: {points}")
    (book / STUDY / "study.yaml").write_text(spec)
    return book


def _columns(n: int) -> dict[str, list[float]]:
    return {
        "step": list(range(1, n + 1)),
        "train_loss": [1.0 / k for k in range(1, n + 1)],
        "valid_loss": [1.1 / k for k in range(1, n + 1)],
        "valid_error": [0.5 / k for k in range(1, n + 1)],
    }


def time_complete(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        book = _book(Path(tmp), n)
        (point,) = suggest(book, STUDY, 1, lease_seconds=600)
        curves = Path(tmp) / "curves.json"
        curves.write_text(json.dumps(_columns(n)))
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "reportgen", "complete", STUDY, point.trial_id,
             "--curves", str(curves), "--logbook", str(book)],
            check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
        return time.perf_counter() - start


def time_logger(n: int, every: float) -> float:
    saved = logger.JOURNAL_EVERY_S
    logger.JOURNAL_EVERY_S = every
    try:
        with tempfile.TemporaryDirectory() as tmp:
            book = _book(Path(tmp), n)
            cols = _columns(n)
            start = time.perf_counter()
            hp = {"schedule": "constant", "adam.learning_rate": 0.01}
            with open_trial(book, STUDY, hp, progress=False) as t:
                for i, step in enumerate(cols["step"]):
                    t.log(step, train_loss=cols["train_loss"][i], valid_loss=cols["valid_loss"][i],
                          valid_error=cols["valid_error"][i])  # fmt: skip
            return time.perf_counter() - start
    finally:
        logger.JOURNAL_EVERY_S = saved


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=10_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument(
        "--every-point-sample",
        type=int,
        default=1000,
        help="points timed for the journal-per-point side (scaled up to --points)",
    )
    args = p.parse_args()
    n = args.points
    complete = [time_complete(n) for _ in range(args.repeats)]
    batched = [time_logger(n, logger.JOURNAL_EVERY_S) for _ in range(args.repeats)]
    k = min(n, args.every_point_sample)
    per_point = [time_logger(k, 0.0) * n / k for _ in range(args.repeats)]
    print(f"{n} eval points, median of {args.repeats} runs")
    print(f"  reportgen complete (whole process)        {statistics.median(complete):8.2f} s")
    print(f"  logger, journal at most once a second     {statistics.median(batched):8.2f} s")
    print(
        f"  logger, journal at every point (before)   {statistics.median(per_point):8.2f} s"
        f"  (timed on {k} points, scaled)"
    )
    print(
        f"  before / now (logger)                     "
        f"{statistics.median(per_point) / statistics.median(batched):8.1f}x"
    )


if __name__ == "__main__":
    main()

"""Time reading one 1000-point trial record: the store's path vs plain json.loads + model_validate.

    python bench/store_load.py [--points 1000] [--repeat 200]

Prints milliseconds per trial for both and their ratio. Synthetic record, for this bench only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportgen.schema import (  # noqa: E402
    Best,
    Curves,
    Execution,
    Provenance,
    Seeds,
    Status,
    TrialRecord,
)
from reportgen.store import dumps_record  # noqa: E402
from reportgen.store.load import parse_trial  # noqa: E402


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


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--points", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=200)
    args = p.parse_args()
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

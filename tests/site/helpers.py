"""Test helpers for the site: a small logbook written through the store."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from reportgen.store import write_spec, write_trial
from tests.conftest import make_spec, make_trial


def write_logbook(
    root: Path,
    *,
    spec_overrides: dict | None = None,
    extra_hps: list[dict] | None = None,
    n: int = 12,
    steps: int = 40,
) -> Path:
    """A small logbook of one study 'demo' with search and retrain trials (and one diverged)."""
    overrides = dict(spec_overrides or {})
    overrides.setdefault("trial_budget", max(n, 8))  # `check` refuses more search trials
    if extra_hps:
        overrides["search_space"] = make_spec().model_dump()["search_space"] + extra_hps
    spec = make_spec(**overrides)
    write_spec(root, spec)
    widths = [32, 64, 128]
    for i in range(n):
        lr = 10 ** (-4 + 2 * ((i * 0.618) % 1))
        step = [k * 5 for k in range(steps)]
        loss = [
            2.3 * math.exp(-k * lr * 40) + 0.05 + 0.01 * ((k * 7 + i) % 3) for k in range(steps)
        ]
        err = [min(0.9, x / 2.5) for x in loss]
        diverged = i == n - 1
        if diverged:
            loss = loss[:10] + [float("nan")] * (steps - 10)
            err = err[:10] + [float("nan")] * (steps - 10)
        best_i = min(range(len(err)), key=lambda k: err[k] if not math.isnan(err[k]) else 9)
        rec = make_trial(
            trial_id=f"t{i:04d}",
            index=i,
            hyperparameters={"optimizer": "adam", "adam.learning_rate": lr, "width": widths[i % 3]}
            | {hp["name"]: hp["values"][i % len(hp["values"])] for hp in extra_hps or []},
            curves=dict(
                step=step,
                train_loss=loss,
                valid_loss=loss,
                valid_error=err,
                learning_rate=[lr] * steps,
                grad_norm=[1.0] * steps,
            ),
            status="diverged" if diverged else "complete",
            status_reason="loss became NaN" if diverged else "",
            best={"step": step[best_i], "value": err[best_i]},
            final_value=None if diverged else err[-1],
            max_train_steps=step[-1],
            provenance={
                "created_utc": dt.datetime(2026, 11, 23, 10, i, tzinfo=dt.UTC),
                "code_version": "abc123",
            },
        )
        write_trial(root, rec)
    for j in range(3):
        rec = make_trial(
            trial_id=f"r{j}",
            kind="retrain",
            group="t0000",
            index=j,
            hyperparameters=make_trial().hyperparameters
            | {hp["name"]: hp["values"][0] for hp in extra_hps or []},
            seeds={"init": 100 + j, "data_order": 200 + j, "sampler": 0},  # new seeds
            curves=make_trial().curves.model_copy(
                update={"valid_error": [0.9, 0.3, 0.1 + 0.005 * j]}
            ),
            best={"step": 100, "value": 0.1 + 0.005 * j},
            provenance={"created_utc": dt.datetime(2026, 11, 23, 11, j, tzinfo=dt.UTC)},
        )
        write_trial(root, rec)
    return root

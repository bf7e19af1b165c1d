"""A probe study's trials, written as the runners write them.

Points come from the runners' own sampler (`runners.search.sample_points`, numpy only), seeds and
trial ids from the runners' derivation, and each record is built with every field a runner fills
(recorded optimizer defaults, per-interval gradient-norm statistics, the data split, the device,
the packages) and written through the store (`write_spec`, `write_trial`). What is simulated is
the training itself: a smooth learning curve whose floor depends on the distance of the learning
rate from its best value, with evaluation noise from a seeded generator and the pathology the
probe is about (a spike, overfitting, divergence, clipping, an edited schedule, ...).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from reportgen.logger.trial import derive_seeds, search_trial_id
from reportgen.schema import (
    Best,
    Curves,
    Execution,
    Provenance,
    Status,
    StudySpec,
    TrialKind,
    TrialRecord,
)
from reportgen.schema.playbook import EARLY_PROBE_LR_FACTOR, early_probe_steps
from reportgen.store import write_spec, write_trial
from runners.search import sample_points

CREATED = dt.datetime(2026, 11, 30, tzinfo=dt.UTC)
PACKAGES = {"jax": "0.10.2", "jaxlib": "0.10.2", "optax": "0.2.8", "numpy": "2.4.6"}
# what the runners record beside the sampled values (the workload's defaults)
DEFAULTS: dict[str, Any] = {
    "batch_size": 64, "schedule": "constant", "warmup_steps": 0, "weight_decay": 0.0,
    "grad_clip": 0.0, "label_smoothing": 0.0, "dropout": 0.0,
}
OPTIMIZER_DEFAULTS: dict[str, dict[str, float]] = {
    "adam": {"b1": 0.9, "b2": 0.999, "eps": 1e-8},
    "nesterov": {"momentum": 0.9},
    "sgd": {},
}


@dataclass
class Knobs:
    """How the simulated training behaves; every field has a calm default."""

    floor: float = 0.08  # best reachable valid error at the best learning rate
    bowl: float = 0.05  # error added per squared decade away from the best learning rate
    best_lr: float | None = None  # the best learning rate (default: middle of the range)
    converge: float = 0.6  # fraction of training where the objective reaches its floor
    slowdown: float = 0.0  # converge later by this factor per decade from the best rate
    drift: float = 0.03  # objective drift per unit of training after the floor (keeps the best there)
    lucky_index: int | None = None  # this trial (sampler index) is better by 0.1
    noise: float = 0.001  # evaluation noise (std of valid error)
    diverge_above: float | None = None  # learning rates above this diverge
    diverge_if: Callable[[Mapping[str, Any]], bool] | None = None  # these points diverge
    overfit: float = 0.0  # valid error added per unit of training after convergence
    late_noise: float = 0.0  # extra noise in the last 30 % of training
    spike: tuple[float, float] | None = None  # (fraction of training, size) of a loss spike
    train_rise: float = 0.0  # training loss rising after convergence
    grad: float = 1.0  # typical gradient norm
    grad_outlier: float | None = None  # fraction of training where the norm jumps 20x
    every_step: bool = False  # evaluate every step (the record keeps every step's norm)
    lr_edit: bool = False  # the learning rate rises again after decaying (hand-edited)
    offset: Callable[[Mapping[str, Any]], float] | None = None  # objective shift per point
    converge_of: Callable[[Mapping[str, Any]], float] | None = None  # converge factor per point
    steps_of: Callable[[int], int] | None = None  # max_train_steps per trial index
    cadence_of: Callable[[int], int] | None = None  # eval cadence per trial index
    split_of: Callable[[int], int] | None = None  # data split seed per trial index
    step_seconds_of: Callable[[Mapping[str, Any], int], float] | None = None  # per point, index
    eval_examples: int = 2000
    packages: dict[str, str] = field(default_factory=lambda: dict(PACKAGES))
    record_optimizer: bool = True  # record the optimizer's defaults (b1, b2, eps, ...)
    # record a training error (curves.extra.train_error) that reaches 0 at this fraction of
    # training at the best learning rate, later by (1 + 2 * decades²) away from it
    fit: float | None = None
    # write an early-instability probe of the best search trial (kind probe, every step, twice
    # the learning rate): (fraction of the probe, size) of its loss spike, or None for none
    early_probe: tuple[float, float] | None = None


def _lr(hp: Mapping[str, Any]) -> tuple[str, float]:
    for k, v in hp.items():
        if k.endswith("learning_rate") and isinstance(v, int | float):
            return k, float(v)
    return "", 0.01


def simulate(
    spec: StudySpec, hp: Mapping[str, Any], index: int, seed: int, knobs: Knobs
) -> tuple[dict[str, list[float]], list[int], Status, str]:
    """Curves, steps, status and reason of one simulated trial."""
    rng = np.random.default_rng([seed, index, 17])
    max_steps = knobs.steps_of(index) if knobs.steps_of else spec.max_train_steps
    every = 1 if knobs.every_step else (knobs.cadence_of(index) if knobs.cadence_of
                                         else spec.eval_every)
    steps = list(range(every, max_steps + 1, every))
    if knobs.cadence_of and knobs.cadence_of(index) != spec.eval_every:
        steps = sorted({*steps, *range(every, max_steps + 1, every + 1)})[: len(steps)]
    t = np.asarray(steps, dtype=float) / max_steps
    name, lr = _lr(hp)
    lr_hp = next((h for h in spec.search_space if h.name == name), None)
    if knobs.best_lr is not None:
        best_lr = knobs.best_lr
    elif lr_hp is not None and lr_hp.low is not None:
        best_lr = math.sqrt(float(lr_hp.low) * float(lr_hp.high))
    else:
        best_lr = lr
    dist = math.log10(lr / best_lr) if lr > 0 else 0.0
    floor = knobs.floor + knobs.bowl * dist * dist + (knobs.offset(hp) if knobs.offset else 0.0)
    if knobs.lucky_index is not None and index == knobs.lucky_index:
        floor -= 0.1
    speed = knobs.converge * (1 + knobs.slowdown * abs(dist))
    if knobs.converge_of is not None:
        speed *= knobs.converge_of(hp)
    shape = (1 - np.clip(t / speed, 0, 1)) ** 2
    err = floor + (0.9 - floor) * shape
    err += (knobs.drift + knobs.overfit) * np.clip(t - speed, 0, None)
    noise = knobs.noise + knobs.late_noise * (t > 0.5)
    err = err + rng.normal(0, 1, t.size) * noise
    err = np.clip(err, 0.0, 1.0)
    train = 2.3 * shape + 0.6 * floor + knobs.train_rise * np.clip(t - speed, 0, None)
    if knobs.spike is not None:
        at, size = knobs.spike
        train = train + size * np.exp(-(((t - at) / 0.1) ** 2)) * (1 + floor)
    train = train * (1 + 0.01 * rng.normal(0, 1, t.size))
    valid = train * 1.05 + 0.1 + (err - floor)
    sched = hp.get("schedule", "constant")
    lr_col = np.full(t.size, lr)
    if sched == "cosine":
        lr_col = lr * 0.5 * (1 + np.cos(np.pi * t))
    if knobs.lr_edit:
        lr_col = lr * np.where(t < 0.5, 1 - t, np.where(t < 0.6, 0.1, 0.5))
    gn = knobs.grad * (0.3 + shape) * (1 + 0.05 * rng.normal(0, 1, t.size))
    gmax = gn * 1.6
    if knobs.grad_outlier is not None:
        i = int(knobs.grad_outlier * (t.size - 1))
        gmax[i] *= 20
    clip = float(hp.get("grad_clip", 0.0) or 0.0)
    clipped = np.where(clip > 0, np.clip((gn * 1.2 - clip) / max(clip, 1e-9) + 0.5, 0, 1), 0.0)
    cols = {
        "train_loss": train.tolist(), "valid_loss": valid.tolist(), "valid_error": err.tolist(),
        **({"train_error": np.clip(0.5 * (1 - t / (knobs.fit * (1 + 2 * dist * dist))), 0, 1
                                   ).tolist()} if knobs.fit is not None else {}),
        "learning_rate": lr_col.tolist(), "grad_norm": gn.tolist(),
        "grad_norm_max": gmax.tolist(), "grad_norm_p90": (gn * 1.3).tolist(),
        "clipped_fraction": clipped.tolist(),
    }
    if (knobs.diverge_above is not None and lr > knobs.diverge_above) or (
        knobs.diverge_if is not None and knobs.diverge_if(hp)
    ):
        at = max(1, t.size // 4)
        boom = 50 * (1 + rng.random()) * 5
        for k in ("train_loss", "valid_loss", "valid_error", "grad_norm", "grad_norm_max",
                  "grad_norm_p90", *(("train_error",) if knobs.fit is not None else ())):
            cols[k] = cols[k][:at] + [math.nan] * (t.size - at)
        return cols, steps, Status.DIVERGED, (
            f"train loss exploded to {boom:.1f} (limit 50) at step {steps[at]}"
        )
    return cols, steps, Status.COMPLETE, ""


def record(
    spec: StudySpec, hp: Mapping[str, Any], index: int, knobs: Knobs, *, trial_id: str,
    kind: TrialKind = TrialKind.SEARCH, group: str = "", seed_index: int = 0,
    unit_coords: list[float] | None = None, sampler_seed: int | None = None,
) -> TrialRecord:
    seed = spec.search.seed if sampler_seed is None else sampler_seed
    cols, steps, status, reason = simulate(spec, hp, index + 1000 * seed_index, seed, knobs)
    metric = spec.objective.metric
    y = np.asarray(cols[metric], dtype=float)
    best = None
    final = None
    if status is Status.COMPLETE:
        sign = -1.0 if str(spec.objective.direction) == "maximize" else 1.0
        i = int(np.nanargmin(sign * y))
        best = Best(step=steps[i], value=round(float(y[i]), 7))
        final = round(float(y[-1]), 7)
    split = knobs.split_of(index) if knobs.split_of else 0
    max_steps = knobs.steps_of(index) if knobs.steps_of else spec.max_train_steps
    return TrialRecord(
        study_id=spec.study_id, study_revision=spec.revision, trial_id=trial_id, kind=kind,
        group=group, index=index, hyperparameters=dict(hp), unit_coords=unit_coords,
        seeds=derive_seeds(seed, index, seed_index), status=status, status_reason=reason,
        curves=Curves(step=steps, **{k: [round(x, 7) for x in v] for k, v in cols.items()
                                     if k != "train_error"},
                      extra={k: [round(x, 7) for x in v] for k, v in cols.items()
                             if k == "train_error"}),
        best=best, final_value=final, test_metrics={} if best is None else {
            "test_error": round(best.value + 0.004, 7)},
        dataset={"dataset": "probe-digits", "n_valid": knobs.eval_examples, "split_seed": split,
                 "sha256": f"{split:064x}"},
        max_train_steps=max_steps, eval_examples=knobs.eval_examples,
        wall_seconds=12.0,
        step_seconds=round(knobs.step_seconds_of(hp, index) if knobs.step_seconds_of
                           else 0.05 / max(spec.max_train_steps, 1), 6),
        execution=Execution(mode="vectorised", group_id=f"r{spec.revision}-probe+{index // 8}",
                            group_size=8, device="cpu (2 cores)", compile_seconds=3.0, devices=1,
                            group_wall_seconds=12.0, trial_share_seconds=1.2),
        provenance=Provenance(code_version="probe", packages=dict(knobs.packages),
                              created_utc=CREATED, command="tests/probes (simulated training)"),
    )


def full_values(spec: StudySpec, values: Mapping[str, Any], knobs: Knobs) -> dict[str, Any]:
    hp = dict(DEFAULTS)
    for h in spec.search_space:
        if h.value is not None:
            hp[h.name] = h.value
    hp.update(values)
    opt = str(hp.get("optimizer", ""))
    if knobs.record_optimizer:
        for k, v in OPTIMIZER_DEFAULTS.get(opt, {}).items():
            hp.setdefault(f"{opt}.{k}", v)
    return hp


def write_study(
    logbook: Path, spec: StudySpec, knobs: Knobs, *, n: int | None = None,
    retrain: Mapping[str, int] | None = None, reruns: tuple[int, ...] = (),
) -> list[TrialRecord]:
    """Write the spec, ``n`` search trials (the budget by default), ``retrain`` (scientific
    value label or ``best`` -> retrains of its best trial) and reruns with other sampler seeds."""
    write_spec(logbook, spec)
    out = []
    for seed in (spec.search.seed, *reruns):
        for p in sample_points(spec, n or spec.trial_budget, seed):
            hp = full_values(spec, p.values, knobs)
            rerun = seed != spec.search.seed
            tid = search_trial_id(spec.revision, seed, p.index)
            rec = record(spec, hp, p.index, knobs, trial_id=tid, unit_coords=p.unit_coords,
                         kind=TrialKind.RERUN if rerun else TrialKind.SEARCH,
                         group=f"sampler-seed-{seed}" if rerun else "", sampler_seed=seed)
            write_trial(logbook, rec, new=True)
            out.append(rec)
    search = [r for r in out if r.kind is TrialKind.SEARCH and r.best is not None]
    sign = -1.0 if str(spec.objective.direction) == "maximize" else 1.0
    if knobs.early_probe is not None:
        out.append(write_early_probe(logbook, spec, knobs, min(
            search, key=lambda r: sign * r.best.value)))  # type: ignore[union-attr]
    for label, count in (retrain or {}).items():
        pool = search
        if label != "best":
            name, _, value = label.partition("=")
            pool = [r for r in search if str(r.hyperparameters.get(name)) == value]
        src = min(pool, key=lambda r: sign * r.best.value)  # type: ignore[union-attr]
        for k in range(1, count + 1):
            rec = record(spec, src.hyperparameters, src.index, knobs,
                         trial_id=f"{src.trial_id}-rt{k}", kind=TrialKind.RETRAIN,
                         group=src.trial_id, seed_index=k)
            write_trial(logbook, rec, new=True)
            out.append(rec)
    return out


def write_early_probe(
    logbook: Path, spec: StudySpec, knobs: Knobs, source: TrialRecord
) -> TrialRecord:
    """The probe `reportgen run --probe early` writes: the source's first steps (the runners'
    sizing) at twice its learning rate, every step, same seeds, with ``knobs.early_probe``'s
    spike in its training loss."""
    steps = early_probe_steps(spec.max_train_steps)
    hp = dict(source.hyperparameters)
    name, lr = _lr(hp)
    hp[name] = lr * EARLY_PROBE_LR_FACTOR
    probe_knobs = replace(knobs, every_step=True, steps_of=lambda _i: steps,
                          spike=knobs.early_probe, early_probe=None, best_lr=lr)
    rec = record(spec, hp, source.index, probe_knobs, trial_id=f"{source.trial_id}-probe",
                 kind=TrialKind.PROBE, group=source.trial_id)
    write_trial(logbook, rec, new=True)
    return rec

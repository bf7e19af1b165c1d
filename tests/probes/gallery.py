"""The probe gallery: one small constructed study per finding key and per coverage row.

Each probe is a study spec and the knobs of its simulated training (`tests.probes.sim`); its
records are written through the store as the runners write them. ``PROBES`` names, per probe,
the finding keys it exists to fire (``fires``) and the checklist rows it must pass (``passes``);
``tests/probes/test_gallery.py`` holds every probe to both, and the coverage page is counted from
what the probes' built pages show (``scripts/coverage_page.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.schema import StudySpec
from reportgen.schema.batch_size import THROUGHPUT_FILE, ThroughputRecord
from tests.probes.sim import Knobs, write_study

LR = "adam.learning_rate"
ALL_ROWS = ("stability", "design", "boundaries", "density", "infeasible", "curves",
            "isolation", "variance")


@dataclass(frozen=True)
class Probe:
    name: str
    spec: dict[str, Any]
    knobs: Knobs = field(default_factory=Knobs)
    fires: tuple[str, ...] = ()  # finding keys this probe exists to fire
    passes: tuple[str, ...] = ()  # checklist topics that must pass (ticked) on it
    retrain: Mapping[str, int] = field(default_factory=dict)
    reruns: tuple[int, ...] = ()
    n: int | None = None  # search trials written (default: the budget)
    throughput: dict[str, Any] | None = None  # throughput.json (the batch-size probe's record)


def spec_of(name: str, **over: Any) -> dict[str, Any]:
    """A small study: Adam's learning rate tuned away (nuisance) for two widths (scientific)."""
    base: dict[str, Any] = dict(
        study_id=f"probe-{name}",
        title=f"Probe: {name.replace('-', ' ')}",
        goal=f"A constructed study for the probe gallery ({name}).",
        workload={"name": "external", "settings": {"batch_size": 64}},
        objective={"metric": "valid_error", "direction": "minimize"},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": LR, "role": "nuisance", "scale": "log", "low": 1e-4, "high": 1e-1},
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [32, 64]},
        ],
        search={"kind": "quasi_random", "seed": 0},
        trial_budget=16,
        max_train_steps=200,
        eval_every=10,
        baseline={"hyperparameter": "width", "value": 32},
        candidate=64,
        chance_level=0.9,
        model={"family": "MLP (simulated)", "reference": "tests/probes"},
    )
    base.update(over)
    return base


def _wider_is_better(gain: float) -> Callable[[Mapping[str, Any]], float]:
    return lambda hp: -gain if hp.get("width") == 64 else 0.0


def _slower_when_wider(hp: Mapping[str, Any], index: int) -> float:
    """Seconds per step: twice as long at width 64, and up to 30 % more from trial to trial
    (a golden-ratio sequence, so the times spread evenly)."""
    base = 0.02 if hp.get("width") == 32 else 0.04
    return base * (1 + 0.3 * ((index * 0.618034) % 1))


def _space(*extra: dict[str, Any], lr: bool = True, width: bool = True) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"name": "optimizer", "role": "fixed", "value": "adam"}]
    if lr:
        out.append({"name": LR, "role": "nuisance", "scale": "log", "low": 1e-4, "high": 1e-1})
    if width:
        out.append({"name": "width", "role": "scientific", "scale": "discrete",
                    "values": [32, 64]})
    return out + list(extra)


# the probe's timings: throughput doubles up to batch 64, then grows 10 % per doubling, and the
# input pipeline takes a fifth of a step at 256
_THROUGHPUT: dict[str, Any] = {
    "measured_at": "2026-11-30T00:00:00Z", "device": "cpu (2 cores)", "steps": 20, "repeats": 3,
    "command": "reportgen throughput probe-batch-scaling",
    "points": [
        {"batch_size": 16, "step_seconds": 0.004, "synthetic_step_seconds": 0.004,
         "input_seconds": 0.0001},
        {"batch_size": 32, "step_seconds": 0.004, "synthetic_step_seconds": 0.004,
         "input_seconds": 0.0001},
        {"batch_size": 64, "step_seconds": 0.004, "synthetic_step_seconds": 0.004,
         "input_seconds": 0.0002},
        {"batch_size": 128, "step_seconds": 0.0073, "synthetic_step_seconds": 0.0072,
         "input_seconds": 0.0004},
        {"batch_size": 256, "step_seconds": 0.0132, "synthetic_step_seconds": 0.0105,
         "input_seconds": 0.0026},
        {"batch_size": 512, "oom": True},
    ],
}

PROBES: tuple[Probe, ...] = (
    Probe(
        "calm",
        spec_of("calm", trial_budget=24),
        Knobs(offset=_wider_is_better(0.03), bowl=0.001),
        passes=ALL_ROWS,
        retrain={"width=32": 10, "width=64": 10},
        reruns=(1, 2, 3, 4),
    ),
    Probe(
        "boundary",
        spec_of("boundary"),
        Knobs(best_lr=0.3, bowl=0.08),
        fires=("search_space.boundary", "variance.no_retrains", "variance.no_reruns"),
    ),
    Probe(
        "stability-edge",
        spec_of("stability-edge", trial_budget=24),
        Knobs(best_lr=0.02, diverge_above=0.025, bowl=0.08),
        fires=("search_space.stability_edge", "instability.above_best_lr",
               "instability.warmup_protocol", "instability.fix_menu", "infeasible.fraction"),
    ),
    Probe(
        "near-best",
        spec_of("near-best", trial_budget=8),
        Knobs(bowl=0.6),
        fires=("density.near_best",),
    ),
    Probe(
        "overfitting",
        spec_of("overfitting"),
        Knobs(converge=0.3, overfit=0.3, slowdown=0.3),
        fires=("curves.overfitting",),
    ),
    Probe(
        "late-noise",
        spec_of("late-noise"),
        Knobs(late_noise=0.02, bowl=0.005, floor=0.3),
        fires=("curves.late_noise",),
    ),
    Probe(
        "still-improving",
        spec_of("still-improving"),
        Knobs(converge=3.0, drift=0.0),
        fires=("curves.still_improving", "curves.best_step_late", "regime.compute_bound"),
    ),
    Probe(
        "saturated",
        spec_of("saturated"),
        Knobs(converge=0.2),
        fires=("curves.saturated_early", "regime.not_compute_bound"),
    ),
    Probe(
        "best-step-early",
        spec_of("best-step-early"),
        Knobs(converge=0.05, overfit=0.2),
        fires=("curves.best_step_early", "curves.overfitting"),
    ),
    Probe(
        "train-loss-rising",
        spec_of("train-loss-rising"),
        Knobs(train_rise=3.0),
        fires=("curves.train_loss_rising",),
    ),
    Probe(
        "lr-fixed",
        spec_of("lr-fixed", search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": LR, "role": "fixed", "value": 0.003},
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [32, 64]},
        ], trial_budget=8),
        fires=("design.lr_fixed",),
    ),
    Probe(
        "batch-size-nuisance",
        spec_of("batch-size-nuisance", search_space=_space(
            {"name": "batch_size", "role": "nuisance", "scale": "discrete",
             "values": [32, 64, 128]})),
        fires=("design.batch_size_nuisance",),
    ),
    Probe(
        "batch-fixed-steps",
        spec_of("batch-fixed-steps", search_space=_space(
            {"name": "batch_size", "role": "scientific", "scale": "discrete",
             "values": [64, 256]}, width=False),
            baseline={"hyperparameter": "batch_size", "value": 64}, candidate=256),
        fires=("design.batch_size_fixed_steps",),
    ),
    Probe(
        "several-scientific",
        spec_of("several-scientific", search_space=_space(
            {"name": "depth", "role": "scientific", "scale": "discrete", "values": [2, 3]})),
        fires=("design.several_scientific",),
    ),
    Probe(
        "adam-budget",
        spec_of("adam-budget", search_space=_space(
            {"name": "adam.b1", "role": "nuisance", "scale": "linear", "low": 0.8, "high": 0.99},
            {"name": "adam.eps", "role": "nuisance", "scale": "log", "low": 1e-9, "high": 1e-6},
        ), trial_budget=8),
        fires=("design.adam_budget",),
    ),
    Probe(
        "noise-floor",
        spec_of("noise-floor"),
        Knobs(eval_examples=60, offset=_wider_is_better(0.001)),
        fires=("below_noise_floor",),
        retrain={"width=32": 3, "width=64": 3},
    ),
    Probe(
        "loss-spike",
        spec_of("loss-spike"),
        Knobs(spike=(0.4, 3.0)),
        fires=("instability.loss_spike", "instability.early_probe", "instability.fix_menu"),
    ),
    Probe(
        "clip-aggressive",
        spec_of("clip-aggressive", search_space=_space(
            {"name": "grad_clip", "role": "fixed", "value": 0.2})),
        Knobs(grad=1.0),
        fires=("gradients.clip_aggressive",),
    ),
    Probe(
        "grad-outliers",
        spec_of("grad-outliers"),
        Knobs(grad_outlier=0.6),
        fires=("gradients.outliers",),
    ),
    Probe(
        "every-step",
        spec_of("every-step", max_train_steps=60, eval_every=1, trial_budget=8),
        Knobs(every_step=True, grad_outlier=0.6),
        fires=("gradients.outliers",),
    ),
    Probe(
        "short-round",
        spec_of("short-round", round={"index": 1, "fraction": 0.1, "planned_rounds": 2}),
        Knobs(converge=3.0, drift=0.0),
        fires=("regime.short_run_transfer", "regime.compute_bound"),
    ),
    Probe(
        "round-two",
        spec_of("round-two", max_train_steps=400, eval_every=20,
                round={"index": 2, "fraction": 0.2, "planned_rounds": 2,
                       "previous": "probe-short-round"}),
        Knobs(converge=1.5),
        fires=("rounds.transfer",),
    ),
    Probe(
        "warmup",
        spec_of("warmup", search_space=_space(
            {"name": "warmup_steps", "role": "nuisance", "scale": "discrete",
             "values": [0, 20, 60]})),
        fires=("schedule.warmup_long",),
    ),
    Probe(
        "warmup-share",
        spec_of("warmup-share", search_space=_space(
            {"name": "warmup_steps", "role": "fixed", "value": 16})),
        fires=("schedule.warmup_share",),
    ),
    Probe(
        "hand-edited",
        spec_of("hand-edited"),
        Knobs(lr_edit=True),
        fires=("schedule.hand_edited",),
    ),
    Probe(
        "optimizer-unrecorded",
        spec_of("optimizer-unrecorded"),
        Knobs(record_optimizer=False),
        fires=("design.optimizer_unrecorded",),
    ),
    Probe(
        "max-steps-varies",
        spec_of("max-steps-varies"),
        Knobs(steps_of=lambda i: 200 if i % 4 else 100),
        fires=("design.max_steps_varies",),
    ),
    Probe(
        "eval-cadence",
        spec_of("eval-cadence"),
        Knobs(cadence_of=lambda i: 10 if i % 4 else 15),
        fires=("design.eval_cadence",),
    ),
    Probe(
        "grid-many-dims",
        spec_of("grid-many-dims", search={"kind": "grid"}, trial_budget=8, search_space=_space(
            {"name": "depth", "role": "nuisance", "scale": "discrete", "values": [2, 3]},
            {"name": "adam.b1", "role": "fixed", "value": 0.9}, lr=False) + [
            {"name": LR, "role": "nuisance", "scale": "discrete", "values": [0.001, 0.01]}]),
        fires=("design.grid_many_dims",),
    ),
    Probe(
        "exploitation-gate",
        spec_of("exploitation-gate", phase="exploitation"),
        Knobs(best_lr=0.3, bowl=0.08),
        fires=("design.exploitation_gate", "search_space.boundary"),
    ),
    Probe(
        "gate-overridden",
        spec_of("gate-overridden", phase="exploitation",
                grid_override="the upper edge is the largest rate the hardware allows"),
        Knobs(best_lr=0.3, bowl=0.08),
        fires=("search_space.boundary",),
    ),
    Probe(
        "near-chance",
        spec_of("near-chance"),
        Knobs(floor=0.8),
        fires=("sanity.near_chance",),
    ),
    Probe(
        "split-mismatch",
        spec_of("split-mismatch"),
        Knobs(split_of=lambda i: i % 2),
        fires=("data.split_mismatch",),
    ),
    Probe(
        "infeasible",
        spec_of("infeasible"),
        Knobs(diverge_above=0.003, best_lr=0.001),
        fires=("infeasible.fraction",),
    ),
    Probe(
        "undertuned",
        spec_of("undertuned"),
        # the wider model diverges above a learning rate of 0.0004: few feasible trials
        Knobs(diverge_if=lambda hp: hp.get("width") == 64 and hp[LR] > 0.0004),
        fires=("isolation.undertuned",),
    ),
    Probe(
        "tuning-uneven",
        spec_of("tuning-uneven", trial_budget=32),
        # the wider model diverges above a learning rate of 0.003: it has feasible trials, but
        # only over the lower half of the learning-rate range the narrower one covers
        Knobs(diverge_if=lambda hp: hp.get("width") == 64 and hp[LR] > 0.003),
        fires=("isolation.tuning_uneven",),
    ),
    Probe(
        "batch-scaling",
        spec_of("batch-scaling", search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": LR, "role": "nuisance", "scale": "log", "low": 1e-4, "high": 1e-1},
            {"name": "batch_size", "role": "scientific", "scale": "discrete",
             "values": [16, 32, 64, 128, 256]}], trial_budget=30, baseline=None, candidate=None,
            steps_to_result={"target": 0.2}),
        # steps to the target halve from 16 to 64, then stop falling (the largest useful batch)
        Knobs(converge_of=lambda hp: max(16 / hp["batch_size"], 0.25)),
        throughput=_THROUGHPUT,
        fires=("batch_size.scaling_limit", "batch_size.throughput_saturated",
               "batch_size.input_bound"),
    ),
    Probe(
        "batch-target-unreached",
        spec_of("batch-target-unreached", search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": LR, "role": "nuisance", "scale": "log", "low": 1e-4, "high": 1e-1},
            {"name": "batch_size", "role": "scientific", "scale": "discrete",
             "values": [32, 128]}], baseline=None, candidate=None,
            steps_to_result={"target": 0.01}),
        fires=("batch_size.target_not_reached",),
    ),
    Probe(
        "retune-after-batch",
        spec_of("retune-after-batch", search_space=_space(
            {"name": "adam.b1", "role": "fixed", "value": 0.95, "tuned_at_batch_size": 256})),
        fires=("batch_size.retune_after_change",),
    ),
    Probe(
        "best-so-far",
        spec_of("best-so-far", trial_budget=24),
        Knobs(lucky_index=22),
        fires=("density.best_so_far_late",),
    ),
    Probe(
        "trade-off",
        # the wider model is better by 0.03 but twice as slow per step: the step-time
        # constraint leaves only the narrower one, so the best trial breaks it
        spec_of("trade-off", trade_offs=[
            {"metric": "step_seconds", "direction": "minimize", "constraint": "<= 0.03"},
            {"metric": "valid_loss", "direction": "minimize", "mode": "final"},
        ]),
        Knobs(offset=_wider_is_better(0.03), step_seconds_of=_slower_when_wider),
        fires=("trade_offs.best_violates",),
    ),
    Probe(
        "uneven",
        spec_of("uneven", search={"kind": "manual", "points": [
            {"width": 32, LR: 0.001 * 1.5 ** k} for k in range(10)] + [
            {"width": 64, LR: 0.002}, {"width": 64, LR: 0.004}]}, trial_budget=12),
        fires=("density.uneven_coverage",),
    ),
    Probe(
        "lr-sweep",
        spec_of("lr-sweep", search={"kind": "grid"}, trial_budget=5, baseline=None,
                candidate=None, search_space=[
                    {"name": "optimizer", "role": "fixed", "value": "adam"},
                    {"name": LR, "role": "nuisance", "scale": "discrete",
                     "values": [1e-4, 1e-3, 1e-2, 1e-1, 1.0]}]),
        # the training set is fit first at 3e-3's nearest rates: 1e-3 inside the grid
        Knobs(best_lr=3e-3, fit=0.5),
        fires=("steps.initial_max_train_steps",),
    ),
    Probe(
        "lr-sweep-edge",
        spec_of("lr-sweep-edge", search={"kind": "grid"}, trial_budget=4, baseline=None,
                candidate=None, search_space=[
                    {"name": "optimizer", "role": "fixed", "value": "adam"},
                    {"name": LR, "role": "nuisance", "scale": "discrete",
                     "values": [1e-4, 1e-3, 1e-2, 1e-1]}]),
        # every rate is too small: the largest fits first, and no budget is read off the grid
        Knobs(best_lr=1.0, fit=0.3, bowl=0.01),
        fires=("steps.lr_sweep_no_budget",),
    ),
    Probe(
        "early-probe-run",
        spec_of("early-probe-run", max_train_steps=1000, eval_every=100),
        # `reportgen run --probe early` ran: a blow-up at a third of its 100 steps that recovers
        Knobs(early_probe=(0.3, 3.0)),
        fires=("instability.early_probe",),
    ),
)

BY_NAME = {p.name: p for p in PROBES}


def write_probe(logbook: Path, probe: Probe) -> None:
    spec = StudySpec.model_validate(probe.spec)
    write_study(logbook, spec, probe.knobs, n=probe.n, retrain=probe.retrain,
                reruns=probe.reruns)
    if probe.throughput is not None:  # validated as `reportgen throughput` writes it
        record = ThroughputRecord.model_validate({"study_id": spec.study_id, **probe.throughput})
        (logbook / spec.study_id / THROUGHPUT_FILE).write_text(record.model_dump_json(indent=2))


def write_gallery(logbook: Path, names: tuple[str, ...] | None = None) -> Path:
    """Write every probe (or the named ones) into ``logbook``; the previous round of a round-two
    probe is written with it."""
    logbook.mkdir(parents=True, exist_ok=True)
    for p in PROBES:
        if names is None or p.name in names:
            write_probe(logbook, p)
    return logbook



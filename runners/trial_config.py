"""Resolve one trial's hyperparameters into what the trainer needs and what the record keeps.

A trial's values come from, in order: the workload's defaults, the study's
``workload.settings``, then the study's fixed and sampled hyperparameters. A hyperparameter is
either ``optimizer``, a workload/training setting (``width``, ``dropout``, ``schedule``, ...),
or an optimizer hyperparameter namespaced ``<optimizer>.<name>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reportgen.errors import ReportgenError
from reportgen.registry import classify, settings_problems
from reportgen.schema import Scalar, StudySpec
from runners.optimizers import optimizer_def
from runners.schedules import schedule_index
from runners.workloads import Workload

# Settings that are traced per trial (so they never split a group).
TRACED_SETTINGS = (
    "warmup_steps",
    "weight_decay",
    "grad_clip",
    "label_smoothing",
    "dropout",
)


@dataclass(frozen=True)
class TrialConfig:
    """One trial, resolved: its group key, its traced values and its recorded hyperparameters."""

    optimizer: str
    shape: tuple[tuple[str, Scalar], ...]
    traced: Mapping[str, float]
    recorded: Mapping[str, Scalar]

    @property
    def group_key(self) -> tuple:
        """Trials with equal keys have equal array shapes and share one compiled program."""
        return (self.optimizer, self.shape)

    @property
    def cfg(self) -> dict[str, Scalar]:
        return dict(self.shape)


def check_spec(spec: StudySpec, workload: Workload) -> None:
    """Fail early, naming the field, on settings the workload's settings model rejects and on
    search-space names that are neither a setting nor an optimizer hyperparameter (the same
    rules `reportgen check` applies, from the same registry)."""
    for field, message in settings_problems(workload, dict(spec.workload.settings)):
        raise ReportgenError(f"workload.settings.{field}: {message}")
    known = workload.all_settings()
    for hp in spec.search_space:
        _classify(hp.name, known)


def _classify(name: str, known: Mapping[str, Scalar]) -> str:
    kind, why = classify(name, set(known))
    if why is not None:
        raise ReportgenError(f"search_space.{name}: {why}")
    return kind


def resolve(spec: StudySpec, workload: Workload, values: Mapping[str, Scalar]) -> TrialConfig:
    """The trial whose spec hyperparameters take ``values`` (fixed ones are filled in here)."""
    settings = dict(workload.all_settings())
    settings.update(spec.workload.settings)
    chosen: dict[str, Scalar] = {}
    for hp in spec.search_space:
        if hp.name in values:
            chosen[hp.name] = values[hp.name]
        elif not hp.varied and (hp.condition is None or _active(hp, {**settings, **chosen})):
            chosen[hp.name] = hp.value  # type: ignore[assignment]
    namespaced: dict[str, Scalar] = {}
    for name, v in chosen.items():
        if _classify(name, settings) == "setting":
            settings[name] = v
        else:
            namespaced[name] = v
    optimizer = str(settings["optimizer"])
    opt = optimizer_def(optimizer)
    opt_values = {k: float(v) for k, v in opt.defaults.items()}
    for name, v in namespaced.items():
        prefix, _, rest = name.partition(".")
        if prefix == optimizer:
            opt_values[rest] = float(v)  # type: ignore[arg-type]
    traced = dict(opt_values)
    for name in TRACED_SETTINGS:
        traced[name] = float(settings[name])  # type: ignore[arg-type]
    traced["schedule"] = float(schedule_index(str(settings["schedule"])))
    shape_names = (*workload.shape_settings, "batch_size", "eval_batch_size")
    shape = tuple((n, settings[n]) for n in sorted(set(shape_names)))
    recorded: dict[str, Scalar] = dict(settings)
    recorded.update({f"{optimizer}.{k}": v for k, v in opt_values.items()})
    recorded.update(chosen)
    return TrialConfig(optimizer, shape, traced, recorded)


def _active(hp, values: Mapping[str, Scalar]) -> bool:
    return hp.condition is None or values.get(hp.condition.parent) in hp.condition.values

"""Optimizer registry through optax, with hyperparameters namespaced per optimizer.

A study names ``optimizer`` (fixed or categorical) and the optimizer's own hyperparameters as
``<optimizer>.<name>`` (``adam.learning_rate`` is not ``nesterov.learning_rate``). Every value
is traced per trial, so trials that share an optimizer share one compiled program.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import optax

from reportgen.errors import ReportgenError
from reportgen.registry import OPTIMIZERS as REGISTERED

Schedule = Callable[[object], object]


@dataclass(frozen=True)
class OptimizerDef:
    """One optimizer: its hyperparameters with defaults, and how optax builds it."""

    name: str
    defaults: Mapping[str, float]
    build: Callable[[Schedule, Mapping[str, object]], optax.GradientTransformation]
    description: str


_BUILDERS: dict[str, Callable[[Schedule, Mapping[str, object]], optax.GradientTransformation]] = {
    "sgd": lambda lr, h: optax.sgd(lr),
    "momentum": lambda lr, h: optax.sgd(lr, momentum=h["momentum"]),
    "nesterov": lambda lr, h: optax.sgd(lr, momentum=h["momentum"], nesterov=True),
    "rmsprop": lambda lr, h: optax.rmsprop(lr, decay=h["decay"], eps=h["eps"]),
    "adam": lambda lr, h: optax.adam(lr, b1=h["b1"], b2=h["b2"], eps=h["eps"]),
    "nadam": lambda lr, h: optax.nadam(lr, b1=h["b1"], b2=h["b2"], eps=h["eps"]),
    "adamw": lambda lr, h: optax.adamw(
        lr, b1=h["b1"], b2=h["b2"], eps=h["eps"], weight_decay=h["weight_decay"]
    ),
}

# Names, hyperparameters and defaults come from the JAX-free registry that `reportgen check`
# reads too; only how optax builds each optimizer lives here.
OPTIMIZERS: dict[str, OptimizerDef] = {
    name: OptimizerDef(name, dict(info.defaults), _BUILDERS[name], info.description)
    for name, info in REGISTERED.items()
}


def optimizer_def(name: str) -> OptimizerDef:
    """The registered optimizer ``name``; an unknown name fails with the known ones."""
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ReportgenError(
            f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}"
        ) from None


def namespaced_defaults(name: str) -> dict[str, float]:
    """``{"adam.learning_rate": 0.001, ...}``: the optimizer's hyperparameters as recorded."""
    return {f"{name}.{k}": v for k, v in optimizer_def(name).defaults.items()}


def build_transform(
    name: str, schedule: Schedule, hp: Mapping[str, object], off: frozenset[str] = frozenset()
) -> optax.GradientTransformation:
    """Gradient clipping (``grad_clip`` > 0), coupled weight decay, then the optimizer.

    ``hp`` holds traced scalars: the optimizer's own hyperparameters (bare names) plus
    ``grad_clip`` and ``weight_decay``. A clip of 0 means no clipping. A name in ``off``
    (``grad_clip``, ``weight_decay``) is 0 in every trial trained together and is left out.
    """
    import jax.numpy as jnp

    parts = []
    if "grad_clip" not in off:
        clip = hp["grad_clip"]
        parts.append(optax.clip_by_global_norm(jnp.where(clip > 0, clip, jnp.inf)))
    if "weight_decay" not in off:
        parts.append(optax.add_decayed_weights(hp["weight_decay"]))
    return optax.chain(*parts, optimizer_def(name).build(schedule, hp))

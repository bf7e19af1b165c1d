"""Optimizers (their hyperparameters and defaults), schedules and the training settings.

Optimizer hyperparameters are namespaced in a study: ``adam.learning_rate`` is not
``nesterov.learning_rate``. The runners build the optax transformations from these names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from reportgen.errors import ReportgenError

SCHEDULES: tuple[str, ...] = ("constant", "linear", "cosine")


@dataclass(frozen=True)
class OptimizerInfo:
    """One optimizer: its hyperparameters with their defaults, and what it is."""

    name: str
    defaults: dict[str, float]
    description: str


OPTIMIZERS: dict[str, OptimizerInfo] = {
    o.name: o
    for o in (
        OptimizerInfo("sgd", {"learning_rate": 0.1}, "plain stochastic gradient descent"),
        OptimizerInfo("momentum", {"learning_rate": 0.1, "momentum": 0.9}, "heavy-ball momentum"),
        OptimizerInfo("nesterov", {"learning_rate": 0.1, "momentum": 0.9}, "Nesterov momentum"),
        OptimizerInfo(
            "rmsprop", {"learning_rate": 0.001, "decay": 0.9, "eps": 1e-8}, "RMSProp"
        ),
        OptimizerInfo(
            "adam", {"learning_rate": 0.001, "b1": 0.9, "b2": 0.999, "eps": 1e-8}, "Adam"
        ),
        OptimizerInfo(
            "nadam",
            {"learning_rate": 0.001, "b1": 0.9, "b2": 0.999, "eps": 1e-8},
            "Adam with Nesterov momentum",
        ),
        OptimizerInfo(
            "adamw",
            {"learning_rate": 0.001, "b1": 0.9, "b2": 0.999, "eps": 1e-8, "weight_decay": 1e-4},
            "Adam with decoupled weight decay",
        ),
    )
}


def optimizer_info(name: str) -> OptimizerInfo:
    """The registered optimizer ``name``; an unknown name fails with the known ones."""
    try:
        return OPTIMIZERS[name]
    except KeyError:
        raise ReportgenError(
            f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}"
        ) from None


class TrainingSettings(BaseModel):
    """The training recipe every workload understands (not the model's own settings)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    optimizer: str = Field("adam", description="one of the registered optimizers")
    batch_size: int = Field(128, gt=0, description="examples per training step")
    schedule: Literal["constant", "linear", "cosine"] = Field(
        "constant", description="learning-rate decay after the warmup"
    )
    warmup_steps: int = Field(0, ge=0, description="linear warmup steps")
    weight_decay: float = Field(0.0, ge=0, description="coupled L2 weight decay")
    grad_clip: float = Field(0.0, ge=0, description="global-norm gradient clipping (0: none)")
    label_smoothing: float = Field(0.0, ge=0, lt=1, description="label smoothing of the loss")
    dropout: float = Field(0.0, ge=0, lt=1, description="dropout rate where the model has it")
    eval_batch_size: int = Field(1000, gt=0, description="examples per evaluation chunk")

    @field_validator("optimizer")
    @classmethod
    def _known_optimizer(cls, v: str) -> str:
        if v not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {v!r}; known: {', '.join(OPTIMIZERS)}")
        return v


TRAINING_DEFAULTS: dict[str, bool | int | float | str] = TrainingSettings().model_dump()

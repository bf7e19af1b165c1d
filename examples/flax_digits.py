"""A user's own Flax model as a workload plugin: a residual MLP with LayerNorm on sklearn's digits.

A study names it by import path::

    workload:
      entry: examples.flax_digits:make_workload
      settings: {features: 32, blocks: 2}

``reportgen run`` imports this module, calls `make_workload`, validates the study's settings
with `Settings`, and trains the trials vectorised like any built-in workload. Nothing here
imports JAX or Flax at module level, so ``reportgen check`` can read `Settings` without them.
"""

from __future__ import annotations

import hashlib

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from runners.workloads import Dataset, Workload
from runners.workloads.base import dropout, fixed_split, sample_rows


class Settings(BaseModel):
    """The model's own settings (the training recipe — optimizer, batch size, schedule,
    dropout — comes from the logbook's training settings)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    features: int = Field(32, gt=0, le=1024, description="width of the residual blocks")
    blocks: int = Field(2, ge=1, le=8, description="residual blocks")
    split_seed: int = Field(0, ge=0, description="seed of the fixed train/valid/test split")


def load(cfg) -> Dataset:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    y = y.astype(np.int32)
    tr, va, te = fixed_split(len(x), 300, 300, int(cfg["split_seed"]))
    info = {
        "dataset": "sklearn digits (load_digits)",
        "model": "examples.flax_digits residual MLP (Flax)",
        "split_seed": int(cfg["split_seed"]),
        "n_train": len(tr),
        "sha256": hashlib.sha256(x.tobytes() + y.tobytes()).hexdigest()[:16],
    }
    return Dataset(x[tr], y[tr], x[va], y[va], x[te], y[te], info)


def _module(cfg):
    import flax.linen as nn

    features, blocks = int(cfg["features"]), int(cfg["blocks"])

    class ResidualMLP(nn.Module):
        @nn.compact
        def __call__(self, x, rate, key, train: bool):
            import jax

            keys = jax.random.split(key, blocks)
            h = nn.Dense(features)(x)
            for i in range(blocks):
                r = nn.gelu(nn.Dense(features)(nn.LayerNorm()(h)))
                h = h + dropout(r, rate, keys[i], train)  # the rate is traced per trial
            return nn.Dense(10)(nn.LayerNorm()(h))

    return ResidualMLP()


def init(key, cfg):
    import jax
    import jax.numpy as jnp

    x = jnp.zeros((1, 64), jnp.float32)
    return _module(cfg).init(key, x, 0.0, jax.random.PRNGKey(0), False)


def apply(params, x, cfg, rate, key, train: bool):
    return _module(cfg).apply(params, x, rate, key, train)


def activation_floats(cfg, batch: int) -> int:
    return batch * (64 + int(cfg["blocks"]) * int(cfg["features"]) * 4 + 10)


def make_workload() -> Workload:
    return Workload(
        name="flax_digits",
        description="residual MLP (Flax) on sklearn's digits, a plugin from examples/",
        settings_model=Settings,
        shape_settings=("features", "blocks"),
        num_classes=10,
        load=load,
        init=init,
        apply=apply,
        sample_batch=sample_rows,
        activation_floats=activation_floats,
    )

"""``digits_mlp``: an MLP on sklearn's 8x8 digits (1797 images). Trains in CPU seconds.

Split: 1197 train / 300 validation / 300 test, fixed by ``split_seed`` (default 0).
Settings: ``depth`` hidden layers of ``width`` units with ``activation``; ``dropout`` after each.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from runners.workloads.base import (
    Dataset,
    Workload,
    activation,
    dense_init,
    dropout,
    fixed_split,
    sample_rows,
)


def load(cfg) -> Dataset:
    import numpy as np
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    y = y.astype(np.int32)
    seed = int(cfg.get("split_seed", 0))
    tr, va, te = fixed_split(len(x), 300, 300, seed)
    info = {
        "dataset": "sklearn digits (load_digits)",
        "split_seed": seed,
        "n_train": len(tr),
        "n_valid": len(va),
        "n_test": len(te),
        "sha256": hashlib.sha256(x.tobytes() + y.tobytes()).hexdigest()[:16],
    }
    return Dataset(x[tr], y[tr], x[va], y[va], x[te], y[te], info)


def init(key, cfg):
    import jax

    depth, width = int(cfg["depth"]), int(cfg["width"])
    sizes = [64] + [width] * depth + [10]
    keys = jax.random.split(key, len(sizes) - 1)
    return [dense_init(k, a, b) for k, a, b in zip(keys, sizes[:-1], sizes[1:], strict=True)]


def apply(params, x, cfg, rate, key, train: bool):
    import jax

    act = activation(str(cfg["activation"]))
    keys = jax.random.split(key, max(len(params) - 1, 1))
    h = x
    for i, layer in enumerate(params[:-1]):
        h = dropout(act(h @ layer["w"] + layer["b"]), rate, keys[i], train)
    return h @ params[-1]["w"] + params[-1]["b"]


def activation_floats(cfg, batch: int) -> int:
    return batch * (64 + int(cfg["depth"]) * int(cfg["width"]) * 3 + 10)


def flops_per_example(cfg) -> float:
    d, w = int(cfg["depth"]), int(cfg["width"])
    macs = 64 * w + (d - 1) * w * w + w * 10 if d > 0 else 640
    return 6.0 * macs  # forward + backward


class Settings(BaseModel):
    """Settings of ``digits_mlp``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    depth: int = Field(2, ge=0, le=16, description="hidden layers")
    width: int = Field(64, gt=0, description="units per hidden layer")
    activation: Literal["relu", "gelu", "tanh", "silu"] = Field("relu", description="nonlinearity")
    split_seed: int = Field(0, ge=0, description="seed of the fixed train/valid/test split")


WORKLOAD = Workload(
    name="digits_mlp",
    description="MLP on sklearn's 8x8 digits (1197/300/300 split)",
    settings_model=Settings,
    shape_settings=("depth", "width", "activation"),
    num_classes=10,
    load=load,
    init=init,
    apply=apply,
    sample_batch=sample_rows,
    activation_floats=activation_floats,
    flops_per_example=flops_per_example,
)


def make_workload() -> Workload:
    """The plugin entry (``reportgen.registry.BUILTIN_WORKLOADS`` names it)."""
    return WORKLOAD

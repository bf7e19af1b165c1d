"""``fashion_cnn``: a small CNN on Fashion-MNIST (Debian ``dataset-fashion-mnist``).

Split: 50000 train / 10000 validation (from the official training set, fixed by ``split_seed``)
and the official 10000 test images. Settings: ``channels1``, ``channels2`` (two 3x3 conv layers,
each followed by 2x2 max pooling), a ``hidden`` dense layer with ``dropout``, and ``activation``.
"""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from runners.datasets import FASHION_FILES, require, sha256_of
from runners.workloads.base import (
    Dataset,
    Workload,
    activation,
    dense_init,
    dropout,
    fixed_split,
    sample_rows,
)

if TYPE_CHECKING:
    import numpy as np

MEAN, STD = 0.2860, 0.3530


def _idx(path, offset: int) -> np.ndarray:
    import numpy as np

    with gzip.open(path, "rb") as fh:
        return np.frombuffer(fh.read(), np.uint8, offset=offset)


def load(cfg) -> Dataset:
    import numpy as np

    tr_x, tr_y, te_x, te_y = require(FASHION_FILES, "fashion-mnist")
    x = _idx(tr_x, 16).reshape(-1, 28, 28, 1)
    y = _idx(tr_y, 8).astype(np.int32)
    xt = _idx(te_x, 16).reshape(-1, 28, 28, 1)
    yt = _idx(te_y, 8).astype(np.int32)

    def norm(a):
        return ((a.astype(np.float32) / 255.0) - MEAN) / STD

    seed = int(cfg.get("split_seed", 0))
    tr, va, _ = fixed_split(len(x), 10000, 0, seed)
    info = {
        "dataset": "Fashion-MNIST (Debian dataset-fashion-mnist)",
        "split_seed": seed,
        "n_train": len(tr),
        "n_valid": len(va),
        "n_test": len(xt),
        "sha256": sha256_of(tr_x)[:16],
    }
    return Dataset(norm(x[tr]), y[tr], norm(x[va]), y[va], norm(xt), yt, info)


def _conv_init(key, c_in: int, c_out: int):
    import jax
    import jax.numpy as jnp

    w = jax.random.normal(key, (3, 3, c_in, c_out), jnp.float32) * jnp.sqrt(2.0 / (9 * c_in))
    return {"w": w, "b": jnp.zeros((c_out,), jnp.float32)}


def init(key, cfg):
    import jax

    c1, c2, hidden = int(cfg["channels1"]), int(cfg["channels2"]), int(cfg["hidden"])
    k = jax.random.split(key, 4)
    return {
        "conv1": _conv_init(k[0], 1, c1),
        "conv2": _conv_init(k[1], c1, c2),
        "dense": dense_init(k[2], 7 * 7 * c2, hidden),
        "out": dense_init(k[3], hidden, 10),
    }


def _conv(x, layer):
    """3x3 'SAME' convolution written as nine shifted matrix products.

    Under ``vmap`` over trials, a native convolution with per-trial kernels becomes a grouped
    convolution, which XLA runs very slowly on CPU. Shifted slices and batched matmuls keep
    every trial's work (and its gradient) plain matrix products on any device.
    """
    import jax.numpy as jnp

    b, h, w, _ = x.shape
    xp = jnp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    out = layer["b"]
    for dy in range(3):
        for dx in range(3):
            out = out + xp[:, dy : dy + h, dx : dx + w, :] @ layer["w"][dy, dx]
    return out


def _pool(x):
    """2x2 max pooling by reshaping (cheaper to differentiate than reduce_window on CPU)."""
    b, h, w, c = x.shape
    return x.reshape(b, h // 2, 2, w // 2, 2, c).max(axis=(2, 4))


def apply(params, x, cfg, rate, key, train: bool):
    act = activation(str(cfg["activation"]))
    h = _pool(act(_conv(x, params["conv1"])))
    h = _pool(act(_conv(h, params["conv2"])))
    h = h.reshape(h.shape[0], -1)
    h = dropout(act(h @ params["dense"]["w"] + params["dense"]["b"]), rate, key, train)
    return h @ params["out"]["w"] + params["out"]["b"]


def activation_floats(cfg, batch: int) -> int:
    c1, c2, hidden = int(cfg["channels1"]), int(cfg["channels2"]), int(cfg["hidden"])
    return batch * (784 + 784 * c1 * 2 + 196 * c1 + 196 * c2 * 2 + 49 * c2 + hidden * 2 + 10)


def flops_per_example(cfg) -> float:
    c1, c2, hidden = int(cfg["channels1"]), int(cfg["channels2"]), int(cfg["hidden"])
    macs = 784 * 9 * c1 + 196 * 9 * c1 * c2 + 49 * c2 * hidden + hidden * 10
    return 6.0 * macs  # forward (2 per MAC) + backward (4 per MAC)


class Settings(BaseModel):
    """Settings of ``fashion_cnn``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channels1: int = Field(32, gt=0, description="channels of the first 3x3 convolution")
    channels2: int = Field(64, gt=0, description="channels of the second 3x3 convolution")
    hidden: int = Field(128, gt=0, description="units of the dense layer")
    activation: Literal["relu", "gelu", "tanh", "silu"] = Field("relu", description="nonlinearity")
    split_seed: int = Field(0, ge=0, description="seed of the fixed train/valid split")


WORKLOAD = Workload(
    name="fashion_cnn",
    description="two-conv CNN on Fashion-MNIST (50000/10000 split + official 10000 test)",
    settings_model=Settings,
    shape_settings=("channels1", "channels2", "hidden", "activation"),
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

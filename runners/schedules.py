"""Learning-rate schedules: constant, linear decay and cosine decay, each after a linear warmup.

The schedule is chosen per trial by an index that is traced inside the compiled program, so
trials with different schedules still share one vectorised group.
"""

from __future__ import annotations

import jax.numpy as jnp

from reportgen.errors import ReportgenError
from reportgen.registry import SCHEDULES


def schedule_index(name: str) -> int:
    """The traced index of a schedule name; an unknown name fails with the known ones."""
    try:
        return SCHEDULES.index(name)
    except ValueError:
        raise ReportgenError(f"unknown schedule {name!r}; known: {', '.join(SCHEDULES)}") from None


def learning_rate(step, peak, warmup_steps, kind, total_steps: int):
    """Learning rate at ``step`` (0-based): linear warmup to ``peak``, then the chosen decay.

    ``kind`` is an index into `SCHEDULES`; linear and cosine decay reach zero at ``total_steps``.
    """
    step = jnp.asarray(step, jnp.float32)
    warmup = jnp.maximum(jnp.asarray(warmup_steps, jnp.float32), 0.0)
    warm = jnp.where(warmup > 0, jnp.minimum(1.0, (step + 1.0) / jnp.maximum(warmup, 1.0)), 1.0)
    span = jnp.maximum(total_steps - warmup, 1.0)
    frac = jnp.clip((step - warmup) / span, 0.0, 1.0)
    linear = 1.0 - frac
    cosine = 0.5 * (1.0 + jnp.cos(jnp.pi * frac))
    decay = jnp.where(kind == 1, linear, jnp.where(kind == 2, cosine, 1.0))
    return peak * warm * decay

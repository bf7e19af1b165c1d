"""How many trials a vectorised group holds, and on which devices: the memory one trial needs,
the budget of the device, the padding of a group to a shared compiled size, and the mesh that
shards a group's trial axis over every local device."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh

GroupPlan = Any  # runners.vectorised.GroupPlan (not imported: vectorised imports this module)


def _device_label() -> str:
    d = jax.devices()[0]
    kind = getattr(d, "device_kind", "") or ""
    return f"{d.platform}:{kind}" if d.platform != "cpu" else f"cpu ({os.cpu_count()} cores)"


def device_label() -> str:
    """The device trials run on, as recorded (``gpu:NVIDIA H100 ...`` or ``cpu (N cores)``)."""
    return _device_label()


def per_trial_bytes(plan: GroupPlan, hp_example: Mapping[str, float], init: Callable) -> int:
    """An estimate of one trial's device memory: parameters, their copies, and activations
    (``init(hp, seeds)`` is the group program's initial state, only traced for its shapes)."""
    hp = {k: jnp.asarray(v, jnp.float32) for k, v in hp_example.items()}
    shapes = jax.eval_shape(init, hp, jnp.zeros(3, jnp.uint32))
    state_bytes = sum(int(np.prod(s.shape)) * s.dtype.itemsize for s in jax.tree.leaves(shapes))
    n_params = sum(int(np.prod(s.shape)) for s in jax.tree.leaves(shapes["params"]))
    batch = int(plan.cfg["batch_size"])
    evalb = int(plan.cfg["eval_batch_size"])
    acts = plan.workload.activation_floats(plan.cfg, batch) * 4 * 3
    eval_acts = plan.workload.activation_floats(plan.cfg, evalb) * 4
    return state_bytes + 2 * n_params * 4 + max(acts, eval_acts)


def memory_budget_bytes() -> int:
    """Bytes a group may use: 70 % of the accelerator's memory, or 25 % of the host's RAM."""
    d = jax.devices()[0]
    stats = None
    try:
        stats = d.memory_stats()
    except Exception:  # noqa: BLE001 - some backends do not report memory
        stats = None
    if stats and stats.get("bytes_limit"):
        return int(stats["bytes_limit"] * 0.7)
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        ram = 8 << 30
    return int(ram * 0.25)


def trial_mesh() -> Mesh | None:
    """A one-axis mesh (``trials``) over every local device, or None with a single device."""
    devices = jax.local_devices()
    if len(devices) < 2:
        return None
    return Mesh(np.asarray(devices), ("trials",))


BUCKETS_ENV = "REPORTGEN_GROUP_BUCKETS"


def group_bucket(n: int, cap: int) -> int:
    """The size a vectorised group of ``n`` trials is padded to: the next power of two, when it
    fits ``cap`` (the group size limit) and ``$REPORTGEN_GROUP_BUCKETS`` is not ``off``. Groups of
    3, 4 trials (a retrain, a small search) then share one compiled program, which the persistent
    compilation cache keeps across processes."""
    if os.environ.get(BUCKETS_ENV, "").strip().lower() in ("off", "0", "false", "no"):
        return n
    bucket = 1 << max(0, n - 1).bit_length()
    return bucket if bucket <= cap else n


def device_count() -> int:
    return len(jax.local_devices())


def max_group_size(
    plan: GroupPlan, hp_example: Mapping[str, float], cap: int, init: Callable
) -> int:
    """The largest group that fits the memory of every local device, at most ``cap`` trials per
    device (so the group size grows with the device count)."""
    n_dev = device_count()
    per_device = memory_budget_bytes() // max(per_trial_bytes(plan, hp_example, init), 1)
    return max(1, min(cap, per_device) * n_dev)

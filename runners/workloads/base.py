"""The workload contract: a dataset with fixed splits, a model family, and its settings.

A workload is a plugin: a module (the built-in ones included) exposes a factory
``make_workload() -> Workload`` that a study names by import path
(``workload: {entry: "mypkg.models:make_workload"}``) or by a name registered in the
``tuning_logbook.workloads`` entry-point group. The module must not import JAX at module level
(``reportgen check`` imports it to read ``settings_model``); import JAX inside the functions,
and NumPy too where it is cheap to (the built-in workloads do, so ``check`` stays quick).

A workload's settings (``batch_size``, ``width``, ...) come from the study's
``workload.settings``; a search-space hyperparameter with the same name overrides a setting
per trial. Settings listed in ``shape_settings`` change array shapes, so trials that differ
in them are trained in different groups.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel

from reportgen.registry import TRAINING_DEFAULTS
from reportgen.schema import Scalar

if TYPE_CHECKING:  # numpy is imported where arrays are made: `reportgen check` needs none
    import numpy as np


@dataclass(frozen=True)
class Dataset:
    """Arrays of the fixed train / validation / test splits, and how they were made.

    ``x_train``/``y_train`` are what `Workload.sample_batch` draws from; the validation and test
    arrays are evaluated whole (in chunks) at every eval.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_valid: np.ndarray
    y_valid: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    info: dict[str, Scalar]


@dataclass(frozen=True)
class Workload:
    """A workload plugin. ``cfg`` passed to the functions holds the resolved settings.

    - ``settings_model``: a pydantic model (``extra="forbid"``) of the workload's own settings
      with their defaults; a study's ``workload.settings`` is validated by it (the training
      settings such as ``batch_size`` and ``optimizer`` are the registry's ``TrainingSettings``);
    - ``shape_settings``: the settings that change array shapes (trials that differ in them
      train in different groups);
    - ``load(cfg) -> Dataset``; ``init(key, cfg) -> params`` (any pytree);
      ``apply(params, x, cfg, dropout_rate, key, train) -> logits``;
      ``sample_batch(key, x_train, y_train, batch_size, cfg) -> (x, y)`` inside jit;
    - ``activation_floats(cfg, batch)``: floats of activations per forward pass (memory bound
      on the group size); ``flops_per_example(cfg)`` optional.

    The loss is softmax cross-entropy of the logits over ``num_classes`` (with label smoothing),
    the metrics are loss and error rate on the validation and test splits.
    """

    name: str
    description: str
    settings_model: type[BaseModel]
    shape_settings: tuple[str, ...]
    num_classes: int
    load: Callable[[Mapping[str, Scalar]], Dataset]
    init: Callable  # (key, cfg) -> params
    apply: Callable  # (params, x, cfg, dropout_rate, key, train: bool) -> logits
    sample_batch: Callable  # (key, x_train, y_train, batch_size, cfg) -> (x, y)
    activation_floats: Callable[[Mapping[str, Scalar], int], int]  # per batch, forward pass
    flops_per_example: Callable[[Mapping[str, Scalar]], float] = lambda cfg: 0.0
    divergence_loss: float = 50.0
    extra: dict[str, Scalar] = field(default_factory=dict)

    @property
    def settings(self) -> dict[str, Scalar]:
        """The workload's own settings with their defaults."""
        return self.settings_model().model_dump()

    def all_settings(self) -> dict[str, Scalar]:
        return {**TRAINING_DEFAULTS, **self.settings}


def sample_rows(key, x_train, y_train, batch_size: int, cfg):
    """A batch of rows drawn uniformly (with replacement) inside the compiled program."""
    import jax

    idx = jax.random.randint(key, (batch_size,), 0, x_train.shape[0])
    return x_train[idx], y_train[idx]


def fixed_split(n: int, n_valid: int, n_test: int, seed: int) -> tuple[np.ndarray, ...]:
    """Indices of a fixed random split (train, valid, test) made from a recorded seed."""
    import numpy as np

    order = np.random.default_rng(seed).permutation(n)
    return order[n_valid + n_test :], order[:n_valid], order[n_valid : n_valid + n_test]


def dense_init(key, n_in: int, n_out: int):
    """He-normal weights and zero bias of one dense layer."""
    import jax
    import jax.numpy as jnp

    w = jax.random.normal(key, (n_in, n_out), jnp.float32) * jnp.sqrt(2.0 / n_in)
    return {"w": w, "b": jnp.zeros((n_out,), jnp.float32)}


ACTIVATIONS = ("relu", "gelu", "tanh", "silu")


def activation(name: str):
    import jax

    table = {"relu": jax.nn.relu, "gelu": jax.nn.gelu, "tanh": jax.numpy.tanh, "silu": jax.nn.silu}
    if name not in table:
        from reportgen.errors import ReportgenError

        raise ReportgenError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}")
    return table[name]


def dropout(x, rate, key, train: bool):
    """Inverted dropout with a traced rate (0 keeps everything).

    A rate of plain 0 (the runner's when no trial of the group drops out) draws no mask."""
    import jax
    import jax.numpy as jnp

    if not train or (isinstance(rate, int | float) and rate == 0):
        return x
    keep = 1.0 - rate
    mask = jax.random.bernoulli(key, keep, x.shape)
    return jnp.where(mask, x / jnp.maximum(keep, 1e-6), 0.0)

"""Shared pieces of the record schema: the base model, safe ids, scalar values."""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

SCHEMA_VERSION = 1

# One path component: starts with a letter or digit, then letters, digits, '.', '_' or '-'.
# This rejects '', '.', '..', '../x', 'a/b', 'a\\b', absolute paths and hidden names.
SAFE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
SafeId = Annotated[str, StringConstraints(pattern=SAFE_ID_PATTERN)]

# Hyperparameter names: identifiers, optionally namespaced with dots (``adam.learning_rate``).
HPARAM_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$"
HparamName = Annotated[str, StringConstraints(pattern=HPARAM_NAME_PATTERN, max_length=128)]

# A hyperparameter value. bool before int: pydantic would otherwise turn True into 1.
Scalar = bool | int | float | str


class Model(BaseModel):
    """Base of every schema model: frozen, no unknown fields, NaN/inf kept as JSON strings.

    pydantic writes non-finite floats as ``null`` by default and then refuses to read them
    back; ``ser_json_inf_nan="strings"`` writes ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``,
    which are valid JSON and validate back into the same floats.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        ser_json_inf_nan="strings",
        validate_default=True,
        defer_build=True,
    )


def is_finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)

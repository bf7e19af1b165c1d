"""The workload registry: an unknown name fails with the known names."""

from __future__ import annotations

import importlib

from reportgen.errors import ReportgenError
from runners.workloads.base import TRAINING_DEFAULTS, Dataset, Workload

_MODULES = {
    "digits_mlp": "runners.workloads.digits_mlp",
    "fashion_cnn": "runners.workloads.fashion_cnn",
    "shakespeare_lm": "runners.workloads.shakespeare_lm",
}
WORKLOAD_NAMES = tuple(_MODULES)


def get_workload(name: str) -> Workload:
    """The registered workload ``name``."""
    if name not in _MODULES:
        raise ReportgenError(f"unknown workload {name!r}; known: {', '.join(WORKLOAD_NAMES)}")
    return importlib.import_module(_MODULES[name]).WORKLOAD


__all__ = ["TRAINING_DEFAULTS", "WORKLOAD_NAMES", "Dataset", "Workload", "get_workload"]

"""Workloads are plugins: every one, built-in or a user's, is loaded through the same path
(`reportgen.registry.load_plugin`); an unknown name fails with the known names."""

from __future__ import annotations

from reportgen.errors import ReportgenError
from reportgen.registry import BUILTIN_WORKLOADS, TRAINING_DEFAULTS, load_plugin
from reportgen.registry.trust import PluginPolicy
from runners.workloads.base import Dataset, Workload

WORKLOAD_NAMES = tuple(BUILTIN_WORKLOADS)


def load_workload(
    name: str | None = None, entry: str | None = None, policy: PluginPolicy | None = None
) -> Workload:
    """The workload named ``name`` (built in or an entry point) or found at import path ``entry``
    (imported only when the repository's ``policy`` allows it: `reportgen.registry.trust`)."""
    plugin = load_plugin(name, entry, policy)
    if getattr(plugin, "open_names", False):
        raise ReportgenError(
            f"workload {plugin.name!r} is trained by your own loop, not by `reportgen run`: "
            "take points with `reportgen suggest` and write trials with `reportgen.logger`"
        )
    if not isinstance(plugin, Workload):
        raise ReportgenError(
            f"workload {name or entry!r}: got {type(plugin).__name__}; a workload plugin returns "
            "runners.workloads.Workload"
        )
    return plugin


def get_workload(name: str) -> Workload:
    """The registered workload ``name``."""
    return load_workload(name=name)


__all__ = [
    "TRAINING_DEFAULTS",
    "WORKLOAD_NAMES",
    "Dataset",
    "Workload",
    "get_workload",
    "load_workload",
]

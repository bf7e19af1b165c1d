"""Where workloads come from: a name (built in, or registered by an installed package through
the ``tuning_logbook.workloads`` entry-point group) or an import path ``package.module:attr``.

Every workload, built-in or not, is reached the same way: its entry is imported and, if it is a
factory, called with no arguments. What comes back implements the workload contract of
`runners.workloads.Workload`; the JAX-free parts that `reportgen check` reads are in
`WorkloadMeta`. Importing a workload module must not import JAX at module level.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from reportgen.errors import ReportgenError
from reportgen.registry.hyperparameters import OPTIMIZERS, TrainingSettings
from reportgen.registry.trust import PluginNotAllowed, PluginPolicy, prepare_import

ENTRY_POINT_GROUP = "tuning_logbook.workloads"
ENTRY_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
_ENTRY = re.compile(ENTRY_PATTERN)

# The built-in workloads are ordinary plugins, named here instead of by an installed package.
BUILTIN_WORKLOADS: dict[str, str] = {
    "digits_mlp": "runners.workloads.digits_mlp:make_workload",
    "fashion_cnn": "runners.workloads.fashion_cnn:make_workload",
    "shakespeare_lm": "runners.workloads.shakespeare_lm:make_workload",
    "external": "reportgen.registry.external:make_workload",
}


class WorkloadMeta(Protocol):
    """What `reportgen check` needs of a workload (the rest of the contract is the runners')."""

    name: str
    description: str
    settings_model: type[BaseModel]
    shape_settings: tuple[str, ...]


def _entry_points() -> dict[str, str]:
    try:
        eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    except Exception:  # a broken installed distribution must not break `check`
        return {}
    return {ep.name: ep.value for ep in eps}


def known_workload_names() -> list[str]:
    return sorted({*BUILTIN_WORKLOADS, *_entry_points()})


def resolve_entry(name: str | None = None, entry: str | None = None) -> str:
    """The import path ``module:attr`` of a workload named by ``name`` or given as ``entry``."""
    if entry is not None:
        if not _ENTRY.match(entry):
            raise ReportgenError(
                f"workload entry {entry!r} is not an import path 'package.module:attribute'"
            )
        return entry
    if name in BUILTIN_WORKLOADS:
        return BUILTIN_WORKLOADS[name]
    registered = _entry_points()
    if name in registered:
        return registered[name]
    raise ReportgenError(
        f"unknown workload {name!r}; known: {', '.join(known_workload_names())} "
        f"(or give 'entry: package.module:make_workload')"
    )


def load_plugin(
    name: str | None = None, entry: str | None = None, policy: PluginPolicy | None = None
) -> Any:
    """Import a workload's entry; call it when it is a factory. Errors name what went wrong.

    A workload by ``name`` (built in or installed) is always imported; one by ``entry`` only when
    ``policy`` (the repository's allow-list, `reportgen.registry.trust`) allows it: otherwise
    `PluginNotAllowed`, and nothing was imported."""
    target = resolve_entry(name, entry)
    if entry is not None:
        policy = policy or PluginPolicy()
        if not policy.allows(target):
            raise PluginNotAllowed(policy.refusal(target))
        prepare_import(policy, target)
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        raise ReportgenError(
            f"workload {name or target!r}: cannot import {module_name!r} ({e.name} is not installed "
            "or not on the Python path)"
        ) from None
    obj = getattr(module, attr, None)
    if obj is None:
        raise ReportgenError(f"workload {name or target!r}: {module_name} has no {attr!r}")
    plugin = obj() if callable(obj) and not hasattr(obj, "settings_model") else obj
    missing = [
        a for a in ("name", "settings_model", "shape_settings") if not hasattr(plugin, a)
    ]
    if missing:
        raise ReportgenError(
            f"workload {name or target!r}: {target} returned {type(plugin).__name__}, not a "
            f"workload (missing {', '.join(missing)}); return runners.workloads.Workload"
        )
    return plugin


def settings_problems(plugin: WorkloadMeta, settings: dict[str, Any]) -> list[tuple[str, str]]:
    """``(field, message)`` for each setting the workload's own model (or the training
    settings) rejects. Fields are relative to ``workload.settings``."""
    training = set(TrainingSettings.model_fields)
    own = {k: v for k, v in settings.items() if k not in training}
    common = {k: v for k, v in settings.items() if k in training}
    out: list[tuple[str, str]] = []
    known = sorted({*training, *plugin.settings_model.model_fields})
    for model, values in ((TrainingSettings, common), (plugin.settings_model, own)):
        try:
            model.model_validate(values)
        except ValidationError as e:
            for err in e.errors(include_url=False):
                loc = ".".join(str(x) for x in err.get("loc", ())) or "(settings)"
                if err.get("type") == "extra_forbidden":
                    msg = f"{plugin.name} has no setting {loc!r}; known: {', '.join(known)}"
                else:
                    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
                out.append((loc, msg))
    return out


def setting_names(plugin: WorkloadMeta) -> set[str]:
    return {*TrainingSettings.model_fields, *plugin.settings_model.model_fields}


def classify(name: str, settings: set[str] | dict[str, Any]) -> tuple[str, str | None]:
    """Whether a search-space name is a ``setting`` or an ``optimizer`` hyperparameter
    (``<optimizer>.<name>``); the second item is why it is neither (``None`` if it is one)."""
    if name in settings:
        return "setting", None
    prefix, _, rest = name.partition(".")
    if rest and prefix in OPTIMIZERS:
        if rest not in OPTIMIZERS[prefix].defaults:
            return "optimizer", (
                f"{prefix} has no hyperparameter {rest!r}; "
                f"known: {', '.join(OPTIMIZERS[prefix].defaults)}"
            )
        return "optimizer", None
    return "unknown", (
        f"not a workload setting ({', '.join(sorted(settings))}) nor an optimizer "
        f"hyperparameter '<optimizer>.<name>' (optimizers: {', '.join(OPTIMIZERS)})"
    )

"""What `reportgen run` would reject in a spec, found without JAX: an unknown workload or
optimizer, a setting the workload's settings model refuses, a searched name that is neither a
setting nor an optimizer hyperparameter, and (a warning) a tuned optimizer hyperparameter that
can never be active because the study never uses that optimizer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from reportgen.errors import Problem, ReportgenError
from reportgen.registry.hyperparameters import OPTIMIZERS, TRAINING_DEFAULTS, TrainingSettings
from reportgen.registry.trust import PluginNotAllowed, PluginPolicy
from reportgen.registry.workloads import (
    classify,
    load_plugin,
    resolve_entry,
    setting_names,
    settings_problems,
)
from reportgen.schema import Role, Scale, StudySpec

Locate = Callable[[tuple[int | str, ...]], int | None]


def _plugin(
    spec: StudySpec, shown: str, line: Locate, policy: PluginPolicy
) -> tuple[Any, list[Problem], list[Problem]]:
    """The spec's workload plugin, or the error (unknown name) / warning (a dependency of the
    plugin is not installed here, or the repository does not allow importing it, so its
    settings cannot be checked)."""
    w = spec.workload
    field = "workload.name" if w.name is not None else "workload.entry"
    loc = ("workload", "name" if w.name is not None else "entry")
    try:
        target = resolve_entry(w.name, w.entry)
    except ReportgenError as e:
        return None, [Problem(shown, line(loc), field, str(e))], []
    module = target.partition(":")[0]
    try:
        return load_plugin(w.name, w.entry, policy), [], []
    except PluginNotAllowed as e:
        return None, [], [Problem(shown, line(loc), field, f"warning: not checked: {e}")]
    except ReportgenError as e:
        cause = e.__context__ or e.__cause__
        missing = getattr(cause, "name", None)
        own = missing is not None and (module == missing or module.startswith(missing + "."))
        if isinstance(cause, ModuleNotFoundError) and not own:
            msg = f"warning: not checked: {e} (install it to check the workload's settings)"
            return None, [], [Problem(shown, line(loc), field, msg)]
        return None, [Problem(shown, line(loc), field, str(e))], []
    except Exception as e:  # user code raised while importing: report it, never a traceback
        msg = f"importing {target} raised {type(e).__name__}: {e}"
        return None, [Problem(shown, line(loc), field, msg)], []


def _values(hp) -> list[Any]:  # type: ignore[no-untyped-def]
    if hp.role is Role.FIXED:
        return [hp.value]
    if hp.scale in (Scale.LINEAR, Scale.LOG):
        return [hp.low, hp.high]
    return list(hp.values or [])


def _value_problem(model: type[BaseModel], name: str, value: Any, base: dict) -> str | None:
    """Why ``model`` refuses ``value`` for the field ``name`` (other fields as in ``base``)."""
    try:
        model.model_validate({**base, name: value})
    except ValidationError as e:
        for err in e.errors(include_url=False):
            if tuple(err.get("loc", ())) == (name,):
                return f"{value!r}: " + str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return None


def spec_findings(
    spec: StudySpec, shown: str, line: Locate, policy: PluginPolicy
) -> tuple[list[Problem], list[Problem]]:
    """``(errors, warnings)`` of one valid spec against the registries and its workload (a
    workload by import path is imported only when ``policy`` allows it)."""
    plugin, errors, warnings = _plugin(spec, shown, line, policy)
    if plugin is not None and not getattr(plugin, "open_names", False):
        for field, message in settings_problems(plugin, dict(spec.workload.settings)):
            errors.append(
                Problem(
                    shown, line(("workload", "settings", field)), f"workload.settings.{field}", message
                )
            )
        names = setting_names(plugin)
    else:
        names = set(TrainingSettings.model_fields)
    open_names = bool(getattr(plugin, "open_names", False))
    for i, hp in enumerate(spec.search_space):
        if open_names:
            continue  # an external loop's own hyperparameters
        kind, why = classify(hp.name, names)
        field = f"search_space.{hp.name}"
        if why is not None and (plugin is not None or kind == "optimizer"):
            errors.append(Problem(shown, line(("search_space", i, "name")), field, why))
            continue
        if kind != "setting":
            continue
        model = (
            TrainingSettings
            if hp.name in TrainingSettings.model_fields
            else (plugin.settings_model if plugin is not None else None)
        )
        if model is None:
            continue
        for v in _values(hp):
            base = {k: x for k, x in spec.workload.settings.items() if k in model.model_fields}
            message = _value_problem(model, hp.name, v, base)
            if message is not None:
                key = "value" if hp.role is Role.FIXED else "values" if hp.values else "low"
                errors.append(Problem(shown, line(("search_space", i, key)), field, message))
    if not open_names:
        warnings += _inactive(spec, shown, line)
    return errors, warnings


def _optimizers_used(spec: StudySpec) -> set[str]:
    """The optimizers trials of this spec can train with."""
    for hp in spec.search_space:
        if hp.name == "optimizer":
            return {str(v) for v in _values(hp)}
    return {str(spec.workload.settings.get("optimizer", TRAINING_DEFAULTS["optimizer"]))}


def _inactive(spec: StudySpec, shown: str, line: Locate) -> list[Problem]:
    used = _optimizers_used(spec)
    out: list[Problem] = []
    if not used <= set(OPTIMIZERS):
        return out  # an unknown optimizer is already an error
    for i, hp in enumerate(spec.search_space):
        prefix, _, rest = hp.name.partition(".")
        if not rest or prefix not in OPTIMIZERS or prefix in used:
            continue
        what = "tuned" if hp.varied else "fixed"
        out.append(
            Problem(
                shown,
                line(("search_space", i, "name")),
                f"search_space.{hp.name}",
                f"warning: {what} but never active: study {spec.study_id!r} trains with "
                f"optimizer {', '.join(sorted(used))}, never {prefix}",
            )
        )
    return out

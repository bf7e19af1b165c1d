"""JAX-free metadata of everything a study can name: workloads, optimizers, schedules and the
training settings every workload understands.

`reportgen check` and the runners read the same tables, so a name `check` accepts is a name
`run` can train, and a name `check` rejects fails `run` the same way (with the known names).
"""

from reportgen.registry.hyperparameters import (
    OPTIMIZERS,
    SCHEDULES,
    TRAINING_DEFAULTS,
    OptimizerInfo,
    TrainingSettings,
    optimizer_info,
)
from reportgen.registry.workloads import (
    BUILTIN_WORKLOADS,
    ENTRY_POINT_GROUP,
    WorkloadMeta,
    classify,
    known_workload_names,
    load_plugin,
    resolve_entry,
    setting_names,
    settings_problems,
)

__all__ = [
    "BUILTIN_WORKLOADS",
    "ENTRY_POINT_GROUP",
    "OPTIMIZERS",
    "SCHEDULES",
    "TRAINING_DEFAULTS",
    "OptimizerInfo",
    "TrainingSettings",
    "WorkloadMeta",
    "classify",
    "known_workload_names",
    "load_plugin",
    "optimizer_info",
    "resolve_entry",
    "setting_names",
    "settings_problems",
]

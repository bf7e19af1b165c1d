"""Export a trial's best parameters (from its checkpoint) and its config to a folder.

``<out>/params/`` is an Orbax checkpoint of the parameters pytree
(``orbax.checkpoint.StandardCheckpointer().restore(<out>/params)`` reads it back), and
``<out>/config.json`` says what they are: the workload and its settings, the trial's resolved
hyperparameters (what ``Workload.apply`` reads as ``cfg``), the step and the objective value the
record gives for that step."""

from __future__ import annotations

import json
from pathlib import Path

import orbax.checkpoint as ocp

from reportgen.errors import ReportgenError
from reportgen.schema import StudySpec, TrialRecord
from runners.checkpoints import restore_params

CONFIG = "config.json"
PARAMS = "params"


def export_trial(spec: StudySpec, trial: TrialRecord, root: Path, out: Path) -> Path:
    """Write ``trial``'s best parameters and config under ``out`` (a new or empty folder)."""
    ref = trial.checkpoint
    if ref is None:
        raise ReportgenError(
            f"trial {trial.trial_id} names no checkpoint: its study trained without "
            "`checkpoints:` in its spec (add it and train again to export parameters)"
        )
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ReportgenError(f"--out {out}: exists and is not an empty folder")
    try:
        params = restore_params(root, ref.path, ref.step)
    except FileNotFoundError:
        raise ReportgenError(
            f"trial {trial.trial_id}: its record names checkpoint {ref.path} step {ref.step}, "
            f"but {Path(root) / ref.path / str(ref.step)} does not exist (is --checkpoints the "
            "root it was trained with?)"
        ) from None
    out.mkdir(parents=True, exist_ok=True)
    with ocp.StandardCheckpointer() as ckptr:
        ckptr.save((out / PARAMS).absolute(), params)
        ckptr.wait_until_finished()
    value = trial.curves.column(spec.objective.metric)[trial.curves.index_of(ref.step)]
    config = {
        "study_id": trial.study_id,
        "study_revision": trial.study_revision,
        "trial_id": trial.trial_id,
        "workload": spec.workload.model_dump(mode="json", exclude_none=True),
        "hyperparameters": dict(trial.hyperparameters),
        "step": ref.step,
        "objective": {
            "metric": spec.objective.metric,
            "direction": spec.objective.direction.value,
            "value_at_step": value,
        },
        "checkpoint": {"root": str(Path(root).absolute()), "path": ref.path, "step": ref.step},
        "params": PARAMS,
    }
    (out / CONFIG).write_text(json.dumps(config, indent=2, allow_nan=False) + "\n")
    return out

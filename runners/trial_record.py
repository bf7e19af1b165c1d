"""The record a trained trial becomes: curves cut where it diverged, values rounded to float32
precision, its best and final objective values, and its execution and provenance."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportgen.schema import (
    CURVE_COLUMNS,
    GRAD_STAT_COLUMNS,
    Best,
    CheckpointRef,
    Curves,
    Direction,
    Execution,
    ObjectiveMode,
    Provenance,
    Status,
    StudySpec,
    TrialRecord,
)
from reportgen.store.provenance import code_version as repo_code_version
from reportgen.store.provenance import installed_versions
from runners.trial_config import TrialConfig

REPO_ROOT = Path(__file__).resolve().parents[1]
# curves the runners record beyond the schema's columns, kept in ``curves.extra``
EXTRA_COLUMNS = ("train_error",)


@dataclass(frozen=True)
class GroupPlacement:
    """Where a trial's group ran: its id and size, the device, the mode and the device count."""

    group_id: str
    group_size: int
    device: str
    mode: str
    devices: int


def r7(x: float) -> float:
    """Round to float32 precision to keep files small (NaN and inf stay as they are)."""
    return float(f"{x:.7g}")


def code_version() -> str:
    """The git version of the runners' repository."""
    return repo_code_version(str(REPO_ROOT))


@functools.cache
def package_versions() -> dict[str, str]:
    return installed_versions(
        ("jax", "jaxlib", "optax", "numpy", "scipy", "optuna", "scikit-learn")
    )


def trial_record(  # type: ignore[no-untyped-def]
    spec: StudySpec,
    job,
    cfg: TrialConfig,
    out,
    group,
    placement: GroupPlacement,
    *,
    divergence_loss: float,
    data_info: Mapping[str, Any],
    command: str,
) -> TrialRecord:
    """The record of one trained trial: its curves cut at divergence and rounded, its best and
    final values, and how and where its group ran (``out`` is the trial's outcome, ``group``
    the group's)."""
    group_id, group_size, device = placement.group_id, placement.group_size, placement.device
    steps = list(out.steps)
    curves = {k: list(v) for k, v in out.curves.items()}
    status, reason = Status.COMPLETE, ""
    if out.diverged_step is not None:
        keep = next((i + 1 for i, s in enumerate(steps) if s >= out.diverged_step), len(steps))
        steps = steps[:keep]
        curves = {k: v[:keep] for k, v in curves.items()}
        loss = out.diverged_loss
        status = Status.DIVERGED
        if loss is None or not math.isfinite(loss):
            reason = f"non-finite train loss at step {out.diverged_step}"
        else:
            reason = (
                f"train loss exploded to {loss:.4g} (limit {divergence_loss:g}) "
                f"at step {out.diverged_step}"
            )
    curves = {k: [r7(x) for x in v] for k, v in curves.items()}
    metric = curves[spec.objective.metric]
    finite = [(s, v) for s, v in zip(steps, metric, strict=True) if math.isfinite(v)]
    best = None
    if finite:
        pick = max if spec.objective.direction is Direction.MAXIMIZE else min
        # ties go to the earliest step
        b = pick(finite, key=lambda sv: (sv[1], -sv[0]) if pick is max else (sv[1], sv[0]))
        best = Best(step=b[0], value=b[1])
    final = metric[-1] if status is Status.COMPLETE and math.isfinite(metric[-1]) else None
    if spec.objective.mode is ObjectiveMode.FINAL and status is not Status.COMPLETE:
        final = None
    sequential = placement.mode == "sequential"
    n_steps = max(group.steps_run, 1)
    return TrialRecord(
        study_id=spec.study_id,
        study_revision=spec.revision,
        trial_id=job.trial_id,
        kind=job.kind,
        group=job.group,
        index=job.point.index,
        hyperparameters=dict(cfg.recorded),
        unit_coords=job.point.unit_coords or None,
        seeds=job.seeds,
        status=status,
        status_reason=reason,
        curves=Curves(
            step=steps,
            **{k: curves[k] for k in (*CURVE_COLUMNS, *GRAD_STAT_COLUMNS) if k in curves},
            extra={k: v for k, v in curves.items() if k in EXTRA_COLUMNS},
        ),
        best=best,
        final_value=final,
        test_metrics={k: r7(v) for k, v in out.test_metrics.items() if math.isfinite(v)},
        dataset=dict(data_info),
        max_train_steps=spec.max_train_steps,
        eval_examples=data_info.get("n_valid"),
        wall_seconds=round(group.wall_seconds / (group_size if sequential else 1), 4),
        step_seconds=round(group.train_seconds / n_steps / (group_size if sequential else 1), 6),
        execution=Execution(
            mode=placement.mode,
            group_id=group_id,
            group_size=group_size,
            device=device,
            compile_seconds=round(group.compile_seconds, 3),
            devices=placement.devices,
            group_wall_seconds=round(group.wall_seconds, 4),
            trial_share_seconds=round(group.train_seconds / group_size, 4),
            resumed_from_step=out.resumed_from_step,
        ),
        provenance=Provenance(
            code_version=code_version(),
            packages=package_versions(),
            created_utc=dt.datetime.now(dt.UTC).replace(microsecond=0),
            command=command,
        ),
        checkpoint=_checkpoint(out.checkpoint),
    )


def _checkpoint(saved: tuple[str, int] | None) -> CheckpointRef | None:
    """The trial's best parameters as saved by ``runners.checkpoints`` (already on disk)."""
    return None if saved is None else CheckpointRef(path=saved[0], step=saved[1])

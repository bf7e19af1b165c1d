"""The record a logged trial becomes: the spec it belongs to, its values checked as `check`
would, the record built from the logged state, and the one write of it."""

from __future__ import annotations

import datetime as dt
import functools
import math
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reportgen.errors import InvalidRecords, Problem, ReportgenError
from reportgen.schema import (
    CURVE_COLUMNS,
    Best,
    Curves,
    Direction,
    Execution,
    ObjectiveMode,
    Provenance,
    Role,
    Scalar,
    Seeds,
    Status,
    StudySpec,
    TrialKind,
    TrialRecord,
)
from reportgen.store import load_spec, spec_path, write_trial
from reportgen.store.claims import ClaimBook
from reportgen.store.load import trial_problems
from reportgen.store.provenance import installed_versions


def load_valid_spec(logbook: Path, study_id: str) -> StudySpec:
    path = spec_path(logbook, study_id)
    if not path.is_file():
        raise ReportgenError(f"no study {study_id!r}: {path} does not exist")
    spec, problems = load_spec(path)
    if problems:
        raise InvalidRecords(problems)
    assert spec is not None
    return spec


def full_hyperparameters(spec: StudySpec, given: Mapping[str, Scalar]) -> dict[str, Scalar]:
    """The trial's hyperparameters: the spec's fixed values (where active), then ``given``."""
    out: dict[str, Scalar] = {}
    for hp in spec.search_space:
        if hp.role is not Role.FIXED or hp.name in given:
            continue
        if hp.condition is None or {**out, **given}.get(hp.condition.parent) in hp.condition.values:
            out[hp.name] = hp.value  # type: ignore[assignment]
    out.update(given)
    return out


def hyperparameter_problems(spec: StudySpec, values: Mapping[str, Scalar], shown: str) -> list[Problem]:
    """What `reportgen check` would say about a trial with these values (same rules)."""
    probe = TrialRecord(
        study_id=spec.study_id,
        study_revision=spec.revision,
        trial_id="probe",
        index=0,
        hyperparameters=dict(values),
        seeds=Seeds(init=0, data_order=0, sampler=0),
        status=Status.FAILED,
        status_reason="probe",
        curves=Curves(step=[], train_loss=[], valid_loss=[], valid_error=[], learning_rate=[], grad_norm=[]),
        max_train_steps=spec.max_train_steps,
        wall_seconds=0.0,
        step_seconds=0.0,
        execution=Execution(mode="sequential"),
        provenance=Provenance(created_utc=dt.datetime.now(dt.UTC)),
    )
    return trial_problems(probe, spec, spec.study_id, shown)


@functools.cache
def framework_packages() -> dict[str, str]:
    frameworks = ("torch", "tensorflow", "keras", "jax", "flax")
    # only the frameworks the loop actually uses
    names = [n for n in ("tuning-logbook", "numpy", *frameworks)
             if n not in frameworks or n in sys.modules]
    return installed_versions(names)


def build_record(spec: StudySpec, state: dict[str, Any], status: Status, reason: str) -> TrialRecord:
    """The record of a trial from its journal state; a non-finite train loss makes a complete
    trial diverged (its curve is kept as it is)."""
    steps = list(state["steps"])
    cols = {k: [float(x) for x in v] for k, v in state["curves"].items()}
    if status is Status.COMPLETE:
        bad = next((s for s, x in zip(steps, cols["train_loss"], strict=True) if not math.isfinite(x)), None)
        if not steps:
            status, reason = Status.FAILED, "finished without logging any eval point"
        elif bad is not None:
            status, reason = Status.DIVERGED, f"non-finite train loss at step {bad}"
    metric = spec.objective.metric
    column = cols.get(metric, [math.nan] * len(steps))
    finite = [(s, v) for s, v in zip(steps, column, strict=True) if math.isfinite(v)]
    best = None
    if finite:
        if spec.objective.direction is Direction.MAXIMIZE:
            b = max(finite, key=lambda sv: (sv[1], -sv[0]))
        else:
            b = min(finite, key=lambda sv: (sv[1], sv[0]))
        best = Best(step=b[0], value=b[1])
    final = column[-1] if steps and status is Status.COMPLETE and math.isfinite(column[-1]) else None
    if spec.objective.mode is ObjectiveMode.FINAL and status is not Status.COMPLETE:
        final = None
    wall = max(0.0, float(state.get("ended", time.time())) - float(state["started"]))
    return TrialRecord(
        study_id=spec.study_id,
        study_revision=spec.revision,
        trial_id=state["trial_id"],
        kind=TrialKind(state["kind"]),
        group=state["group"],
        index=state["index"],
        hyperparameters=state["hyperparameters"],
        unit_coords=state.get("unit_coords"),
        seeds=Seeds(**state["seeds"]),
        status=status,
        status_reason=reason,
        curves=Curves(
            step=steps,
            **{k: cols[k] for k in CURVE_COLUMNS},
            extra={k: v for k, v in cols.items() if k not in CURVE_COLUMNS},
        ),
        best=best,
        final_value=final,
        test_metrics={k: float(v) for k, v in state.get("test_metrics", {}).items() if math.isfinite(v)},
        dataset=state.get("dataset", {}),
        max_train_steps=spec.max_train_steps,
        wall_seconds=round(wall, 4),
        step_seconds=round(wall / max(steps[-1] if steps else 1, 1), 6),
        execution=Execution(mode="sequential", device=state.get("device", "external")),
        provenance=Provenance(
            code_version=state.get("code_version", "unknown"),
            packages=state.get("packages", {}),
            created_utc=dt.datetime.now(dt.UTC).replace(microsecond=0),
            command=state.get("command", ""),
        ),
    )


def validation_text(e: ValidationError) -> str:
    """A pydantic error as ``field: message`` parts (never the raw dump)."""
    parts = []
    for err in e.errors(include_url=False):
        loc = ".".join(str(x) for x in err.get("loc", ())) or "record"
        parts.append(f"{loc}: {str(err.get('msg', 'invalid')).removeprefix('Value error, ')}")
    return "; ".join(parts)


def write_new_record(
    logbook: Path,
    spec: StudySpec,
    state: dict[str, Any],
    status: Status,
    reason: str,
    claims: ClaimBook | None = None,
) -> TrialRecord:
    """Build the trial's record from ``state`` and write it, only when no record of it exists
    and (for a handed-out point) only while ``claims`` still holds its claim: one writer per
    trial, and a late or second writer is refused, never silently wins."""
    trial_id = state["trial_id"]
    try:
        record = build_record(spec, state, status, reason)
    except ValidationError as e:
        raise ReportgenError(f"trial {trial_id!r} cannot be written: {validation_text(e)}") from None
    if claims is not None and claims.renew([trial_id]):
        raise ReportgenError(
            f"trial {trial_id!r}: its claim ran out and another worker took the point; nothing "
            "was written (ask `reportgen suggest` for another point)"
        )
    try:
        write_trial(logbook, record, new=True)
    except FileExistsError:
        raise ReportgenError(
            f"trial {trial_id!r} of {spec.study_id!r} is already written; a trial is written "
            "once, by the holder of its claim"
        ) from None
    return record

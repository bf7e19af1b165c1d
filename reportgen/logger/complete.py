"""Write a handed-out point from a whole curves file (``reportgen complete``).

Everything is checked before anything is touched: the file (a regular file of bounded size),
every column and value (numbers only: ``true`` is not 1.0), the steps against the spec, the
record the curves make, and who may write the point. Only then is the record written, once:
a bad file leaves the point handed out and trainable, never burned as failed; a second
``complete`` of the same trial, or one from an owner whose claim ran out, is refused. No
journal is kept (the curves arrive whole), so 10 000 points cost one write.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reportgen.errors import ReportgenError
from reportgen.logger.record import write_new_record
from reportgen.logger.trial import prepare_trial
from reportgen.schema import ObjectiveMode, Status, StudySpec, TrialRecord
from reportgen.store import study_folder
from reportgen.store.cache_seal import read_regular
from reportgen.store.claims import ClaimBook
from reportgen.store.suggested import read_suggestion, suggestion_path

MAX_BYTES = 256 << 20  # a curves file of 100 000 points and a dozen columns is ~20 MB
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def read_curves(path: Path) -> dict[str, list[Any]]:
    """The columns of a curves file: a JSON object of equally long lists, with a ``step``
    column. Errors name the file, the column and the first bad value."""
    try:
        data = json.loads(read_regular(path, MAX_BYTES))
    except FileNotFoundError:
        raise ReportgenError(f"{path}: cannot be read: no such file") from None
    except OSError as e:
        raise ReportgenError(f"{path}: cannot be read: {e.strerror or e}") from None
    except ValueError as e:  # not a regular file, too big, or not JSON
        raise ReportgenError(f"{path}: {e}") from None
    if not isinstance(data, dict) or "step" not in data:
        raise ReportgenError(f"{path}: expected an object of columns with a 'step' column")
    n = len(data["step"]) if isinstance(data["step"], list) else -1
    for name, col in data.items():
        if not isinstance(col, list) or len(col) != n:
            raise ReportgenError(f"{path}: {name}: expected a list of {max(n, 0)} values like 'step'")
        if not _NAME.match(name):
            raise ReportgenError(f"{path}: {name!r}: a column name must be an identifier")
    return data


def _number(value: Any, path: Path, name: str, i: int) -> float:
    if value is None:
        return math.nan
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReportgenError(
            f"{path}: {name}[{i}]: expected a number (or null, \"NaN\", \"Infinity\"), got "
            f"{json.dumps(value)}"
        )
    return float(value)


def _steps(values: list[Any], path: Path, spec: StudySpec) -> list[int]:
    steps: list[int] = []
    for i, v in enumerate(values):
        integral = isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer()
        if not integral or v < 0:
            raise ReportgenError(f"{path}: step[{i}]: expected a non-negative whole number, got {json.dumps(v)}")
        if steps and v <= steps[-1]:
            raise ReportgenError(f"{path}: step[{i}]: {int(v)} is not after step {steps[-1]}")
        if v > spec.max_train_steps:
            raise ReportgenError(
                f"{path}: step[{i}]: {int(v)} is past the study's max_train_steps {spec.max_train_steps}"
            )
        steps.append(int(v))
    if not steps:
        raise ReportgenError(f"{path}: no eval point (the step column is empty)")
    return steps


def complete_suggested(
    logbook: Path,
    study_id: str,
    trial_id: str,
    curves_file: Path,
    *,
    status: Status = Status.COMPLETE,
    reason: str = "",
    test_metrics: Mapping[str, float] | None = None,
    owner: str | None = None,
) -> TrialRecord:
    """Write the handed-out trial ``trial_id`` from ``curves_file`` (see the module doc)."""
    logbook = Path(logbook)
    columns = read_curves(curves_file)
    suggested = read_suggestion(logbook, study_id, trial_id)
    if suggested is None:
        raise ReportgenError(
            f"trial {trial_id!r} of {study_id!r} was not handed out by `reportgen suggest` "
            "(or is already written)"
        )
    spec, state = prepare_trial(logbook, study_id, {}, trial_id=trial_id, owner=owner)
    state["steps"] = _steps(columns["step"], curves_file, spec)
    state["curves"] = {
        **state["curves"],
        **{
            name: [_number(v, curves_file, name, i) for i, v in enumerate(col)]
            for name, col in columns.items()
            if name != "step"
        },
    }
    n = len(state["steps"])
    state["curves"] = {k: v if len(v) == n else [math.nan] * n for k, v in state["curves"].items()}
    metric = spec.objective.metric
    if status is Status.COMPLETE and not any(
        math.isfinite(x) for x in state["curves"].get(metric, [])
    ):
        mode = "its last value" if spec.objective.mode is ObjectiveMode.FINAL else "any value"
        raise ReportgenError(
            f"{curves_file}: the objective {metric!r} has no finite value (the study needs "
            f"{mode}); if the trial diverged or failed, say so with --status diverged or "
            "--status failed and --reason. Nothing was written: the point is still yours"
        )
    if test_metrics:
        state["test_metrics"] = {k: float(v) for k, v in test_metrics.items()}
    claims = ClaimBook(
        study_folder(logbook, study_id), suggested.owner, suggested.lease_seconds,
        bound_to_process=False,
    )  # fmt: skip
    if not claims.try_claim(trial_id):
        holder = "its record exists" if claims.is_done(trial_id) else "another owner holds it"
        raise ReportgenError(
            f"trial {trial_id!r}: not written, {holder} (a trial is written once, by the "
            "holder of its claim)"
        )
    state["ended"] = state["started"]
    record = write_new_record(logbook, spec, state, status, reason, claims)
    suggestion_path(logbook, study_id, trial_id).unlink(missing_ok=True)
    claims.release(trial_id)
    return record

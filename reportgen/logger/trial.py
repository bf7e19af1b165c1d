"""`open_trial`: one trial of a study, logged by any training loop, written as a valid record."""

from __future__ import annotations

import math
import re
import secrets
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from reportgen.errors import InvalidRecords, ReportgenError
from reportgen.logger.handout import check_handout, take_over_point
from reportgen.logger.journal import (
    journal_path,
    journals,
    owner_alive,
    process,
    read_journal,
    write_journal,
)
from reportgen.logger.record import (
    build_record,
    framework_packages,
    full_hyperparameters,
    hyperparameter_problems,
    load_valid_spec,
    validation_text,
    write_new_record,
)
from reportgen.schema import CURVE_COLUMNS, Scalar, Seeds, Status, StudySpec, TrialKind, TrialRecord
from reportgen.store import study_folder, trial_path, write_trial
from reportgen.store.claims import ClaimBook
from reportgen.store.identity import derive_seeds, search_trial_id
from reportgen.store.layout import safe_id
from reportgen.store.provenance import code_version
from reportgen.store.suggested import read_suggestion, suggestion_path

__all__ = [  # the names the runners, `suggest` and `complete` import from here
    "TrialLogger", "build_record", "check_handout", "derive_seeds", "full_hyperparameters",
    "load_valid_spec", "open_suggested", "open_trial", "prepare_trial", "recover",
    "search_trial_id", "validation_text", "write_new_record",
]  # fmt: skip

_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
JOURNAL_EVERY_S = 1.0


def recover(logbook: Path | str, study_id: str) -> list[TrialRecord]:
    """Turn the journals of trials whose process died into ``failed`` records (partial curves
    kept). Journals of live processes are left alone, and so are those of points handed out by
    `reportgen suggest`: their claim's lease decides, and the point goes to the next owner to
    train (never written as failed by someone else). Returns the records written."""
    logbook = Path(logbook)
    spec = None
    out = []
    for path in journals(logbook, study_id):
        state = read_journal(path)
        trial_id = path.name[1:].removesuffix(".journal.json")
        if state is None or trial_path(logbook, study_id, trial_id).exists():
            path.unlink(missing_ok=True)  # unreadable, or the record made it to disk
            continue
        if state.get("owner") or owner_alive(state):
            continue
        spec = spec or load_valid_spec(logbook, study_id)
        last = state["steps"][-1] if state["steps"] else None
        where = f"after step {last}" if last is not None else "before its first eval"
        reason = (
            f"the process logging it (pid {state.get('pid')} on {state.get('host')}) stopped "
            f"{where} without finishing the trial"
        )
        state = {**state, "ended": state.get("updated", state["started"])}
        record = build_record(spec, state, Status.FAILED, reason)
        write_trial(logbook, record)
        path.unlink(missing_ok=True)
        out.append(record)
    return out


class TrialLogger:
    """One trial in flight. Use `open_trial` to make one."""

    def __init__(self, logbook: Path, spec: StudySpec, state: dict[str, Any], progress: bool | None):
        self.logbook = logbook
        self.spec = spec
        self._state = state
        self._journal = journal_path(logbook, spec.study_id, state["trial_id"])
        self.record: TrialRecord | None = None
        self._claims = None
        if state.get("owner"):
            self._claims = ClaimBook(
                study_folder(logbook, spec.study_id), state["owner"], state["lease_seconds"]
            )
            if not self._claims.try_claim(state["trial_id"]):
                raise ReportgenError(
                    f"trial {state['trial_id']!r}: its claim ran out and another worker took it; "
                    "ask `reportgen suggest` for another point"
                )
            self._renewer = self._claims.renewing().start()  # alive as long as this process
        self._journal_written = 0.0
        self._progress = None
        if progress if progress is not None else sys.stderr.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("step {task.completed:.0f}/{task.total:.0f} {task.fields[metric]}"),
                TimeElapsedColumn(),
                transient=False,
            )
            self._task = self._progress.add_task(
                f"{spec.study_id}/{state['trial_id']}", total=spec.max_train_steps, metric=""
            )
            self._progress.start()
        write_journal(self._journal, self._state)
        self._journal_written = time.time()

    @property
    def trial_id(self) -> str:
        return self._state["trial_id"]

    @property
    def hyperparameters(self) -> dict[str, Scalar]:
        return dict(self._state["hyperparameters"])

    @property
    def seeds(self) -> Seeds:
        return Seeds(**self._state["seeds"])

    @property
    def settings(self) -> dict[str, Scalar]:
        """The workload settings of the study (batch size, width, ...): the values the spec
        fixes, overridden by this trial's searched values of the same name."""
        values = self._state["hyperparameters"]
        out = dict(self.spec.workload.settings)
        out.update({k: v for k, v in values.items() if k in out or "." not in k})
        return out

    @property
    def max_train_steps(self) -> int:
        """The study's step budget: log no step past it."""
        return self.spec.max_train_steps

    @property
    def eval_every(self) -> int:
        """The study's eval cadence: log an eval point every this many steps."""
        return self.spec.eval_every

    def log(self, step: int, **metrics: float) -> None:
        """One eval point: ``train_loss``, ``valid_loss``, ``valid_error``, ``learning_rate``,
        ``grad_norm`` and any extra metric (a column of its own). NaN and inf are kept."""
        self._open()
        if isinstance(step, bool) or not isinstance(step, int | np.integer) or step < 0:
            raise ReportgenError(f"step must be a non-negative integer, got {step!r}")
        step = int(step)
        steps = self._state["steps"]
        if steps and step <= steps[-1]:
            raise ReportgenError(f"step {step} is not after the last logged step {steps[-1]}")
        if step > self.spec.max_train_steps:
            raise ReportgenError(
                f"step {step} is past the study's max_train_steps {self.spec.max_train_steps}"
            )
        curves = self._state["curves"]
        for name in metrics:
            if not _COLUMN.match(name):
                raise ReportgenError(f"metric name {name!r} is not an identifier")
            if name not in curves:
                curves[name] = [math.nan] * len(steps)
        for name in curves:
            value = metrics.get(name, math.nan)
            curves[name].append(float(value))
        steps.append(step)
        now = time.time()
        self._state["updated"] = now
        if now - self._journal_written >= JOURNAL_EVERY_S:
            # at most one journal write (and claim renewal) a second: a crash loses at most the
            # last second of points, and 10 000 points do not cost 10 000 fsyncs
            if self._claims is not None and self._claims.renew([self.trial_id]):
                raise ReportgenError(
                    f"trial {self.trial_id!r}: its claim ran out and another worker took the "
                    "point; stop training it (ask `reportgen suggest` for another point)"
                )
            write_journal(self._journal, self._state)
            self._journal_written = now
        if self._progress is not None:
            metric = self.spec.objective.metric
            shown = f"{metric} {metrics[metric]:.4g}" if metric in metrics else ""
            self._progress.update(self._task, completed=step, metric=shown)

    def finish(self, test_metrics: Mapping[str, float] | None = None) -> TrialRecord:
        """Write the trial as complete (diverged if its train loss went non-finite)."""
        return self._end(Status.COMPLETE, "", test_metrics)

    def diverged(self, reason: str) -> TrialRecord:
        """Write the trial as diverged (the loop saw the loss explode); the curve is kept."""
        return self._end(Status.DIVERGED, reason or "diverged")

    def fail(self, reason: str) -> TrialRecord:
        """Write the trial as failed (crashed or could not run)."""
        return self._end(Status.FAILED, reason or "failed")

    def _open(self) -> None:
        if self.record is not None:
            raise ReportgenError(f"trial {self.trial_id!r} is already written ({self.record.status})")

    def _end(self, status: Status, reason: str, test_metrics=None) -> TrialRecord:  # type: ignore[no-untyped-def]
        self._open()
        if test_metrics:
            self._state["test_metrics"] = {k: float(v) for k, v in test_metrics.items()}
        self._state["ended"] = time.time()
        record = write_new_record(self.logbook, self.spec, self._state, status, reason, self._claims)
        self._journal.unlink(missing_ok=True)
        suggestion_path(self.logbook, self.spec.study_id, self.trial_id).unlink(missing_ok=True)
        if self._claims is not None:
            self._renewer.stop()
            self._claims.release(self.trial_id)
        self.record = record
        if self._progress is not None:
            self._progress.stop()
        return record

    def __enter__(self) -> TrialLogger:
        return self

    def __exit__(self, kind, exc, tb) -> bool:  # type: ignore[no-untyped-def]
        if self.record is None:
            if kind is None:
                self.finish()
            else:
                self.fail(f"{kind.__name__}: {exc}" if str(exc) else kind.__name__)
        return False


def open_trial(
    logbook: Path | str,
    study_id: str,
    hyperparameters: Mapping[str, Scalar],
    *,
    trial_id: str | None = None,
    index: int | None = None,
    kind: TrialKind | str = TrialKind.SEARCH,
    group: str = "",
    seeds: Seeds | Mapping[str, int] | None = None,
    unit_coords: list[float] | None = None,
    dataset: Mapping[str, Scalar] | None = None,
    device: str = "external",
    progress: bool | None = None,
    owner: str | None = None,
    take_over: bool = False,
) -> TrialLogger:
    """Open a trial of ``study_id`` with ``hyperparameters`` (the spec's fixed values are added).

    The values are checked against the spec as `reportgen check` would; a bad one raises
    `ReportgenError` naming the field. Seeds default to the runners' derivation from the
    study's sampler seed and the trial's index. Dead trials of the study (not points handed out
    by `reportgen suggest`, which their lease governs) are recovered first. ``owner``: for a
    handed-out point, the owner `reportgen suggest` printed (needed once a point has been
    handed out more than once).
    """
    logbook = Path(logbook)
    recover(logbook, study_id)
    spec, state = prepare_trial(
        logbook, study_id, hyperparameters, trial_id=trial_id, index=index, kind=kind,
        group=group, seeds=seeds, unit_coords=unit_coords, dataset=dataset, device=device,
        owner=owner, take_over=take_over,
    )  # fmt: skip
    return TrialLogger(logbook, spec, state, progress)


def prepare_trial(
    logbook: Path,
    study_id: str,
    hyperparameters: Mapping[str, Scalar],
    *,
    trial_id: str | None = None,
    index: int | None = None,
    kind: TrialKind | str = TrialKind.SEARCH,
    group: str = "",
    seeds: Seeds | Mapping[str, int] | None = None,
    unit_coords: list[float] | None = None,
    dataset: Mapping[str, Scalar] | None = None,
    device: str = "external",
    owner: str | None = None,
    take_over: bool = False,
) -> tuple[StudySpec, dict[str, Any]]:
    """The spec and the starting state of a trial, checked as `open_trial` documents; nothing
    is written."""
    spec = load_valid_spec(logbook, study_id)
    suggested = read_suggestion(logbook, study_id, trial_id) if trial_id else None
    if suggested is not None:
        if take_over and owner is not None and owner != suggested.owner:
            suggested = take_over_point(logbook, suggested, owner)
        check_handout(suggested, owner)
        if hyperparameters and dict(hyperparameters) != {
            k: v for k, v in suggested.hyperparameters.items() if k in hyperparameters
        }:
            raise ReportgenError(
                f"trial {trial_id!r} was suggested with {suggested.hyperparameters}; "
                "log it with those values (or pass none)"
            )
        hyperparameters = suggested.hyperparameters
        index, kind, group = suggested.index, suggested.kind, suggested.group
        seeds, unit_coords = suggested.seeds, suggested.unit_coords
    values = full_hyperparameters(spec, dict(hyperparameters))
    problems = hyperparameter_problems(spec, values, f"{study_id} (open_trial)")
    if problems:
        raise InvalidRecords(problems)
    folder = trial_path(logbook, study_id, "x").parent
    if index is None:
        taken = sum(1 for p in folder.glob("*.json") if not p.name.startswith(".")) if folder.is_dir() else 0
        index = taken + len(journals(logbook, study_id))
    if trial_id is None:
        trial_id = f"r{spec.revision}-x{secrets.token_hex(4)}-{index:04d}"
    safe_id(trial_id, "trial id")
    if trial_path(logbook, study_id, trial_id).exists():
        raise ReportgenError(f"trial {trial_id!r} of {study_id!r} is already written")
    existing = read_journal(journal_path(logbook, study_id, trial_id))
    # a handed-out point belongs to whoever holds its claim (checked when the trial opens): the
    # journal of an earlier owner whose lease ran out is superseded, never in the way
    if existing is not None and suggested is None and owner_alive(existing):
        raise ReportgenError(f"trial {trial_id!r} of {study_id!r} is being logged by pid {existing.get('pid')}")
    if seeds is None:
        seeds = derive_seeds(spec.search.seed, index)
    seeds = seeds if isinstance(seeds, Seeds) else Seeds(**seeds)
    kind = TrialKind(kind)
    if kind is not TrialKind.SEARCH and not group:
        raise ReportgenError(f"a {kind} trial needs its group")
    now = time.time()
    state = {
        **process(),
        "trial_id": trial_id,
        "index": int(index),
        "kind": str(kind),
        "group": group,
        "hyperparameters": values,
        "unit_coords": unit_coords,
        "seeds": seeds.model_dump(),
        "dataset": dict(dataset or {}),
        "device": device,
        "started": now,
        "updated": now,
        "steps": [],
        "curves": {name: [] for name in CURVE_COLUMNS},
        "code_version": code_version(),
        "packages": framework_packages(),
        "command": " ".join(sys.argv),
        "owner": suggested.owner if suggested else "",
        "lease_seconds": suggested.lease_seconds if suggested else 0,
    }
    return spec, state


def open_suggested(logbook: Path | str, study_id: str, trial_id: str, **options: Any) -> TrialLogger:
    """Open a trial handed out by ``reportgen suggest``: its values, index and seeds are the
    suggested ones, and logging renews its claim (``owner=``: the owner `suggest` printed,
    needed once the point has been handed out more than once)."""
    if read_suggestion(Path(logbook), study_id, trial_id) is None:
        raise ReportgenError(
            f"trial {trial_id!r} of {study_id!r} was not handed out by `reportgen suggest` "
            "(or is already written)"
        )
    return open_trial(logbook, study_id, {}, trial_id=trial_id, **options)

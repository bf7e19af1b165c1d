"""`open_trial`: one trial of a study, logged by any training loop, written as a valid record."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import math
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from reportgen.errors import InvalidRecords, Problem, ReportgenError
from reportgen.logger.journal import (
    journal_path,
    journals,
    owner_alive,
    process,
    read_journal,
    write_journal,
)
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
    Suggestion,
    TrialKind,
    TrialRecord,
)
from reportgen.store import load_spec, spec_path, study_folder, trial_path, write_trial
from reportgen.store.claims import ClaimBook
from reportgen.store.layout import safe_id
from reportgen.store.load import trial_problems
from reportgen.store.suggested import read_suggestion, suggestion_path, write_suggestion

_COLUMN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
JOURNAL_EVERY_S = 1.0


def derive_seeds(sampler_seed: int, index: int, seed_index: int = 0) -> Seeds:
    """Init, data-order and dropout seeds from (sampler seed, trial index, seed index): the one
    derivation of the runners, `suggest` and the logger."""
    s = np.random.SeedSequence([sampler_seed, index, seed_index]).generate_state(3)
    return Seeds(init=int(s[0]), data_order=int(s[1]), sampler=sampler_seed, dropout=int(s[2]))


def search_trial_id(revision: int, seed: int, index: int) -> str:
    """The id of search trial ``index`` of a revision's sampler seed (runners and `suggest`)."""
    return f"r{revision}-s{seed}-{index:04d}"


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
def _code_version() -> str:
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, timeout=10
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


@functools.cache
def _packages() -> dict[str, str]:
    out = {}
    for name in ("tuning-logbook", "numpy", "torch", "tensorflow", "keras", "jax", "flax"):
        if name in ("torch", "tensorflow", "keras", "jax", "flax") and name not in sys.modules:
            continue  # only the frameworks the loop actually uses
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out


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
        "code_version": _code_version(),
        "packages": _packages(),
        "command": " ".join(sys.argv),
        "owner": suggested.owner if suggested else "",
        "lease_seconds": suggested.lease_seconds if suggested else 0,
    }
    return spec, state


def take_over_point(logbook: Path, suggested: Suggestion, owner: str) -> Suggestion:
    """Hand ``suggested`` to ``owner``, asked for explicitly: its current claim is ended."""
    ClaimBook(study_folder(logbook, suggested.study_id), suggested.owner, suggested.lease_seconds,
              bound_to_process=False).expire(suggested.trial_id)  # fmt: skip
    taken = suggested.model_copy(update={"owner": owner, "handout": suggested.handout + 1})
    write_suggestion(logbook, taken)
    return taken


def check_handout(suggested: Suggestion, owner: str | None) -> None:
    """Refuse to write a handed-out point for someone who does not hold it: ``owner`` must be
    the suggestion's owner when given, and must be given once the point has been handed out
    again (an earlier claim ran out: without a name, the late first owner and the new one
    cannot be told apart)."""
    if owner is not None and owner != suggested.owner:
        raise ReportgenError(
            f"trial {suggested.trial_id!r} is handed out to another owner (your claim ran out "
            "and the point went to someone else, or it was never yours); nothing was written. "
            "Ask `reportgen suggest` for another point (or take it over on purpose: "
            "take_over=True)"
        )
    if owner is None and suggested.handout > 1:
        raise ReportgenError(
            f"trial {suggested.trial_id!r} has been handed out {suggested.handout} times (an "
            "earlier claim ran out); name the owner `reportgen suggest` printed for it "
            "(--owner, or owner=) to write it; nothing was written"
        )


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

"""Read one Optuna study: an SQLite file or ``sqlite:`` URL, a JournalStorage file, or another
storage URL Optuna opens. Local files are read through a snapshot (`importers.readonly`): the
source is never written, and a file that is not an Optuna storage is refused untouched."""

from __future__ import annotations

import math
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.importers.readonly import (
    existing_file,
    is_sqlite,
    scratch,
    sqlite_path,
    sqlite_snapshot,
    sqlite_tables,
)
from reportgen.importers.runs import ImportedRun, ImportedSource, SpaceHint, require
from reportgen.importers.runs import first_line as _first_line
from reportgen.schema import Status
from reportgen.schema.source import Source, SourceKind

OBJECTIVE_COLUMN = "objective"
STORAGE = "an Optuna storage"


def _storage(optuna, location: str, tmp: Path):
    """An Optuna storage over a private snapshot of a local source; a server URL as given (its
    tables never created)."""
    path = sqlite_path(location) if "://" in location else Path(location)
    if path is None:
        return optuna.storages.RDBStorage(location, skip_table_creation=True)
    existing_file(path, location)
    if is_sqlite(path):
        tables = sqlite_tables(path, STORAGE)
        if not {"studies", "trials"} <= tables:
            raise ReportgenError(
                f"{location}: an SQLite database, but not an Optuna storage (no 'studies' and "
                "'trials' tables); it was left as it was"
            )
        copy = sqlite_snapshot(path, tmp, STORAGE)
        return optuna.storages.RDBStorage(f"sqlite:///{copy}", skip_table_creation=True)
    if "://" in location:
        raise ReportgenError(f"{location}: not an SQLite database")
    # a journal file exists (checked above), and Optuna only reads it: it appends and locks
    # only when a study is written, so it is opened in place (no copy of a big journal)
    journal = optuna.storages.journal
    backend = getattr(journal, "JournalFileBackend", None) or journal.JournalFileStorage
    return optuna.storages.JournalStorage(backend(str(path)))


def _hint(dist) -> SpaceHint:
    name = type(dist).__name__
    if name == "CategoricalDistribution":
        return SpaceHint("categorical", values=tuple(dist.choices))
    if name == "IntDistribution" and not dist.log and (dist.high - dist.low) // dist.step < 64:
        return SpaceHint("discrete", values=tuple(range(dist.low, dist.high + 1, dist.step)))
    return SpaceHint("log" if dist.log else "linear", float(dist.low), float(dist.high))


def read(location: str, study_name: str | None) -> ImportedSource:
    optuna = require("optuna", "optuna")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    with scratch() as tmp:
        return _read(optuna, location, study_name, tmp)


def _read(optuna, location: str, study_name: str | None, tmp: Path) -> ImportedSource:  # type: ignore[no-untyped-def]
    try:
        storage = _storage(optuna, location, tmp)
        names = [s.study_name for s in optuna.get_all_study_summaries(storage)]
        if study_name is None:
            if len(names) != 1:
                raise ReportgenError(
                    f"{location}: holds {len(names)} studies; pick one with --optuna-study "
                    f"(known: {', '.join(sorted(names)) or 'none'})"
                )
            study_name = names[0]
        if study_name not in names:
            raise ReportgenError(
                f"{location}: no Optuna study {study_name!r}; known: {', '.join(sorted(names)) or 'none'}"
            )
        study = optuna.load_study(study_name=study_name, storage=storage)
        trials = study.get_trials(deepcopy=False)
        directions = study.directions
    except ReportgenError:
        raise
    except Exception as e:  # the storage library's own errors: a corrupt or foreign file
        raise ReportgenError(f"{location}: cannot be read as an Optuna storage: {type(e).__name__}: {_first_line(e)}") from None
    names = _objective_names(study, len(directions))
    space: dict[str, SpaceHint] = {}
    runs = []
    state = optuna.trial.TrialState
    for t in trials:
        if t.state not in (state.COMPLETE, state.FAIL, state.PRUNED):
            continue  # running or waiting: a later re-import brings it in
        for name, dist in t.distributions.items():
            space.setdefault(name, _hint(dist))
        inter = sorted(t.intermediate_values.items())
        steps = tuple(int(s) for s, _ in inter)
        curve = tuple(float(v) for _, v in inter)
        if t.state == state.COMPLETE:
            status, reason = Status.COMPLETE, ""
        elif t.state == state.PRUNED:
            at = f" at step {steps[-1]}" if steps else ""
            status, reason = Status.STOPPED, f"pruned: stopped early by Optuna's pruner{at}"
        else:
            why = t.system_attrs.get("fail_reason") or "the objective raised or returned no value"
            status, reason = Status.FAILED, f"failed in Optuna: {why}"
        values = [v if v is not None and math.isfinite(v) else None for v in (t.values or [])]
        value = values[0] if values else None
        wall = (
            (t.datetime_complete - t.datetime_start).total_seconds()
            if t.datetime_complete and t.datetime_start
            else 0.0
        )
        runs.append(
            ImportedRun(
                run_id=str(t.number),
                hyperparameters=dict(t.params),
                status=status,
                status_reason=reason,
                steps=steps,
                curves={OBJECTIVE_COLUMN: curve} if steps else {},
                final_value=value,
                wall_seconds=wall,
                started=t.datetime_start,
                attrs={str(k): str(v) for k, v in t.user_attrs.items()},
                final_metrics=(
                    {n: v for n, v in zip(names, values, strict=False) if v is not None}
                    if len(names) > 1
                    else {}
                ),
            )
        )
    source = Source(
        kind=SourceKind.OPTUNA,
        location=str(location),
        study=study_name,
        tool_version=optuna.__version__,
    )
    words = [
        "maximize" if d == optuna.study.StudyDirection.MAXIMIZE else "minimize" for d in directions
    ]
    return ImportedSource(
        source,
        tuple(runs),
        space,
        title=f"Optuna study {study_name}",
        direction=words[0],
        objectives=tuple(zip(names, words, strict=True)) if len(names) > 1 else (),
    )


def _objective_names(study, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The name of each objective: the study's own (``study.set_metric_names``, Optuna 3.2 on),
    else ``objective``, ``objective_1``, ... A single objective is always ``objective`` (its
    intermediate values are that curve)."""
    default = [OBJECTIVE_COLUMN] + [f"{OBJECTIVE_COLUMN}_{k}" for k in range(1, n)]
    if n == 1:
        return default
    try:
        own = study.metric_names  # None when the study never named them
    except Exception:  # an Optuna before 3.2 has no metric names
        own = None
    if not own or len(own) != n or len(set(own)) != n:
        return default
    return [str(x) for x in own]

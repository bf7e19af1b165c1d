"""Read one Optuna study: any storage URL Optuna opens, or a JournalStorage file."""

from __future__ import annotations

import math
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.importers.runs import ImportedRun, ImportedSource, SpaceHint, require
from reportgen.importers.runs import first_line as _first_line
from reportgen.schema import Status
from reportgen.schema.source import Source, SourceKind

OBJECTIVE_COLUMN = "objective"


def _storage(optuna, location: str):
    if "://" in location:
        return location
    path = Path(location)
    if not path.is_file():
        raise ReportgenError(f"{location}: no such file (give a storage URL or a journal file)")
    if path.read_bytes()[:16] == b"SQLite format 3\x00":
        return f"sqlite:///{path.resolve()}"
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
    try:
        storage = _storage(optuna, location)
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
    if len(directions) != 1:
        raise ReportgenError(f"{location}: study {study_name!r} is multi-objective; import one objective")
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
        value = t.value if t.value is not None and math.isfinite(t.value) else None
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
            )
        )
    source = Source(
        kind=SourceKind.OPTUNA,
        location=str(location),
        study=study_name,
        tool_version=optuna.__version__,
    )
    direction = "maximize" if directions[0] == optuna.study.StudyDirection.MAXIMIZE else "minimize"
    return ImportedSource(source, tuple(runs), space, title=f"Optuna study {study_name}", direction=direction)

"""Read one MLflow experiment from a local tracking store (``mlruns/`` or a ``sqlite:`` URI).

Each finished run is a trial, named after its run name; a parent of nested runs is the sweep
around them and is left out."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.importers.readonly import (
    existing_file,
    folder_snapshot,
    scratch,
    sqlite_path,
    sqlite_snapshot,
)
from reportgen.importers.runs import (
    ImportedRun,
    ImportedSource,
    align,
    parse_scalar,
    require,
)
from reportgen.importers.runs import first_line as _first_line
from reportgen.importers.tags import column_for
from reportgen.schema import Status
from reportgen.schema.source import Source, SourceKind

_STATUS = {"FINISHED": Status.COMPLETE, "FAILED": Status.FAILED, "KILLED": Status.FAILED}


def _uri(location: str, tmp: Path) -> str:
    """The tracking URI MLflow opens: a private snapshot of a local store (a folder, copied
    without its artifacts; an SQLite file, through SQLite's backup), or a server as given."""
    if location.startswith("sqlite:"):
        path = sqlite_path(location)
        if path is None:
            raise ReportgenError(f"{location}: not an SQLite file URI")
        existing_file(path, location)
        return f"sqlite:///{sqlite_snapshot(path, tmp, 'an MLflow store')}"
    if "://" in location and not location.startswith("file:"):
        return location  # a tracking server: read through its API
    path = Path(location.removeprefix("file://") if location.startswith("file:") else location)
    if not path.is_dir():
        raise ReportgenError(f"{location}: not an MLflow store folder (or give a sqlite: URI)")
    return folder_snapshot(path, tmp, empty=("artifacts", ".trash")).resolve().as_uri()


def read(location: str, experiment: str | None, tags: dict[str, str]) -> ImportedSource:
    with scratch() as tmp:
        return _read(location, experiment, tags, tmp)


def _read(location: str, experiment: str | None, tags: dict[str, str], tmp: Path) -> ImportedSource:
    mlflow = require("mlflow", "mlflow")
    from mlflow.tracking import MlflowClient  # noqa: PLC0415 (optional library)

    uri = _uri(location, tmp)
    if uri.startswith("file:"):
        # recent MLflow refuses the file store unless asked; reading an existing one is the point
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    try:
        client = MlflowClient(tracking_uri=uri)
        exps = [e for e in client.search_experiments() if e.name != "Default" or experiment == "Default"]
        if experiment is None:
            if len(exps) != 1:
                raise ReportgenError(
                    f"{location}: holds {len(exps)} experiments; pick one with --experiment "
                    f"(known: {', '.join(sorted(e.name for e in exps)) or 'none'})"
                )
            exp = exps[0]
        else:
            exp = client.get_experiment_by_name(experiment)
            if exp is None:
                raise ReportgenError(
                    f"{location}: no experiment {experiment!r}; known: "
                    f"{', '.join(sorted(e.name for e in exps)) or 'none'}"
                )
        found = client.search_runs([exp.experiment_id], max_results=50000)
        # a run that other runs name as their parent is the sweep around them (nested runs,
        # as MLflow's hyperparameter-tuning examples log them), not a trial of it
        parents = {r.data.tags.get("mlflow.parentRunId") for r in found} - {None}
        runs = []
        for r in found:
            status = _STATUS.get(r.info.status)
            if status is None or r.info.run_id in parents:
                continue  # running or scheduled (a later re-import brings it in), or a parent
            series: dict[str, list[tuple[int, float]]] = {}
            for key in r.data.metrics:
                hist = client.get_metric_history(r.info.run_id, key)
                series.setdefault(column_for(key, tags), []).extend((m.step, m.value) for m in hist)
            steps, curves = align(series)
            start, end = r.info.start_time, r.info.end_time
            runs.append(
                ImportedRun(
                    run_id=r.info.run_id,
                    hyperparameters={k: parse_scalar(v) for k, v in r.data.params.items()},
                    status=status if steps or status is not Status.COMPLETE else Status.FAILED,
                    status_reason=(
                        f"MLflow run status {r.info.status}" if status is not Status.COMPLETE
                        else "" if steps else "no metrics were logged"
                    ),
                    steps=steps,
                    curves=curves,
                    wall_seconds=(end - start) / 1000 if start and end else 0.0,
                    started=dt.datetime.fromtimestamp(start / 1000, dt.UTC) if start else None,
                    attrs={k: v for k, v in r.data.tags.items() if not k.startswith("mlflow.")},
                    name=r.info.run_name or r.data.tags.get("mlflow.runName", ""),
                )
            )
    except ReportgenError:
        raise
    except Exception as e:  # the tracking library's own errors: a corrupt or foreign store
        raise ReportgenError(f"{location}: cannot be read as an MLflow store: {type(e).__name__}: {_first_line(e)}") from None
    source = Source(
        kind=SourceKind.MLFLOW, location=str(location), study=exp.name, tool_version=mlflow.__version__
    )
    return ImportedSource(source, tuple(sorted(runs, key=lambda r: (r.started or dt.datetime.min.replace(tzinfo=dt.UTC), r.run_id))), title=f"MLflow experiment {exp.name}")

"""Read a TensorBoard log folder with the `tensorboard` package's EventAccumulator.

A folder holding event files is one run; a subfolder of a run that holds event files of its own
(the timestamped folder that ``add_hparams`` of PyTorch's and tensorboardX's writers create) is
part of that run, not a second one. That subfolder holds the run's hyperparameters and the
summary metrics passed to ``add_hparams``, written at step 0 after training: they are kept as
the run's reported values (its source attributes), never merged into its curves, where they
would add a step 0 with no training loss and one-point ``hparam/*`` curves.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.importers.runs import ImportedRun, ImportedSource, align, require
from reportgen.importers.tags import column_for
from reportgen.schema import Status
from reportgen.schema.source import Source, SourceKind


def _has_events(folder: Path) -> bool:
    return any(p.is_file() and "tfevents" in p.name for p in folder.iterdir())


def _check_intact(folder: Path) -> None:
    """Fail on a torn event file (the accumulator would silently stop reading at the tear)."""
    reader = require("tensorboard.compat.tensorflow_stub.pywrap_tensorflow", "tensorboard")
    errors = require("tensorboard.compat.tensorflow_stub.errors", "tensorboard")
    for path in sorted(folder.glob("*tfevents*")):
        rec = reader.PyRecordReader_New(str(path))
        try:
            while True:
                rec.GetNext()
        except errors.OutOfRangeError:
            continue
        except errors.DataLossError as e:
            raise ReportgenError(f"{path}: event file is truncated or corrupt ({e})") from None


def _hparams(acc, pb) -> dict:
    out = {}
    try:
        contents = acc.PluginTagToContent("hparams")
    except KeyError:  # this part of the run logged no HParams
        return out
    for content in contents.values():
        data = pb.HParamsPluginData.FromString(content)
        if data.HasField("session_start_info"):
            for name, v in data.session_start_info.hparams.items():
                kind = v.WhichOneof("kind")
                if kind == "number_value":
                    x = v.number_value
                    out[name] = int(x) if float(x).is_integer() and abs(x) < 2**53 else x
                elif kind == "bool_value":
                    out[name] = v.bool_value
                elif kind == "string_value":
                    out[name] = v.string_value
    return out


def read(location: str, tags: dict[str, str]) -> ImportedSource:
    tb = require("tensorboard", "tensorboard")
    ea = require("tensorboard.backend.event_processing.event_accumulator", "tensorboard")
    pb = require("tensorboard.plugins.hparams.plugin_data_pb2", "tensorboard")
    root = Path(location)
    if not root.is_dir():
        raise ReportgenError(f"{location}: not a folder of TensorBoard event files")
    folders = sorted(p for p in [root, *root.rglob("*")] if p.is_dir() and _has_events(p))
    runs_dirs = [f for f in folders if not (f != root and _has_events(f.parent) and f.parent != root)]
    if not runs_dirs:
        raise ReportgenError(f"{location}: no TensorBoard event files found")
    runs = []
    for run_dir in runs_dirs:
        parts = [run_dir, *(f for f in folders if f.parent == run_dir and f not in runs_dirs)]
        series: dict[str, list[tuple[int, float]]] = {}
        hparams: dict = {}
        reported: dict[str, str] = {}
        first_wall = last_wall = None
        for part in parts:
            _check_intact(part)
            acc = ea.EventAccumulator(str(part), size_guidance={ea.SCALARS: 0})
            try:
                acc.Reload()
            except Exception as e:
                raise ReportgenError(f"{part}: cannot be read: {type(e).__name__}: {e}") from None
            hparams.update(_hparams(acc, pb))
            for tag in acc.Tags()["scalars"]:
                events = acc.Scalars(tag)
                if part != run_dir:  # add_hparams' summary metrics: reported, not a curve
                    if events:
                        reported[tag] = repr(events[-1].value)
                    continue
                column = column_for(tag, tags)
                series.setdefault(column, []).extend((e.step, e.value) for e in events)
                for e in events:
                    first_wall = e.wall_time if first_wall is None else min(first_wall, e.wall_time)
                    last_wall = e.wall_time if last_wall is None else max(last_wall, e.wall_time)
        steps, curves = align(series)
        run_id = str(run_dir.relative_to(root)) if run_dir != root else root.name
        runs.append(
            ImportedRun(
                run_id=run_id,
                hyperparameters=hparams,
                status=Status.COMPLETE if steps else Status.FAILED,
                status_reason="" if steps else "no scalars were logged",
                steps=steps,
                curves=curves,
                wall_seconds=(last_wall - first_wall) if first_wall is not None else 0.0,
                started=dt.datetime.fromtimestamp(first_wall, dt.UTC) if first_wall else None,
                attrs=reported,
            )
        )
    if not any(r.steps for r in runs):
        raise ReportgenError(
            f"{location}: its event files hold no scalars (empty, or not written by a "
            "SummaryWriter's add_scalar); nothing to import"
        )
    source = Source(kind=SourceKind.TENSORBOARD, location=str(location), tool_version=tb.__version__)
    return ImportedSource(source, tuple(runs), title=f"TensorBoard runs in {root.name}")

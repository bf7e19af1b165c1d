"""What every importer hands over: runs read from the source, in a tool-neutral shape."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from types import ModuleType

from reportgen.errors import ReportgenError
from reportgen.schema import Scalar, Status
from reportgen.schema.source import Source


@dataclass(frozen=True)
class SpaceHint:
    """A search-space axis as the source declared it (Optuna distributions)."""

    scale: str  # linear / log / discrete / categorical
    low: float | None = None
    high: float | None = None
    values: tuple[Scalar, ...] = ()


@dataclass(frozen=True)
class ImportedRun:
    """One run of the source. ``curves`` maps a curve column to values aligned with ``steps``."""

    run_id: str
    hyperparameters: dict[str, Scalar]
    status: Status
    status_reason: str
    steps: tuple[int, ...]
    curves: dict[str, tuple[float, ...]]
    final_value: float | None = None
    wall_seconds: float = 0.0
    started: dt.datetime | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    name: str = ""  # the name a person gave the run (MLflow's run name), when there is one
    # values at the end of the run with no curve, by metric (every objective of a
    # multi-objective Optuna study, the first included)
    final_metrics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedSource:
    """Everything read from one source: where it is, its runs, the space it declared."""

    source: Source
    runs: tuple[ImportedRun, ...]
    space: dict[str, SpaceHint] = field(default_factory=dict)
    title: str = ""
    direction: str = ""  # the source's own optimisation direction, when it has one
    # every objective of a multi-objective source, in its order: (metric, direction); the first
    # is the study's objective by default, the others become its trade-offs
    objectives: tuple[tuple[str, str], ...] = ()


def require(module: str, extra: str) -> ModuleType:
    """Import an optional library, or fail with the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ReportgenError(
            f"importing from {extra} needs the '{module.split('.')[0]}' package: "
            f"install the extra with `pip install 'tuning-logbook[{extra}]'` ({e})"
        ) from None


def parse_scalar(text: str) -> Scalar:
    """A parameter stored as text (MLflow) back to a bool, int, float or string."""
    if text in ("True", "true"):
        return True
    if text in ("False", "false"):
        return False
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def align(series: dict[str, list[tuple[int, float]]]) -> tuple[tuple[int, ...], dict[str, tuple[float, ...]]]:
    """Put (step, value) series of several columns on one shared, increasing step axis.

    A column without a value at a step gets NaN there; a step logged twice keeps its last value.
    """
    steps = sorted({s for points in series.values() for s, _ in points if s >= 0})
    out: dict[str, tuple[float, ...]] = {}
    for name, points in series.items():
        by_step = {s: float(v) for s, v in points if s >= 0}
        out[name] = tuple(by_step.get(s, float("nan")) for s in steps)
    return tuple(steps), out


def first_line(e: BaseException) -> str:
    """The first line of a library's error (SQLAlchemy appends the SQL and a link)."""
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__

"""From imported runs to a study spec and trial records.

The spec skeleton marks every varied hyperparameter nuisance and every constant one fixed;
the options (``--scientific``, ``--roles FILE``) name the scientific ones, the objective and its
direction, and the baseline, so the imported study can reach a launch decision directly.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reportgen import __version__
from reportgen.errors import Problem
from reportgen.importers.runs import ImportedRun, ImportedSource, SpaceHint
from reportgen.schema import (
    CURVE_COLUMNS,
    Best,
    Curves,
    Direction,
    Execution,
    Provenance,
    Scalar,
    Seeds,
    Status,
    StudySpec,
    TrialRecord,
)
from reportgen.schema.common import HPARAM_NAME_PATTERN

_HP_NAME = re.compile(HPARAM_NAME_PATTERN)
_LOG_RATIO = 100.0  # a positive float axis spanning two decades or more is read as log scale
_DISCRETE_MAX = 12  # integers with this many distinct values or fewer are a discrete axis


@dataclass(frozen=True)
class ImportOptions:
    """What the person says about the imported study (flags or ``--roles FILE``)."""

    study_id: str
    objective: str
    direction: Direction = Direction.MINIMIZE
    scientific: tuple[str, ...] = ()
    baseline: tuple[str, Scalar] | None = None
    candidate: Scalar | None = None
    title: str = ""
    goal: str = ""
    roles: dict[str, str] = field(default_factory=dict)  # name -> scientific/nuisance/fixed


def trial_id(kind: str, run_id: str) -> str:
    """A safe trial id from the source's run id (kept in provenance too)."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", run_id).strip("-.") or "run"
    clean = clean.zfill(4) if clean.isdigit() else clean
    return f"{kind}-{clean}"[:120]


def _axis(name: str, values: list[Scalar], hint: SpaceHint | None, role: str) -> dict[str, Any]:
    distinct = sorted({repr(v): v for v in values}.values(), key=lambda v: (str(type(v)), v))
    if role != "fixed" and len(distinct) <= 1 and hint is None:
        role = "fixed" if role == "nuisance" else role
    if role == "fixed":
        return {"name": name, "role": "fixed", "value": distinct[0]}
    if hint is not None:
        if hint.scale == "categorical":
            return {"name": name, "role": role, "scale": "categorical", "values": list(hint.values)}
        if hint.scale == "discrete":
            vals = list(hint.values) or distinct
            return {"name": name, "role": role, "scale": "discrete", "values": vals}
        return {"name": name, "role": role, "scale": hint.scale, "low": hint.low, "high": hint.high}
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in distinct)
    if not numeric:
        return {"name": name, "role": role, "scale": "categorical", "values": distinct}
    if all(isinstance(v, int) for v in distinct) and len(distinct) <= _DISCRETE_MAX:
        return {"name": name, "role": role, "scale": "discrete", "values": distinct}
    low, high = float(min(distinct)), float(max(distinct))
    scale = "log" if low > 0 and high / low >= _LOG_RATIO else "linear"
    return {"name": name, "role": role, "scale": scale, "low": low, "high": high}


def build_spec(src: ImportedSource, opts: ImportOptions) -> tuple[dict[str, Any], int, int]:
    """The spec skeleton (as data, validated by the caller), max train steps and eval cadence."""
    names = sorted({n for r in src.runs for n in r.hyperparameters} | set(src.space))
    space = []
    for name in names:
        values = [r.hyperparameters[name] for r in src.runs if name in r.hyperparameters]
        role = opts.roles.get(name) or ("scientific" if name in opts.scientific else "nuisance")
        if not values and name in src.space:
            values = list(src.space[name].values[:1]) or [src.space[name].low or 0.0]
        space.append(_axis(name, values, src.space.get(name), role))
    steps = sorted({s for r in src.runs for s in r.steps})
    max_steps = max(1, steps[-1] if steps else 1)
    gaps = [b - a for a, b in zip(steps, steps[1:], strict=False) if b > a]
    eval_every = max(1, min(min(gaps) if gaps else max_steps, max_steps))
    title = opts.title or src.title or f"{src.source.kind} import of {src.source.study or src.source.shown_location}"
    spec: dict[str, Any] = {
        "study_id": opts.study_id,
        "title": title,
        "goal": opts.goal or f"Imported from {src.source.kind}: {src.source.shown_location}",
        # trained elsewhere: the `external` workload (any settings; `run` refuses it)
        "workload": {"name": "external"},
        "objective": {"metric": opts.objective, "direction": str(opts.direction)},
        "search_space": space,
        "trial_budget": max(1, len(src.runs)),
        "max_train_steps": max_steps,
        "eval_every": eval_every,
        "source": src.source.model_dump(mode="json", exclude_defaults=True),
    }
    # a multi-objective source: every objective but the study's own is a trade-off
    others = [{"metric": m, "direction": d} for m, d in src.objectives if m != opts.objective]
    if others:
        spec["trade_offs"] = others
    if opts.baseline is not None:
        spec["baseline"] = {"hyperparameter": opts.baseline[0], "value": opts.baseline[1]}
    if opts.candidate is not None:
        spec["candidate"] = opts.candidate
    return spec, max_steps, eval_every


def _best(steps: tuple[int, ...], values: tuple[float, ...], direction: Direction) -> Best | None:
    pts = [(s, v) for s, v in zip(steps, values, strict=True) if math.isfinite(v)]
    if not pts:
        return None
    pick = min if direction is Direction.MINIMIZE else max
    s, v = pick(pts, key=lambda p: p[1])
    return Best(step=s, value=v)


def build_record(
    run: ImportedRun,
    index: int,
    spec: StudySpec,
    src: ImportedSource,
    tid: str | None = None,
) -> TrialRecord:
    """One trial record of an imported run (raises ``ValidationError`` when it does not fit)."""
    steps = run.steps
    columns = dict(run.curves)
    metric = spec.objective.metric
    status, reason = run.status, run.status_reason
    if metric in columns and not any(math.isfinite(v) for v in columns[metric]):
        del columns[metric]
    # metrics with no curve (the objective, a multi-objective study's other objectives): their
    # final value at the last step
    finals = {k: v for k, v in run.final_metrics.items() if k not in columns}
    if metric not in columns and metric not in finals and run.final_value is not None:
        finals[metric] = run.final_value
    finals = {k: v for k, v in finals.items() if math.isfinite(v)}
    if finals:
        step = steps[-1] if steps else spec.max_train_steps
        if step not in steps:
            steps = (*steps, step)
            columns = {k: (*v, float("nan")) for k, v in columns.items()}
        for name, value in finals.items():
            columns[name] = tuple(value if s == step else float("nan") for s in steps)
    n = len(steps)
    nan = (float("nan"),) * n
    extra = {k: list(v) for k, v in columns.items() if k not in CURVE_COLUMNS}
    curves = Curves(
        step=list(steps),
        **{c: list(columns.get(c, nan)) for c in CURVE_COLUMNS},
        extra=extra,
    )
    best = _best(steps, tuple(curves.column(metric)) if n and metric in columns else (), spec.objective.direction)
    if status is Status.COMPLETE and best is None:
        status, reason = Status.FAILED, f"no finite value of the objective {metric!r} was logged"
    source = src.source.model_copy(update={"run_id": run.run_id, "attrs": dict(run.attrs)})
    created = run.started or dt.datetime.now(dt.UTC)
    return TrialRecord(
        study_id=spec.study_id,
        study_revision=spec.revision,
        trial_id=tid or trial_id(str(src.source.kind), run.run_id),
        index=index,
        hyperparameters=run.hyperparameters,
        seeds=Seeds(init=0, data_order=0, sampler=0),
        status=status,
        status_reason=reason,
        curves=curves,
        best=best,
        final_value=run.final_value if run.final_value is None or math.isfinite(run.final_value) else None,
        max_train_steps=max(spec.max_train_steps, steps[-1] if steps else 1),
        wall_seconds=max(0.0, run.wall_seconds),
        step_seconds=max(0.0, run.wall_seconds) / max(1, steps[-1] if steps else 1),
        execution=Execution(mode="sequential", device="unknown"),
        provenance=Provenance(
            code_version="unknown",
            packages={"reportgen": __version__, str(src.source.kind): src.source.tool_version},
            created_utc=created if created.tzinfo else created.replace(tzinfo=dt.UTC),
            command=f"reportgen import {src.source.kind}",
            source=source,
        ),
    )


def problems_of(e: ValidationError, where: str) -> list[Problem]:
    """A pydantic error as ``path: field: message`` problems."""
    out = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "record"
        out.append(Problem(where, None, loc, err["msg"].removeprefix("Value error, ")))
    return out


def trial_ids(src: ImportedSource, taken: dict[str, str] | None = None) -> dict[str, str]:
    """Source run id -> trial id. A trial is named after the run's name when it has one (an
    MLflow run name, not its 32-hex id), else after its run id; a run name two runs share (or a
    trial of the study already holds) gets the run id's first 8 characters too. Run ids that
    still collide are refused by `check_ids`. ``taken``:
    trial id -> run id of the study's trials (a re-import keeps their ids)."""
    kind = str(src.source.kind)
    existing = {rid: tid for tid, rid in (taken or {}).items()}
    plain = {r.run_id: trial_id(kind, r.name or r.run_id) for r in src.runs}
    clash = Counter(plain[r.run_id] for r in src.runs if r.run_id not in existing)
    held = set(existing.values())
    out = {}
    for r in src.runs:
        if r.run_id in existing:
            out[r.run_id] = existing[r.run_id]
        elif r.name and (clash[plain[r.run_id]] > 1 or plain[r.run_id] in held):
            out[r.run_id] = trial_id(kind, f"{r.name or r.run_id}-{r.run_id[:8]}")
        else:
            out[r.run_id] = plain[r.run_id]
    return out


def check_ids(src: ImportedSource, taken: dict[str, str] | None = None) -> list[Problem]:
    """Runs whose names map to one trial id even so (``lr/0.1``, ``lr-0.1`` and ``lr 0.1`` all
    clean to ``lr-0.1``), among themselves or with a trial of the study (``taken``: trial id ->
    source run id): refused with both names, never merged into one trial."""
    owner: dict[str, str] = dict(taken or {})
    out = []
    for run_id, tid in trial_ids(src, taken).items():
        first = owner.setdefault(tid, run_id)
        if first != run_id:
            out.append(
                Problem(
                    f"{src.source.location}#{run_id}",
                    None,
                    "run_id",
                    f"runs {first!r} and {run_id!r} both map to trial id {tid!r}; rename "
                    "one of them in the source",
                )
            )
    return out


def check_names(src: ImportedSource) -> list[Problem]:
    """Hyperparameter names the schema cannot hold, each reported once."""
    seen: dict[str, str] = {}
    for run in src.runs:
        for name in run.hyperparameters:
            if not _HP_NAME.match(name):
                seen.setdefault(name, run.run_id)
    return [
        Problem(
            f"{src.source.location}#{rid}",
            None,
            f"hyperparameters.{name}",
            "name is not an identifier (letters, digits, '_', dotted namespaces); rename it "
            "in the source",
        )
        for name, rid in seen.items()
    ]

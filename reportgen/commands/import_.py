"""``reportgen import {optuna,tensorboard,mlflow} SOURCE --study ID``: bring an existing study in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reportgen.errors import ReportgenError

DIRECTIONS = ("minimize", "maximize")  # reportgen.schema.Direction, without loading pydantic

KINDS = ("optuna", "tensorboard", "mlflow")
_ROLE_KEYS = {"scientific", "nuisance", "fixed", "objective", "direction", "baseline", "candidate",
              "title", "goal", "tags"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "import",
        help="import a study from Optuna, TensorBoard or MLflow into the logbook",
        description="Read an Optuna study, a TensorBoard log folder or an MLflow experiment and "
        "write logbook/ID/study.yaml plus one validated trial record per finished run. Every "
        "varied hyperparameter becomes nuisance and every constant one fixed unless "
        "--scientific or --roles says otherwise. All or nothing: on any value that cannot be "
        "mapped, the problems are printed as 'path: field: message', nothing is written and the "
        "exit status is 1. Importing again into the same study adds only the runs it lacks.",
    )
    p.add_argument("kind", choices=KINDS, help="the tool that wrote SOURCE")
    p.add_argument(
        "source",
        help="optuna: storage URL or SQLite/journal file; tensorboard: log folder; "
        "mlflow: mlruns folder or sqlite: URI",
    )
    p.add_argument("--study", required=True, help="id of the logbook study to write")
    p.add_argument("--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)")
    p.add_argument("--optuna-study", default=None, help="optuna: study name (needed when the storage holds several)")
    p.add_argument("--experiment", default=None, help="mlflow: experiment name (needed when the store holds several)")
    p.add_argument("--roles", type=Path, default=None, help="YAML with scientific/nuisance/fixed lists, objective, direction, baseline, candidate, title, goal, tags")
    p.add_argument("--scientific", action="append", default=[], metavar="NAME", help="a scientific hyperparameter (repeatable)")
    p.add_argument("--objective", default=None, help="objective curve column (optuna: 'objective', or a multi-objective study's first objective, by its metric name when set; its other objectives become trade-offs; else 'valid_loss')")
    p.add_argument("--direction", choices=DIRECTIONS, default=None, help="minimize or maximize (optuna: the study's own for the chosen objective)")
    p.add_argument("--baseline", default=None, metavar="NAME=VALUE", help="the incumbent value of a scientific hyperparameter")
    p.add_argument("--candidate", default=None, metavar="VALUE", help="the scientific value proposed for launch")
    p.add_argument("--tag", action="append", default=[], metavar="TAG=COLUMN", help="map a logged metric to a curve column (repeatable)")
    p.add_argument("--title", default="", help="study title (default: names the source)")
    p.add_argument("--goal", default="", help="study goal (default: names the source)")
    p.set_defaults(func=run)


def _roles_file(path: Path) -> dict:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as e:
        raise ReportgenError(f"{path}: cannot be read: {e.strerror or e}") from None
    except yaml.YAMLError as e:
        raise ReportgenError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(data, dict):
        raise ReportgenError(f"{path}: roles: expected a mapping")
    unknown = sorted(set(data) - _ROLE_KEYS)
    if unknown:
        raise ReportgenError(f"{path}: {unknown[0]}: unknown key; known: {', '.join(sorted(_ROLE_KEYS))}")
    return data


def run(args: argparse.Namespace) -> int:
    # lazily: `reportgen --help` loads no schema (pydantic)
    from reportgen.importers.runs import parse_scalar
    from reportgen.importers.skeleton import ImportOptions
    from reportgen.importers.tags import parse_mapping
    from reportgen.importers.write import import_study  # noqa: PLC0415
    from reportgen.schema import Direction

    cfg = _roles_file(args.roles) if args.roles else {}
    roles = {}
    for role in ("scientific", "nuisance", "fixed"):
        names = cfg.get(role) or []
        for name in [names] if isinstance(names, str) else names:
            roles[str(name)] = role
    for name in args.scientific:
        roles[name] = "scientific"
    try:
        tags = {**(cfg.get("tags") or {}), **parse_mapping(args.tag)}
    except ValueError as e:
        raise ReportgenError(str(e)) from None
    if args.kind == "optuna":
        from reportgen.importers.optuna_source import OBJECTIVE_COLUMN, read  # noqa: PLC0415

        src = read(args.source, args.optuna_study)
        # a multi-objective study: its first objective, by the study's own name for it
        default_metric = src.objectives[0][0] if src.objectives else OBJECTIVE_COLUMN
    elif args.kind == "tensorboard":
        from reportgen.importers.tensorboard_source import read  # noqa: PLC0415

        src = read(args.source, tags)
        default_metric = "valid_loss"
    else:
        from reportgen.importers.mlflow_source import read  # noqa: PLC0415

        src = read(args.source, args.experiment, tags)
        default_metric = "valid_loss"
    baseline = None
    raw_baseline = args.baseline or cfg.get("baseline")
    if isinstance(raw_baseline, dict):
        baseline = (raw_baseline.get("hyperparameter"), raw_baseline.get("value"))
    elif raw_baseline:
        name, sep, value = str(raw_baseline).partition("=")
        if not sep:
            raise ReportgenError(f"--baseline {raw_baseline!r}: expected NAME=VALUE")
        baseline = (name, parse_scalar(value))
    candidate = parse_scalar(args.candidate) if args.candidate is not None else cfg.get("candidate")
    objective = args.objective or cfg.get("objective") or default_metric
    own = dict(src.objectives).get(objective, src.direction)  # the source's, for that objective
    direction = args.direction or cfg.get("direction") or own or "minimize"
    opts = ImportOptions(
        study_id=args.study,
        objective=objective,
        direction=Direction(direction),
        baseline=baseline,
        candidate=candidate,
        title=args.title or cfg.get("title") or "",
        goal=args.goal or cfg.get("goal") or "",
        roles=roles,
    )
    result = import_study(src, opts, args.logbook)
    verb = "created" if result.created else "updated"
    print(
        f"{verb} {result.folder}: {len(result.added)} runs added, "
        f"{result.skipped} already there (from {args.kind} {args.source})",
        file=sys.stderr,
    )
    return 0

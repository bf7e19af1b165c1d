"""``reportgen complete``: write a suggested trial from the curves an external loop produced."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from reportgen.errors import ReportgenError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "complete",
        help="write a trial handed out by `reportgen suggest` from its curves",
        description="Finish a trial handed out by `reportgen suggest`: read its eval points from "
        "CURVES, a JSON object of columns {\"step\": [...], \"train_loss\": [...], "
        "\"valid_loss\": [...], \"valid_error\": [...], ...} (NaN/Infinity allowed; other "
        "columns are kept as extra curves), and write the trial record atomically with the "
        "suggested values, index and seeds. --status diverged/failed with --reason marks it "
        "infeasible. No JAX needed.",
    )
    p.add_argument("study", metavar="STUDY", help="study id: a folder under the logbook")
    p.add_argument("trial", metavar="TRIAL", help="the trial id `reportgen suggest` printed")
    p.add_argument("--curves", type=Path, required=True, help="JSON file of curve columns")
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.add_argument(
        "--status", choices=("complete", "diverged", "failed"), default="complete",
        help="how the trial ended (default complete; a non-finite train loss makes it diverged)",
    )
    p.add_argument("--reason", default="", help="why it diverged or failed")
    p.add_argument(
        "--test-metric", action="append", default=[], metavar="NAME=VALUE",
        help="a test-split metric (repeatable)",
    )
    p.set_defaults(func=run)


def _columns(path: Path) -> dict[str, list[float]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ReportgenError(f"{path}: cannot be read: {e.strerror or e}") from None
    except ValueError as e:
        raise ReportgenError(f"{path}: not valid JSON: {e}") from None
    if not isinstance(data, dict) or "step" not in data:
        raise ReportgenError(f"{path}: expected an object of columns with a 'step' column")
    n = len(data["step"])
    for name, col in data.items():
        if not isinstance(col, list) or len(col) != n:
            raise ReportgenError(f"{path}: {name}: expected a list of {n} values like 'step'")
    return data


def run(args: argparse.Namespace) -> int:
    from reportgen.logger import open_suggested

    if args.status != "complete" and not args.reason:
        raise ReportgenError(f"--status {args.status} needs --reason")
    tests = {}
    for item in args.test_metric:
        name, sep, value = item.partition("=")
        try:
            tests[name] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name:
            raise ReportgenError(f"--test-metric {item!r}: expected NAME=VALUE")
    cols = _columns(args.curves)
    trial = open_suggested(args.logbook, args.study, args.trial, progress=False)
    try:
        for i, step in enumerate(cols["step"]):
            metrics = {
                k: (math.nan if v[i] is None else float(v[i])) for k, v in cols.items() if k != "step"
            }
            trial.log(step, **metrics)
    except (ReportgenError, TypeError, ValueError) as e:
        trial.fail(f"reportgen complete could not read {args.curves.name}: {e}")
        raise ReportgenError(f"{args.curves}: {e}") from None
    if args.status == "diverged":
        record = trial.diverged(args.reason)
    elif args.status == "failed":
        record = trial.fail(args.reason)
    else:
        record = trial.finish(tests)
    best = f", best {record.best.value:.4g} at step {record.best.step}" if record.best else ""
    print(f"complete {args.study}: wrote {record.trial_id} ({record.status}{best})")
    return 0

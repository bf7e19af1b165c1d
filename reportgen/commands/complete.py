"""``reportgen complete``: write a suggested trial from the curves an external loop produced."""

from __future__ import annotations

import argparse
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
        "infeasible. The whole file is checked before anything is written: a bad file leaves "
        "the point handed out, to fix and complete again; a trial is written once. No JAX "
        "needed.",
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
    p.add_argument(
        "--owner", default=None,
        help="the owner `reportgen suggest` printed for the point; needed once the point has "
        "been handed out more than once (an earlier claim ran out), refused when it is not the "
        "point's owner",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportgen.logger.complete import complete_suggested
    from reportgen.schema import Status

    if args.status != "complete" and not args.reason:
        raise ReportgenError(f"--status {args.status} needs --reason")
    tests = {}
    for item in args.test_metric:
        name, sep, value = item.partition("=")
        try:
            tests[name] = float(value)
        except ValueError:
            sep = ""
        if not sep or not name or not math.isfinite(tests.get(name, math.nan)):
            raise ReportgenError(f"--test-metric {item!r}: expected NAME=VALUE with a finite value")
    record = complete_suggested(
        args.logbook, args.study, args.trial, args.curves, status=Status(args.status),
        reason=args.reason, test_metrics=tests, owner=args.owner,
    )  # fmt: skip
    best = f", best {record.best.value:.4g} at step {record.best.step}" if record.best else ""
    print(f"complete {args.study}: wrote {record.trial_id} ({record.status}{best})")
    return 0

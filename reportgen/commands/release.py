"""``reportgen release``: give points handed out by ``reportgen suggest`` back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "release",
        help="give points handed out by `reportgen suggest` back, before their lease ends",
        description="End the claims on points handed out by `reportgen suggest` and forget the "
        "hand-outs, so the next `suggest` hands them out again at once instead of after their "
        "lease. With TRIAL ids, those points (refused if one is not handed out); without, every "
        "point of the study handed out, or only those of --owner. Written trials are never "
        "touched. No JAX needed.",
    )
    p.add_argument("study", metavar="STUDY", help="study id: a folder under the logbook")
    p.add_argument("trials", metavar="TRIAL", nargs="*", help="trial ids to give back")
    p.add_argument("--owner", default=None, help="only points handed out to this owner")
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportgen.logger.record import load_valid_spec
    from reportgen.store.suggested import release_points

    load_valid_spec(args.logbook, args.study)  # a clear error for a study that is not there
    released = release_points(args.logbook, args.study, args.trials, args.owner)
    for trial_id in released:
        print(trial_id)
    print(f"release {args.study}: {len(released)} point(s) given back", file=sys.stderr)
    return 0

"""``reportgen check``: the only validator of a logbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reportgen.store import load_logbook


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="validate every study spec and trial record",
        description="Validate every study spec and trial record under the logbook. Prints every "
        "problem as 'path[:line]: field: message' and exits 1 if there is any, 0 otherwise.",
    )
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    book = load_logbook(args.logbook)
    for problem in book.problems:
        print(problem)
    n_trials = sum(len(s.trials) for s in book.studies)
    if book.problems:
        print(
            f"{len(book.problems)} problem(s); {len(book.studies)} valid stud(ies), {n_trials} valid trial(s)",
            file=sys.stderr,
        )
        return 1
    print(
        f"ok: {len(book.studies)} stud(ies), {n_trials} trial(s) in {args.logbook}", file=sys.stderr
    )
    return 0

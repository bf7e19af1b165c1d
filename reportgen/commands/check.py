"""``reportgen check``: the only validator of a logbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
    from reportgen.store import load_logbook  # lazily: `reportgen --help` needs no schema

    book = load_logbook(args.logbook)
    for problem in book.problems:
        print(problem)
    n_trials = sum(len(s.trials) for s in book.studies)
    counts = (
        f"{_plural(len(book.studies), 'study', 'studies')}, {_plural(n_trials, 'trial', 'trials')}"
    )
    if book.problems:
        print(
            f"{_plural(len(book.problems), 'problem', 'problems')}; valid: {counts}",
            file=sys.stderr,
        )
        return 1
    print(f"ok: {counts} in {args.logbook}", file=sys.stderr)
    return 0


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"

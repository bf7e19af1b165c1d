"""``reportgen check``: the only validator of a logbook."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the schema and store load lazily: `reportgen --help` needs neither
    from reportgen.errors import Problem


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="validate every study spec and trial record",
        description="Validate every study spec and trial record under the logbook, and each "
        "spec against the registries and its workload's settings model (what `reportgen run` "
        "would reject; no JAX needed). Prints every problem as 'path[:line]: field: message' and "
        "exits 1 if there is any; warnings ('field: warning: ...') alone exit 0.",
    )
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.set_defaults(func=run)


def study_findings(book, logbook: Path) -> tuple[list[Problem], list[Problem]]:  # type: ignore[no-untyped-def]
    """Errors and warnings beyond the schema: registries, workload settings, hidden defaults.
    A workload named by import path is imported only when the repository allows it."""
    from reportgen.registry.checks import spec_findings
    from reportgen.registry.trust import plugin_policy
    from reportgen.store.parse import line_of, parse_yaml
    from reportgen.store.unsearched import unsearched_disagreements

    policy = plugin_policy(logbook)
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for study in book.studies:
        spec_file = study.folder / "study.yaml"
        shown = _shown(spec_file)
        _, node, _ = parse_yaml(spec_file.read_bytes(), shown)
        errs, warns = spec_findings(
            study.spec, shown, lambda loc, node=node: line_of(node, loc), policy
        )
        errors += errs
        warnings += warns
        errors += unsearched_disagreements(study)
    return errors, warnings


def _shown(path: Path) -> str:
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def run(args: argparse.Namespace) -> int:
    from reportgen.store import load_logbook  # lazily: `reportgen --help` needs no schema

    book = load_logbook(args.logbook, cached=True)
    errors, warnings = study_findings(book, args.logbook)
    problems = [*book.problems, *errors]
    for problem in problems:
        print(problem)
    for warning in warnings:
        print(warning)
    n_trials = sum(len(s.trials) for s in book.studies)
    counts = (
        f"{_plural(len(book.studies), 'study', 'studies')}, {_plural(n_trials, 'trial', 'trials')}"
    )
    if problems:
        print(
            f"{_plural(len(problems), 'problem', 'problems')}; valid: {counts}",
            file=sys.stderr,
        )
        return 1
    extra = f" ({_plural(len(warnings), 'warning', 'warnings')})" if warnings else ""
    print(f"ok: {counts} in {args.logbook}{extra}", file=sys.stderr)
    return 0


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"

"""Errors and the problems that `reportgen check` reports.

A `Problem` is data (a bad file is reported, never raised past the store);
`ReportgenError` is for bad input met by a command, printed without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, printed as ``path[:line]: field: message``."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.field}: {self.message}"


class ReportgenError(Exception):
    """Bad input or a failed precondition; the CLI prints it and exits 1."""


class InvalidRecords(ReportgenError):
    """Raised by commands that cannot go on because records are invalid."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def stopped_by(e: OSError, command: str, untouched: str, again: str) -> ReportgenError:
    """A clear error for an OS failure (full disk, a folder that cannot be written) mid-command.

    Says what failed and on which path, what is known to be intact, and how to go on.
    """
    where = f"{e.filename}: " if e.filename else ""
    what = e.strerror or str(e)
    return ReportgenError(f"stopped: {where}{what}. {untouched} Fix the cause, then {again}")

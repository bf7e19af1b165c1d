"""A pydantic validation error as the store's problems: one per field, with its line when the
YAML node is at hand (shared by the spec, trial and throughput readers)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from reportgen.errors import Problem
from reportgen.store.parse import line_of


def validation_problems(e: ValidationError, path: str, node: Any = None) -> list[Problem]:
    """A pydantic error as one problem per field (with its line when a YAML ``node`` is given)."""
    out = []
    for err in e.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        fld = ".".join(str(x) for x in loc) or "(record)"
        msg = err.get("msg", "invalid")
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.append(Problem(path, line_of(node, loc) if node is not None else None, fld, msg))
    return out

"""A pydantic validation error as the store's problems: one per field, with its line when the
YAML node is at hand (shared by the spec, trial and throughput readers), and the careful path
from JSON bytes to a model that reports them."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reportgen.errors import Problem
from reportgen.store.parse import line_of, parse_json

_M = TypeVar("_M", bound=BaseModel)


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


def parse_model(raw: bytes, shown: str, model: type[_M]) -> tuple[_M | None, list[Problem]]:
    """JSON bytes validated as ``model``, or every problem: bad JSON, not an object, each field
    pydantic refuses, or nesting too deep."""
    data, problems = parse_json(raw, shown)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [
            Problem(shown, 1, "(record)", f"expected a JSON object, got {type(data).__name__}")
        ]
    try:
        return model.model_validate(data), []
    except ValidationError as e:
        return None, validation_problems(e, shown)
    except RecursionError:
        return None, [Problem(shown, None, "file", "nested too deeply")]

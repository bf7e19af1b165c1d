"""Defensive parsing of JSON and YAML bytes into plain data, with line numbers for errors.

Nothing here raises on bad input: every failure comes back as a `Problem`.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from reportgen.errors import Problem

MAX_FILE_BYTES = 64 * 1024 * 1024


class _NoAliasLoader(yaml.SafeLoader):
    """A safe loader that refuses YAML aliases (which make 'billion laughs' bombs possible)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a study spec", event.start_mark
            )
        return super().compose_node(parent, index)


def decode_text(raw: bytes, path: str) -> tuple[str | None, list[Problem]]:
    if len(raw) > MAX_FILE_BYTES:
        return None, [Problem(path, None, "file", f"larger than {MAX_FILE_BYTES} bytes")]
    if not raw.strip():
        return None, [Problem(path, None, "file", "is empty")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return None, [Problem(path, line, "file", f"not valid UTF-8 (byte {e.start})")]


def parse_json(raw: bytes, path: str) -> tuple[Any, list[Problem]]:
    text, problems = decode_text(raw, path)
    if text is None:
        return None, problems
    try:
        return json.loads(text), []
    except json.JSONDecodeError as e:
        return None, [Problem(path, e.lineno, "file", f"not valid JSON: {e.msg}")]
    except RecursionError:
        return None, [Problem(path, None, "file", "JSON nested too deeply")]


def parse_yaml(raw: bytes, path: str) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """Parse YAML; return the data, its node tree (for line numbers) and problems."""
    text, problems = decode_text(raw, path)
    if text is None:
        return None, None, problems
    loader = None
    try:
        loader = _NoAliasLoader(text)
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        msg = " ".join(x for x in (e.context, e.problem) if x) or "invalid"
        return None, None, [Problem(path, line, "file", f"not valid YAML: {msg}")]
    except yaml.YAMLError as e:
        return None, None, [Problem(path, None, "file", f"not valid YAML: {e}")]
    except RecursionError:
        return None, None, [Problem(path, None, "file", "YAML nested too deeply")]
    finally:
        if loader is not None:
            loader.dispose()
    return data, node, []


def line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (a pydantic error location), or its nearest parent."""
    if node is None:
        return None
    best = node.start_mark.line + 1
    for key in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    child = v
                    best = k.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(key, int)
            and 0 <= key < len(node.value)
        ):
            child = node.value[key]
            best = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return best

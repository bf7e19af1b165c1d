"""ARCHITECTURE.md stays true: its layer table is the one the import test enforces, and the
code has no import cycle (imports inside functions included)."""

from __future__ import annotations

import ast
import re

from tests.architecture.test_layers import RULES, imports, modules
from tests.conftest import REPO


def documented_layers() -> dict[str, tuple[str, ...]]:
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("<!-- layer table", 1)[1].split("<!-- end of layer table -->", 1)[0]
    out = {}
    for row in table.splitlines():
        m = re.match(r"\|\s*`([\w.]+)`\s*\|\s*(.*?)\s*\|\s*$", row)
        if m:
            out[m.group(1)] = tuple(x.strip() for x in m.group(2).split(","))
    return out


def test_the_layer_table_is_the_enforced_one():
    documented = documented_layers()
    assert {k: set(v) for k, v in documented.items()} == {k: set(v) for k, v in RULES.items()}


def import_graph() -> dict[str, set[str]]:
    known = {name for name, _ in modules()}
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in modules():
        module = name + ".__init__" if path.name == "__init__.py" else name
        for target, _ in imports(ast.parse(path.read_text(encoding="utf-8")), module):
            while target and target not in known:  # `from a.b import c`: c may be a name
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle():
    assert cycles(import_graph()) == []


def long_modules_explained() -> set[str]:
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    table = text.split("### Modules over 400 lines", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\|\s*`([\w/.]+\.py)`\s*\|", table, re.M))


def test_no_module_over_400_lines_without_a_stated_reason():
    long = set()
    for folder in ("reportgen", "runners", "bench", "scripts", "examples"):
        for path in (REPO / folder).rglob("*.py"):
            if len(path.read_text(encoding="utf-8").splitlines()) > 400:
                long.add(path.relative_to(REPO).as_posix())
    explained = long_modules_explained()
    assert long <= explained, f"over 400 lines with no reason in ARCHITECTURE.md: {sorted(long - explained)}"
    # a reason for a module that is no longer long is stale
    assert explained <= long, f"listed as long but no longer over 400 lines: {sorted(explained - long)}"

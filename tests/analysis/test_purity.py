"""The analysis layer stays pure: no file I/O, no store, charts, templates or JAX (DESIGN §3)."""

from __future__ import annotations

import ast
from pathlib import Path

ANALYSIS = Path(__file__).resolve().parents[2] / "reportgen" / "analysis"
FORBIDDEN = (
    "altair",
    "jinja2",
    "jax",
    "optax",
    "reportgen.store",
    "reportgen.charts",
    "reportgen.pages",
    "pathlib",
    "os",
)
IO_CALLS = {"open", "print", "input"}


def test_analysis_imports_and_calls_nothing_impure():
    for path in sorted(ANALYSIS.glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in FORBIDDEN), (
                    f"{path.name} imports {name}"
                )
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in IO_CALLS, f"{path.name} calls {node.func.id}()"

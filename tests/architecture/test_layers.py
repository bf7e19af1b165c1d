"""The layer rules of DESIGN §3, checked by walking every module's imports."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

# layer prefix -> forbidden import prefixes (module level and inside functions alike)
RULES: dict[str, tuple[str, ...]] = {
    "reportgen.schema": (
        "numpy",
        "pandas",
        "scipy",
        "altair",
        "jinja2",
        "jax",
        "optax",
        "reportgen.store",
        "reportgen.analysis",
        "reportgen.charts",
        "reportgen.pages",
        "reportgen.site",
        "reportgen.review",
        "runners",
    ),
    "reportgen.errors": (
        "numpy",
        "pandas",
        "altair",
        "jinja2",
        "jax",
        "reportgen.schema",
        "reportgen.store",
    ),
    "reportgen.guidance": (
        "numpy",
        "pandas",
        "altair",
        "jinja2",
        "jax",
        "reportgen.store",
        "reportgen.analysis",
    ),
    "reportgen.store": (
        "reportgen.analysis",
        "reportgen.charts",
        "reportgen.pages",
        "reportgen.site",
        "reportgen.review",
        "altair",
        "jinja2",
        "jax",
        "runners",
    ),
    "reportgen.analysis": (
        "reportgen.store",
        "reportgen.charts",
        "reportgen.pages",
        "reportgen.site",
        "reportgen.review",
        "altair",
        "jinja2",
        "jax",
        "runners",
        "os",
        "pathlib",
        "shutil",
        "subprocess",
        "io",
    ),
    "reportgen.charts": (
        "reportgen.analysis",
        "reportgen.store",
        "reportgen.site",
        "jinja2",
        "numpy",
        "scipy",
        "pandas",
        "statistics",
        "jax",
        "runners",
    ),
    "reportgen.pages": ("reportgen.store", "reportgen.site", "jax", "runners"),
    # the trial logger runs inside any framework's loop: no JAX, no analysis or rendering
    "reportgen.logger": (
        "jax",
        "optax",
        "flax",
        "runners",
        "reportgen.analysis",
        "reportgen.charts",
        "reportgen.pages",
        "reportgen.site",
        "reportgen.review",
    ),
    # names and settings models that `check` and the runners share; workload modules are
    # imported by their entry string (importlib), never by a static import
    "reportgen.registry": (
        "jax",
        "optax",
        "runners",
        "reportgen.store",
        "reportgen.analysis",
        "reportgen.charts",
        "reportgen.pages",
        "reportgen.site",
        "reportgen.review",
    ),
    # importers: schema, store, errors; optuna / tensorboard / mlflow only lazily (see below)
    "reportgen.importers": (
        "reportgen.analysis",
        "reportgen.charts",
        "reportgen.pages",
        "reportgen.site",
        "reportgen.review",
        "altair",
        "jinja2",
        "jax",
        "runners",
    ),
    "reportgen.site": ("jax", "runners"),
    "reportgen.review": ("jax", "runners"),
    "runners": (
        "reportgen.analysis",
        "reportgen.charts",
        "reportgen.pages",
        "reportgen.site",
        "reportgen.review",
    ),
}
# Only this module may import `runners` (lazily, inside a function): the training commands' helper.
LAZY_RUNNERS = (
    "reportgen.commands._runner_args",
    "reportgen.commands.suggest",  # the search points (scipy/optuna, no JAX)
)
IO_CALLS = {
    "open",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "mkdir",
    "unlink",
    "print",
}


def modules() -> list[tuple[str, Path]]:
    out = []
    for pkg in ("reportgen", "runners"):
        for path in sorted((REPO / pkg).rglob("*.py")):
            rel = path.relative_to(REPO).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out.append((".".join(parts), path))
    return out


def imports(tree: ast.AST, module: str) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import in the tree."""
    found = []
    top = set(map(id, getattr(tree, "body", [])))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = (
                    module.split(".")[: -node.level]
                    if not module.endswith("__init__")
                    else module.split(".")
                )
                names = [".".join([*base, node.module or ""]).rstrip(".")]
            else:
                names = [node.module or ""]
        found += [(n, id(node) in top) for n in names]
    return found


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_layer_rules(module, path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rules = [forbidden for layer, forbidden in RULES.items() if _under(module, layer)]
    for name, at_top in imports(tree, module):
        for forbidden in rules:
            bad = [f for f in forbidden if _under(name, f)]
            assert not bad, f"{module} imports {name} (forbidden by DESIGN §3)"
        if module.startswith("reportgen") and (_under(name, "runners") or _under(name, "jax")):
            assert module in LAZY_RUNNERS and not at_top, (
                f"{module} imports {name}; only {LAZY_RUNNERS} may, lazily"
            )


IMPORTER_LIBRARIES = ("optuna", "tensorboard", "tensorboardX", "mlflow", "tbparse")


@pytest.mark.parametrize(("module", "path"), modules(), ids=[m for m, _ in modules()])
def test_importer_libraries_are_imported_lazily(module, path):
    """optuna / tensorboard / mlflow are optional extras: never imported at module level."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for name, at_top in imports(tree, module):
        if any(_under(name, lib) for lib in IMPORTER_LIBRARIES) and module.startswith("reportgen"):
            assert not at_top, f"{module} imports {name} at module level; import it lazily"


@pytest.mark.parametrize(
    ("module", "path"), [m for m in modules() if _under(m[0], "reportgen.analysis")]
)
def test_analysis_does_no_io(module, path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            fn = node.func
            name = (
                fn.id
                if isinstance(fn, ast.Name)
                else fn.attr
                if isinstance(fn, ast.Attribute)
                else ""
            )
            assert name not in IO_CALLS, (
                f"{module}:{node.lineno} calls {name}() — analysis must stay pure"
            )


def test_reportgen_imports_without_jax():
    """`reportgen check/build/analyze/review` work with no JAX installed."""
    code = (
        "import sys, importlib, pkgutil\n"
        "for m in ('jax', 'jaxlib', 'optax', 'flax', 'runners'): sys.modules[m] = None\n"
        "import reportgen\n"
        "for info in pkgutil.walk_packages(reportgen.__path__, 'reportgen.'):\n"
        "    if not info.name.endswith('__main__'): importlib.import_module(info.name)\n"
        "from reportgen.cli import parser\n"
        "parser()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr

"""Which workload code reportgen may import for a logbook: the trust boundary.

A study names its workload by ``name`` (a built-in, or one an installed distribution registers
in the ``tuning_logbook.workloads`` entry-point group) or by ``entry``, an import path. Importing
a module runs it, and a study spec is data that anyone who can open a pull request can write, so
an ``entry`` is imported only when the repository's owner listed it *outside* the logbook::

    # pyproject.toml, in the folder that holds logbook/ (or a folder above it)
    [tool.reportgen]
    plugins = ["my_models"]          # a package: every module under it
    # plugins = ["my_models.cnn:make_workload"]   # or one entry exactly

Built-in and installed workloads were put there by whoever installed them and are always
allowed. The ``pyproject.toml`` is looked for from the logbook's parent folder upwards, never
inside the logbook, so a change confined to ``logbook/`` can neither name new code nor allow it.
An allowed module that lives inside the logbook folder is refused all the same.

When an allowed entry is imported, the folder holding the logbook and the working folder are on
the import path (as pytest's rootdir is), so a plugin next to the logbook imports with the
console script as it does with ``python -m``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import ReportgenError

CONFIG_NAME = "pyproject.toml"


class PluginNotAllowed(ReportgenError):
    """A study names an import path the repository has not allowed."""


@dataclass(frozen=True)
class PluginPolicy:
    """The plugins the repository allows, read from ``config`` (None: no config found)."""

    allowed: tuple[str, ...] = ()
    config: Path | None = None
    logbook: Path | None = None

    def allows(self, target: str) -> bool:
        """Whether ``module:attr`` is listed, or its module is (or lies under) a listed one."""
        module = target.partition(":")[0]
        for item in self.allowed:
            if ":" in item:
                if item == target:
                    return True
            elif module == item or module.startswith(item + "."):
                return True
        return False

    def refusal(self, target: str) -> str:
        """Why ``target`` is not imported, and how the owner allows it."""
        where = str(self.config) if self.config else f"{CONFIG_NAME} beside the logbook folder"
        module = target.partition(":")[0]
        return (
            f"workload entry {target!r} is not an allowed plugin, so it was not imported (a "
            f"study file cannot make reportgen run code); to allow it, add "
            f"plugins = [\"{module}\"] under [tool.reportgen] in {where}"
        )

    def search_path(self) -> list[str]:
        """Folders put on the import path while an allowed entry is imported."""
        out = []
        if self.logbook is not None:
            out.append(str(self.logbook.resolve().parent))
        if self.config is not None:
            out.append(str(self.config.parent))
        out.append(os.getcwd())
        return list(dict.fromkeys(out))


def find_config(logbook: Path) -> Path | None:
    """The ``pyproject.toml`` that governs ``logbook``: from its parent folder upwards."""
    folder = Path(logbook).resolve().parent
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_NAME
        if path.is_file():
            return path
    return None


def plugin_policy(logbook: Path | str | None) -> PluginPolicy:
    """The allow-list of the repository holding ``logbook`` (empty when there is none)."""
    if logbook is None:
        return PluginPolicy()
    logbook = Path(logbook)
    config = find_config(logbook)
    if config is None:
        return PluginPolicy(logbook=logbook)
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ReportgenError(f"{config}: cannot be read as TOML: {e}") from None
    table = data.get("tool", {}).get("reportgen", {})
    plugins = table.get("plugins", []) if isinstance(table, dict) else []
    if not isinstance(plugins, list) or not all(isinstance(p, str) and p for p in plugins):
        raise ReportgenError(
            f"{config}: tool.reportgen.plugins: expected a list of module names or "
            "'package.module:attribute' entries"
        )
    return PluginPolicy(tuple(plugins), config, logbook)


def inside(path: Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def prepare_import(policy: PluginPolicy, target: str) -> None:
    """Put the logbook's folder and the working folder on the import path (they stay: the plugin
    may import more of its package later), and refuse a module that would come from inside the
    logbook folder."""
    sys.path[:0] = [p for p in policy.search_path() if p not in sys.path]
    top = target.partition(":")[0].split(".")[0]
    if policy.logbook is None or top in sys.modules:
        return
    found = importlib.util.find_spec(top)  # the top-level name only: runs nothing
    places = [] if found is None else [
        *([found.origin] if found.origin else []),
        *(found.submodule_search_locations or []),
    ]
    if any(inside(Path(p), policy.logbook) for p in places if os.path.exists(p)):
        raise PluginNotAllowed(
            f"workload entry {target!r}: {top!r} would be imported from inside the logbook "
            f"folder {policy.logbook}; plugin code must live outside it"
        )

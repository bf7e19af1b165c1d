"""What a record says about the code that wrote it: the git version of the working tree and the
versions of the installed packages. One place for the runners and the trial logger."""

from __future__ import annotations

import functools
import importlib.metadata
import subprocess
from collections.abc import Iterable


@functools.cache
def code_version(cwd: str | None = None) -> str:
    """``git describe --always --dirty`` of the repository at ``cwd`` (the process's working
    folder by default), or ``unknown`` outside git."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
        )
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def installed_versions(names: Iterable[str]) -> dict[str, str]:
    """The installed version of each package of ``names`` that is installed, by name."""
    out = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return out

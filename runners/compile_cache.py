"""JAX's persistent compilation cache, on by default: a second process (or a ``retrain`` of the
same shapes) loads the compiled group programs from disk instead of compiling them again.

Where it lives: ``$REPORTGEN_COMPILE_CACHE`` if set (``off`` turns the cache off), else
``$XDG_CACHE_HOME/reportgen/jax`` (``~/.cache/reportgen/jax``). Entries are keyed by JAX on the
program, its shapes, the devices and the JAX version, so a stale entry is never used; the folder
may be deleted at any time.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "REPORTGEN_COMPILE_CACHE"
OFF = ("off", "0", "false", "no", "none")


def cache_folder() -> Path | None:
    """The cache folder in use, or None when the user turned it off."""
    value = os.environ.get(ENV, "").strip()
    if value.lower() in OFF:
        return None
    if value:
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "reportgen" / "jax"


def enable_compilation_cache() -> Path | None:
    """Point JAX at the cache folder (every program is cached, however fast it compiled)."""
    import jax

    folder = cache_folder()
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # an unwritable cache folder costs speed, never the run
    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    return folder

"""Compiled Jinja templates kept between builds (Jinja's own bytecode cache).

MkDocs makes a fresh Jinja environment on every build, so every build parses and compiles
mkdocs-material's templates and partials again: about a second and a half of a one-study
rebuild on a slow 2-core machine. ``run_mkdocs`` makes every environment the theme creates
(MkDocs' own, and the one mkdocs-material's search plugin makes for its translations) carry a
``jinja2.FileSystemBytecodeCache`` in the user's cache folder; the page renderer's own
environment (``reportgen.pages.render``, compiled once in every build worker) uses it too.
Jinja stores each template's source checksum with its code and compiles again whenever the
source differs, so a theme upgrade or an edited override is never served stale. Jinja's key does not cover the
environment's options or its own version, so each combination of those (and of MkDocs' version)
gets a folder of its own. The HTML is the same with or without the cache (a test).

The folder is ``$XDG_CACHE_HOME/reportgen/jinja`` (``~/.cache/reportgen/jinja`` by default), or
the folder that ``REPORTGEN_TEMPLATE_CACHE`` names; ``REPORTGEN_TEMPLATE_CACHE=off`` turns the
cache off. A folder that cannot be created only costs the compile time.
"""

from __future__ import annotations

import hashlib
import os
from importlib import metadata
from pathlib import Path
from typing import Any

ENV_SWITCH = "REPORTGEN_TEMPLATE_CACHE"


def cache_folder() -> Path | None:
    """Where compiled templates are kept, or None when the cache is off or unusable."""
    chosen = os.environ.get(ENV_SWITCH, "")
    if chosen.lower() in {"off", "0", "no"}:
        return None
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = Path(chosen) if chosen else root / "reportgen" / "jinja"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def environment_key(env: Any) -> str:
    """What compiled code depends on besides a template's source: versions and options."""
    import jinja2

    try:
        mkdocs = metadata.version("mkdocs")
    except metadata.PackageNotFoundError:
        mkdocs = "absent"
    parts = [
        jinja2.__version__,
        mkdocs,
        sorted(env.extensions),
        repr(env.autoescape),
        env.block_start_string, env.block_end_string, env.variable_start_string,
        env.variable_end_string, env.comment_start_string, env.comment_end_string,
        repr(env.line_statement_prefix), repr(env.line_comment_prefix),
        env.trim_blocks, env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
        env.optimized, type(env).__qualname__, getattr(env.finalize, "__qualname__", None),
        getattr(env.undefined, "__qualname__", None),
    ]  # fmt: skip
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def with_cache(env: Any) -> Any:
    """``env`` with a bytecode cache in its own keyed folder (unchanged when it has one, or
    when the cache is off or unusable)."""
    from jinja2 import FileSystemBytecodeCache

    folder = cache_folder()
    if folder is None or env.bytecode_cache is not None:
        return env
    keyed = folder / environment_key(env)
    try:
        keyed.mkdir(exist_ok=True)
    except OSError:
        return env
    env.bytecode_cache = FileSystemBytecodeCache(str(keyed))
    return env


def attach(theme: Any) -> None:
    """Make every Jinja environment ``theme.get_env()`` returns use the cache."""
    make = theme.get_env
    theme.get_env = lambda: with_cache(make())

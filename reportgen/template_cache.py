"""Compiled Jinja templates kept between builds (Jinja's own bytecode cache).

MkDocs makes a fresh Jinja environment on every build, so every build parses and compiles
mkdocs-material's templates and partials again: about a second and a half of a one-study
rebuild on a slow 2-core machine. ``run_mkdocs`` makes every environment the theme creates
(MkDocs' own, and the one mkdocs-material's search plugin makes for its translations) carry a
``jinja2.FileSystemBytecodeCache`` in the user's cache folder; the page renderer's own
environment (``reportgen.pages.render``, compiled once in every build worker) uses it too.
Jinja un-marshals the compiled code it finds, so every file is sealed with a private key of the
cache folder and handed to Jinja only when its seal checks out (`store.cache_seal`): a file
planted or edited there is compiled afresh, never run. Jinja stores each template's source
checksum with its code and compiles again whenever the source differs, so a theme upgrade or an edited override is never served stale. Jinja's key does not cover the
environment's options or its own version, so each combination of those (and of MkDocs' version)
gets a folder of its own. The HTML is the same with or without the cache (a test).

The folder is ``$XDG_CACHE_HOME/reportgen/jinja`` (``~/.cache/reportgen/jinja`` by default), or
the folder that ``REPORTGEN_TEMPLATE_CACHE`` names; ``REPORTGEN_TEMPLATE_CACHE=off`` turns the
cache off. A folder that cannot be created only costs the compile time.
"""

from __future__ import annotations

import hashlib
import os
import sys
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


LIMIT = 1 << 24  # bytes: mkdocs-material's biggest compiled template is ~100 KB
_WARNED: list[Path] = []  # a failed write is said once per process


def _sealed_cache(folder: Path, seal: Any) -> Any:
    """A Jinja bytecode cache whose files are sealed (`store.cache_seal`): Jinja un-marshals
    compiled code, so a file is handed to it only when its seal, made with this cache folder's
    private key, checks out; a planted, edited or torn file is a miss (compiled again). A write
    that fails (a full disk) is skipped with one warning: the build goes on without the cache."""
    import io

    from jinja2.bccache import BytecodeCache

    from reportgen.store.cache_seal import read_sealed, write_sealed

    class SealedBytecodeCache(BytecodeCache):

        def _path(self, bucket: Any) -> Path:
            return folder / f"{bucket.key}.cache"  # Jinja's key: a hex digest

        def load_bytecode(self, bucket: Any) -> None:
            body = read_sealed(self._path(bucket), seal, LIMIT)
            if body is not None:
                bucket.load_bytecode(io.BytesIO(body))

        def dump_bytecode(self, bucket: Any) -> None:
            out = io.BytesIO()
            bucket.write_bytecode(out)
            try:
                write_sealed(self._path(bucket), seal, out.getvalue())
            except OSError as e:
                if not _WARNED:
                    _WARNED.append(folder)
                    print(
                        f"reportgen: warning: compiled templates not kept in {folder}: "
                        f"{e.strerror or e} (the build goes on without that cache)",
                        file=sys.stderr,
                    )

        def clear(self) -> None:
            for f in folder.glob("*.cache"):
                f.unlink(missing_ok=True)

    return SealedBytecodeCache()


def with_cache(env: Any) -> Any:
    """``env`` with a sealed bytecode cache in its own keyed folder (unchanged when it has one,
    or when the cache is off or unusable)."""
    from reportgen.store.cache_seal import sealer

    folder = cache_folder()
    if folder is None or env.bytecode_cache is not None:
        return env
    keyed = folder / environment_key(env)
    try:
        keyed.mkdir(exist_ok=True)
    except OSError:
        return env
    seal = sealer(folder)
    if seal is None:
        return env
    env.bytecode_cache = _sealed_cache(keyed, seal)
    return env


def attach(theme: Any) -> None:
    """Make every Jinja environment ``theme.get_env()`` returns use the cache."""
    make = theme.get_env
    theme.get_env = lambda: with_cache(make())

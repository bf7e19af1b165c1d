"""The generator's identity: a digest of everything that shapes a generated page.

A study is re-rendered when its records change or when this digest changes (new version,
edited template, chart, page code or vendored asset, or a template the project overrides in its
own ``templates/`` folder).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from reportgen import __version__

PACKAGE = Path(__file__).resolve().parent.parent
SHAPING = ("templates", "assets", "charts", "pages", "site", "analysis", "schema")


def generator_digest() -> str:
    """The package's digest, and the project's template overrides' (read on every call)."""
    from reportgen.pages.render import user_templates

    user = user_templates()
    if user is None:
        return _package_digest()
    h = hashlib.sha256(_package_digest().encode())
    for f in sorted(user.rglob("*")):
        if f.is_file():
            h.update(str(f.relative_to(user)).encode() + b"\0")
            h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


@lru_cache(maxsize=1)
def _package_digest() -> str:
    h = hashlib.sha256(__version__.encode())
    for part in SHAPING:
        root = PACKAGE / part
        if not root.is_dir():
            continue
        for f in sorted(root.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                h.update(str(f.relative_to(PACKAGE)).encode() + b"\0")
                h.update(hashlib.sha256(f.read_bytes()).digest())
    return h.hexdigest()


def generator_label() -> str:
    """What generated pages name as their generator: version and a short digest."""
    return f"{__version__}+{generator_digest()[:10]}"

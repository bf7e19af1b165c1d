"""The generator's identity: a digest of everything that shapes a generated page.

A study is re-rendered when its records change or when this digest changes (new version,
edited template, chart, page code or vendored asset).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from reportgen import __version__

PACKAGE = Path(__file__).resolve().parent.parent
SHAPING = ("templates", "assets", "charts", "pages", "site", "analysis", "schema")


@lru_cache(maxsize=1)
def generator_digest() -> str:
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

"""Copy the vendored chart JavaScript, CSS and licences into the docs folder."""

from __future__ import annotations

from pathlib import Path

from reportgen.store.write import atomic_write_text

ASSETS = Path(__file__).resolve().parent.parent / "assets"
COPIED = ("js", "css", "licenses")
DOCS_ASSETS = Path("assets") / "logbook"  # where mkdocs.yml expects them, under docs/


def copy_assets(docs: Path) -> list[Path]:
    """Write the assets under ``docs/assets/logbook/`` (only files whose bytes changed)."""
    written = []
    for part in COPIED:
        for src in sorted((ASSETS / part).rglob("*")):
            if not src.is_file():
                continue
            dst = docs / DOCS_ASSETS / src.relative_to(ASSETS)
            text = src.read_text(encoding="utf-8")
            if not dst.is_file() or dst.read_text(encoding="utf-8") != text:
                atomic_write_text(dst, text)
                written.append(dst)
    return written

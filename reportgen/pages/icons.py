"""Status badges: the theme's own icons (inline SVG from mkdocs-material) with the status word
beside them, so a reader without an emoji font still sees what a mark means."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from markupsafe import Markup

# status -> (material icon, the word shown beside it)
STATUS = {
    "ok": ("check-circle", "passed"),
    "info": ("information", "note"),
    "warning": ("alert", "warning"),
    "problem": ("close-circle", "problem"),
    "unchecked": ("minus-circle-outline", "not checked"),
}


@cache
def _svg(name: str) -> str:
    try:
        import material

        path = Path(material.__file__).parent / "templates" / ".icons" / "material" / f"{name}.svg"
        svg = path.read_text(encoding="utf-8").strip()
    except (ImportError, OSError):
        return ""  # the word alone still says it
    return svg if svg.startswith("<svg") and "<script" not in svg else ""


def badge(status: str) -> Markup:
    """The icon and word of ``status`` as one inline element (``title`` repeats the word)."""
    icon, word = STATUS[status]
    return Markup(
        f'<span class="logbook-status logbook-status-{status}" title="{word}">'
        f'{_svg(icon)}<span class="logbook-status-word">{word}</span></span>'
    )

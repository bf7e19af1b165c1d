"""Escaping of record text for generated markdown.

Every string from a spec or record goes through `md_text`: HTML-escaped, and every character
that markdown (or one of its extensions) gives a meaning to is written as a numeric entity, so
the text is shown literally and can neither open a tag, a link, an emphasis, a table cell nor
an attribute list. Line breaks become spaces (a record cannot start a heading or a list).
"""

from __future__ import annotations

import json
import re
from typing import Any

from markupsafe import Markup

_MARKDOWN_SPECIALS = "\\`*_{}[]()#+!|~:=^$"
_ENTITY = {ord(c): f"&#{ord(c)};" for c in _MARKDOWN_SPECIALS} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("'"): "&#39;",
}
_SPACES = re.compile(r"\s+")


def md_text(value: Any) -> Markup:
    """``value`` as inline markdown that renders to exactly its text."""
    if isinstance(value, Markup):
        return value
    text = _SPACES.sub(" ", str(value)).strip()
    return Markup(text.translate(_ENTITY))


def html_block_text(value: Any) -> Markup:
    """``value`` for the inside of a raw HTML block (line breaks kept, shown with pre-wrap)."""
    lines = [line.translate(_ENTITY) for line in str(value).strip().splitlines()]
    # a blank line would end the raw HTML block in markdown: keep paragraphs with a <br>
    return Markup("&#10;".join(line if line.strip() else "<br>" for line in lines))


def finalize(value: Any) -> Any:
    """Jinja ``finalize``: every ``{{ }}`` output is escaped unless it is already `Markup`."""
    return value if isinstance(value, Markup) else md_text(value)


def chart_html(spec: dict[str, Any], chart_id: str) -> Markup:
    """A chart block: the spec as one-line JSON in the ``data-spec`` attribute of a div.

    An attribute, not a ``<script type="application/json">``: mkdocs-material's instant
    navigation re-creates the scripts of a page without their type and would run the JSON.
    In the JSON, ``<``, ``>`` and ``&`` are JSON escapes and ``'`` an HTML entity, so no
    string in the data can leave the single-quoted attribute; NaN is refused.
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+", chart_id):
        raise ValueError(f"chart id {chart_id!r} must be letters, digits, '-' or '_'")
    js = json.dumps(spec, separators=(",", ":"), allow_nan=False, sort_keys=True, ensure_ascii=True)
    js = js.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    js = js.replace("'", "&#39;")
    return Markup(f'<div class="vega-chart" id="{chart_id}" data-spec=\'{js}\'></div>')


def md_text_code(value: Any) -> Markup:
    """Like `md_text`, with each `` `span` `` of the text shown as code (commands in advice)."""
    parts = str(value).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick stays a literal character
        return md_text(value)
    out = []
    for i, p in enumerate(parts):
        if i % 2:
            out.append(Markup("<code>") + md_text(p) + Markup("</code>"))
        else:  # keep the spaces next to the code spans
            p = _SPACES.sub(" ", p)
            lead = " " if p.startswith(" ") and i else ""
            trail = " " if p.endswith(" ") and i < len(parts) - 1 else ""
            out.append(Markup(lead) + md_text(p) + Markup(trail))
    return Markup("").join(out)

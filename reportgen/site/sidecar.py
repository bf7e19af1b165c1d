"""The bulk of a study page kept out of MkDocs' way, beside the page, and put back into its HTML.

A study page carries its charts as ``<div class="vega-chart" id=... data-spec='{json}'>``
blocks (``pages.escape.chart_html``, up to 2 MB of JSON) and a table of every trial (thousands
of tags). Left in the markdown, all of it is scanned by Python-Markdown's raw-HTML parser and
again by the search plugin's HTML parser: most of MkDocs' time on the page. So the build
writes them to a sidecar beside the page (``.<page>.sidecar.txt``; a dot-file, which MkDocs
never publishes), leaves placeholders naming each one's digest in the markdown
(``data-spec-ref="<digest>"`` in the chart's div; ``<div class="reportgen-block"
data-block-ref="<digest>"></div>`` for the table), and this MkDocs plugin puts them back into
the page's HTML after MkDocs is done with it. The published page is byte for byte what it is
with everything inline (``tests/site/test_sidecar.py``; the trial table is marked
``data-search-exclude``, so the search index holds the same either way). A changed chart or
table changes a digest in the markdown, so an unchanged page can still be reused as it is.

Both kinds of text come from the page templates, where every string from a record is escaped:
a ``'`` cannot occur inside a chart's attribute nor ``</tbody></table></div>`` inside the
table, so the patterns below cannot cut either short, and record text cannot forge a
placeholder (its ``"`` is an entity).

The plugin is registered as ``reportgen/sidecar`` (an entry point, so a plain ``mkdocs build``
or ``mkdocs serve`` with it in ``plugins:`` works too); ``reportgen build`` and ``reportgen
serve`` add it to a config that does not name it.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin

NAME = "reportgen/sidecar"
HEADER = "reportgen-sidecar 1"
_CHART = re.compile(
    r"""(<div class="vega-chart" id="[A-Za-z0-9_-]+" )data-spec='([^']*)'(></div>)"""
)
_TABLE = re.compile(
    r'<div class="logbook-trials" data-search-exclude>.*?</tbody></table></div>', re.S
)
_REF = re.compile(r'data-spec-ref="([0-9a-f]{32})"|<div class="reportgen-block" data-block-ref="([0-9a-f]{32})"></div>')  # fmt: skip

log = logging.getLogger(f"mkdocs.plugins.{NAME}")


def sidecar_name(page: str) -> str:
    """``studies/x/index.md`` -> ``studies/x/.index.sidecar.txt``."""
    p = Path(page)
    return p.with_name(f".{p.stem}.sidecar.txt").as_posix()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def split_page(markdown: str) -> tuple[str, str | None]:
    """The page's markdown with placeholders for its charts' data and its trial table, and the
    sidecar's text (None when the page has neither)."""
    parts: dict[str, str] = {}

    def chart(m: re.Match[str]) -> str:
        d = _digest(m.group(2))
        parts[d] = m.group(2)
        return f'{m.group(1)}data-spec-ref="{d}"{m.group(3)}'

    def block(m: re.Match[str]) -> str:
        d = _digest(m.group(0))
        parts[d] = m.group(0)
        return f'<div class="reportgen-block" data-block-ref="{d}"></div>'

    out = _TABLE.sub(block, _CHART.sub(chart, markdown))
    if not parts:
        return markdown, None
    # each part: "<digest> <characters>" on a line, then its text and a line break
    body = "".join(f"{d} {len(t)}\n{t}\n" for d, t in sorted(parts.items()))
    return out, f"{HEADER}\n{body}"


def read_sidecar(path: Path) -> dict[str, str]:
    """digest -> text; raises ValueError when the file is not a whole sidecar of ours."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith(HEADER + "\n"):
        raise ValueError(f"{path}: not a sidecar of reportgen ({HEADER!r} header missing)")
    out, at = {}, len(HEADER) + 1
    while at < len(text):
        end = text.find("\n", at)
        m = re.fullmatch(r"([0-9a-f]{32}) (\d+)", text[at:end]) if end > 0 else None
        if m is None or text[end + 1 + int(m.group(2)) : end + 2 + int(m.group(2))] != "\n":
            raise ValueError(f"{path}: damaged at character {at}; rebuild the docs")
        at = end + 1 + int(m.group(2))
        out[m.group(1)] = text[end + 1 : at]
        at += 1
    return out


def fill_page(html: str, parts: dict[str, str], where: str) -> str:
    """Each placeholder of ``html`` replaced by its part from ``parts``."""

    def put(m: re.Match[str]) -> str:
        chart, block = m.groups()
        text = parts.get(chart or block)
        if text is None:
            log.warning("%s: %s is missing from its sidecar; rebuild", where, chart or block)
            return m.group(0)
        return f"data-spec='{text}'" if chart else text

    return _REF.sub(put, html)


# what `reportgen serve` could not do at its last re-render ("" when it worked): shown at the
# top of every page it serves, so a stale page never passes for a live one
SERVE_PROBLEM = [""]
_ARTICLE = re.compile(r"<article\b[^>]*>")


def serve_banner(output: str, problem: str) -> str:
    """``output`` with a banner saying the re-render failed, at the top of the page's article."""
    text = html.escape(problem)
    banner = (
        '<div class="admonition failure reportgen-serve-problem" role="alert">'
        '<p class="admonition-title">reportgen serve could not re-render the logbook</p>'
        f"<p>{text}</p><p>This page shows the last render that worked; serve keeps trying."
        "</p></div>"
    )
    m = _ARTICLE.search(output)
    at = m.end() if m else 0
    return output[:at] + banner + output[at:]


# studies with trials in flight while `reportgen serve` watches: study id -> the badge's text
SERVE_RUNNING: dict[str, str] = {}


def running_badge(output: str, text: str) -> str:
    """``output`` with a badge saying the study is still running, at the top of its article."""
    badge = (
        '<p class="reportgen-running" role="status"><strong>running:</strong> '
        f"{html.escape(text)} (this page follows the trials as they land)</p>"
    )
    m = _ARTICLE.search(output)
    at = m.end() if m else 0
    return output[:at] + badge + output[at:]


class Sidecar(BasePlugin):  # type: ignore[type-arg]
    """Put each page's charts' data and trial table back into its HTML (module docstring)."""

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        if SERVE_PROBLEM[0]:
            output = serve_banner(output, SERVE_PROBLEM[0])
        parts = page.file.src_uri.split("/")
        if len(parts) == 3 and parts[0] == "studies" and parts[2] == "index.md":
            text = SERVE_RUNNING.get(parts[1])
            if text:
                output = running_badge(output, text)
        if "data-spec-ref=" not in output and "data-block-ref=" not in output:
            return output
        path = Path(config.docs_dir) / sidecar_name(page.file.src_uri)
        try:
            parts = read_sidecar(path)
        except FileNotFoundError:
            log.warning("%s: its sidecar %s is missing; rebuild", page.file.src_uri, path)
            return output
        except (OSError, ValueError) as e:
            log.warning("%s", e)
            return output
        return fill_page(output, parts, page.file.src_uri)


def ensure_plugin(config: Any) -> None:
    """Add the plugin to a loaded MkDocs config that does not name it."""
    if NAME not in config.plugins:
        config.plugins[NAME] = Sidecar()

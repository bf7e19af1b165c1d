"""Drive Debian's chromium through Playwright over a built site (helpers for the browser test)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 (a free port) for the duration of the block."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class PageWatch:
    """Records console errors, page errors and requests that leave the site."""

    def __init__(self, page, allowed_prefix: str) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on(
            "console",
            lambda m: m.type in ("warning", "warn") and self.warnings.append(m.text),
        )
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((allowed_prefix, "data:", "blob:", "about:"))
                else self.outside.append(r.url)
            ),
        )


def chart_widths(page, timeout_ms: int = 20000) -> list[dict]:
    """Wait until every chart of the page is drawn; return each chart's id, state, SVG width,
    how many data marks it drew (``marks``: the items of its mark groups, axes and legends not
    counted) and how many of them are points (``points``: symbol marks)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('div.vega-chart')].every(
              el => ['ok', 'error'].includes(el.getAttribute('data-rendered')))""",
        timeout=timeout_ms,
    )
    return page.evaluate(
        """() => [...document.querySelectorAll('div.vega-chart')].map(el => {
              const svg = el.querySelector('svg.marks');
              const items = sel => svg ? svg.querySelectorAll(sel).length : 0;
              return {id: el.id, state: el.getAttribute('data-rendered'),
                      width: svg ? svg.getBoundingClientRect().width : 0,
                      marks: items('g.role-mark > :is(path, line, rect, text)'),
                      points: items('g.mark-symbol.role-mark > path')};
           })"""
    )


def assert_drawn(charts: list[dict], where: str) -> None:
    """Every chart drew an SVG of non-zero width with marks in it; axis plots drew points."""
    for c in charts:
        assert c["state"] == "ok" and c["width"] > 0, (where, c)
        assert c["marks"] > 0, (where, c)
        if c["id"].startswith("axis-"):
            assert c["points"] > 0, (where, "axis plot without points", c)

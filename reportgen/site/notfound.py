"""Make MkDocs' ``404.html`` work from ``file://``.

MkDocs writes the 404 page with root-absolute URLs (``/assets/...``), since a web server shows
it at any depth. From ``file://`` those leave the site folder. The page sits at the site root,
so its URLs are made relative to it; a one-line script in ``<head>`` puts the root-absolute base
back when the page is served over HTTP, where it may be shown at any depth.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

_CONFIG = re.compile(r'(<script id="__config" type="application/json">)(.*?)(</script>)', re.S)


def relative_404(site: Path) -> None:
    """Rewrite ``site/404.html`` in place (no-op when there is none or it is done already)."""
    page = Path(site) / "404.html"
    if not page.is_file():
        return
    html = page.read_text(encoding="utf-8")
    m = _CONFIG.search(html)
    if m is None or "data-relative-404" in html:
        return
    config = json.loads(m.group(2))
    base = config.get("base", "/")
    if not base.startswith("/"):
        return  # already relative
    prefix = base if base.endswith("/") else base + "/"
    attr = re.compile(r'\b(href|src)="' + re.escape(prefix) + r"(?!/)")
    html = attr.sub(lambda a: f'{a.group(1)}="', html)
    config["base"] = "."
    if isinstance(config.get("search"), str) and config["search"].startswith(prefix):
        config["search"] = config["search"][len(prefix) :]
    html = _CONFIG.sub(
        lambda c: c.group(1) + json.dumps(config) + c.group(3), html, count=1
    )
    script = (
        f'<script data-relative-404>if(location.protocol!=="file:")'
        f'document.write(\'<base href="{prefix}">\')</script>'
    )
    html = html.replace("<head>", "<head>" + script, 1)
    page.write_text(html, encoding="utf-8")

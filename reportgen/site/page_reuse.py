"""The incremental MkDocs build: unchanged study pages are taken from the previous site.

MkDocs renders every page on every build, so one changed study in a 100-study logbook cost as
much as a full build. This MkDocs plugin (added by ``run_mkdocs``, never named in a config)
takes the HTML of a page from the previous site instead of rendering it when all of these hold:

- the previous site was built by us with the same *site key*: the config's text, the versions
  of MkDocs, mkdocs-material, Markdown and pymdown-extensions, the generator digest, the
  theme override files, and the list of every file under ``docs/`` (so a page added, removed
  or renamed, which can change any link, rebuilds everything);
- the page is not in the navigation (hand-written pages in the navigation are always rendered:
  they are few, and their titles appear on every page), and its markdown has the same digest;
- the navigation (titles and addresses, read after the other pages) is the one the previous
  site's pages were rendered with; when it is not, the skipped pages are rendered after all;
- the previous build emitted no warning (a reused page would hide its warning), and only the
  plugins and Markdown extensions known not to read other files are configured.

Reused pages are skipped through MkDocs' own dirty mode (``File.is_modified`` is False for
them alone; everything else is written as in a clean build into the fresh build folder), their
HTML is copied from the previous site, and their search-index entries are taken from the
previous ``search/search_index.json`` in the same order a clean build writes them, so the
result is byte for byte the site a clean build gives (``tests/site/test_incremental_build.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from importlib import metadata
from pathlib import Path
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority

CACHE_NAME = ".reportgen-pages.json"
FORMAT = 1
# plugins and Markdown extensions whose output for a page depends on that page's markdown only
# (reportgen/sidecar reads the page's sidecar, whose digests are in the markdown;
# reportgen/parallel-pages converts pages elsewhere, to the same HTML)
SAFE_PLUGINS = {
    "search", "material/search", "offline", "material/offline", "reportgen/sidecar",
    "reportgen/parallel-pages",
}  # fmt: skip
UNSAFE_EXTENSIONS = {"pymdownx.snippets", "markdown_include.include", "pymdownx.b64"}
_PACKAGES = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


class DirtyNotice(logging.Filter):
    """Drop MkDocs' warning that a dirty build may be inaccurate: this one is exact."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build is being performed" not in record.getMessage()


def _nav_signature(nav: Any) -> list[Any]:
    def walk(items: Any) -> list[Any]:
        out = []
        for item in items:
            url = getattr(item, "url", None)
            out.append([type(item).__name__, str(item.title), url, walk(item.children or [])])
        return out

    return walk(nav.items)


class PageReuse(BasePlugin):  # type: ignore[type-arg]
    """Skip the unchanged pages that are not in the navigation; see the module's docstring."""

    def __init__(self, previous: Path | None, digests: dict[str, str], generator: str) -> None:
        super().__init__()
        self.previous = Path(previous) if previous is not None else None
        self.digests = digests  # docs-relative path -> sha256 of the file
        self.generator = generator
        self.reused: dict[str, Any] = {}  # src_uri -> File taken from the previous site
        self.cache: dict[str, Any] = {}
        self._entries: dict[str, list[Any]] = {}  # page url -> search entries of this build
        self._mark = 0
        self._nav: Any = None
        self._files: Any = None
        self._old_nav: Any = None
        self._old_entries: dict[str, list[Any]] | None = None

    # --- what the previous site was built from -------------------------------------------

    def _site_key(self, config: Any, files: Any) -> str:
        h = hashlib.sha256(Path(config.config_file_path).read_bytes())
        h.update(f"\0{self.generator}".encode())
        for name in _PACKAGES:
            h.update(f"\0{name}={_version(name)}".encode())
        for d in config.theme.dirs:
            if "site-packages" in d or "dist-packages" in d:
                continue  # a package's templates: covered by its version
            for root, dirnames, names in os.walk(d):
                dirnames.sort()
                for n in sorted(names):
                    p = Path(root, n)
                    h.update(f"\0{p.relative_to(d)}\0".encode() + p.read_bytes())
        for f in sorted(files, key=lambda f: f.src_uri):
            if f.inclusion.is_excluded():
                continue  # dot-files such as the build manifest: never published
            h.update(f"\0{f.src_uri}".encode())
        return h.hexdigest()

    def _reusable(self, config: Any) -> bool:
        names = set(config.plugins) - {"reportgen/page-reuse"}
        exts = {e if isinstance(e, str) else type(e).__module__ for e in config.markdown_extensions}
        return names <= SAFE_PLUGINS and not exts & UNSAFE_EXTENSIONS

    def _previous_cache(self) -> dict[str, Any]:
        if self.previous is None:
            return {}
        try:
            data = json.loads((self.previous / CACHE_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) and data.get("format") == FORMAT else {}

    # --- MkDocs events -------------------------------------------------------------------

    def on_nav(self, nav: Any, *, config: Any, files: Any) -> Any:
        self._nav, self._files = nav, files
        pages = {
            f.src_uri: self.digests.get(f.src_uri) or _sha(f.abs_src_path)
            for f in files.documentation_pages()
        }
        key = self._site_key(config, files)
        self.cache = {"format": FORMAT, "key": key, "nav": None, "pages": pages}
        old = self._previous_cache()
        if not old or old.get("key") != key or not self._reusable(config):
            return nav
        if search_index(config) is not None:
            self._old_entries = _entries_by_page(self.previous)  # type: ignore[arg-type]
            if self._old_entries is None:
                return nav
        in_nav = {p.file.src_uri for p in nav.pages}
        old_pages = old.get("pages", {})
        for f in files.documentation_pages():
            dest = self.previous / f.dest_uri  # type: ignore[operator]
            if f.src_uri in in_nav or old_pages.get(f.src_uri) != pages[f.src_uri]:
                continue
            if not dest.is_file():
                continue
            f.is_modified = _false  # MkDocs' dirty mode then neither reads nor renders it
            self.reused[f.src_uri] = f
        self._old_nav = old.get("nav")
        return nav

    def on_env(self, env: Any, *, config: Any, files: Any) -> Any:
        """Every other page has been read, so the navigation's titles are known: render the
        skipped pages after all if it changed, else copy their HTML from the previous site."""
        from mkdocs.commands.build import _populate_page

        sig = _nav_signature(self._nav)
        self.cache["nav"] = sig
        if self.reused and sig != self._old_nav:
            for f in self.reused.values():
                del f.is_modified  # the class's method again
                _populate_page(f.page, config, files)
            self.reused = {}
        for f in self.reused.values():
            dest = Path(f.abs_dest_path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.previous / f.dest_uri, dest)  # type: ignore[operator]
        return env

    @event_priority(-100)  # after the search plugin has indexed the page
    def on_page_context(self, context: Any, *, page: Any, config: Any, nav: Any) -> Any:
        index = search_index(config)
        if index is not None:
            self._entries[page.url] = index.entries[self._mark :]
            self._mark = len(index.entries)
        return context

    @event_priority(100)  # before the search plugin writes its index
    def on_post_build(self, *, config: Any) -> None:
        index = search_index(config)
        if index is None or not self.reused:
            return
        old = self._old_entries or {}
        entries: list[Any] = []
        for f in self._files.documentation_pages():
            url = f.url
            entries += old.get(url, []) if f.src_uri in self.reused else self._entries.get(url, [])
        index.entries = entries


def _entries_by_page(site: Path) -> dict[str, list[Any]] | None:
    """The previous site's search entries by page address (None when there is no index)."""
    try:
        data = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
        out: dict[str, list[Any]] = {}
        for entry in data["docs"]:
            out.setdefault(entry["location"].split("#")[0], []).append(entry)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return out


def search_index(config: Any) -> Any:
    """The search plugin's index of this build (``entries``: a list of dicts), or None."""
    for plugin in config.plugins.values():
        index = getattr(plugin, "search_index", None)
        if index is not None and hasattr(index, "entries"):
            return index
    return None


def _false() -> bool:
    return False


def _sha(path: str | None) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else ""

"""MkDocs' Markdown conversion and search indexing of the pages, spread over worker processes.

MkDocs reads and converts every page in one process, one after the other, and the search
plugin then parses each page's HTML again: on a logbook of many studies most of MkDocs' time,
and all of it on one core. This MkDocs plugin (added by ``run_mkdocs``) does that work for
every page the build is about to read in forked worker processes, right after the navigation
is known, and hands each page's result to MkDocs' own loop, which still runs every plugin
event in its usual order:

- a worker runs exactly what MkDocs would (``on_pre_page``, ``read_source``,
  ``on_page_markdown``, ``Page.render``, ``on_page_content``, then the search plugin's
  indexing of the page) on its forked copy of the build, and sends back the page's HTML, table
  of contents, title, anchors, search entries and the log records the conversion emitted;
- in this process MkDocs reads the page as usual and calls ``page.render``, which takes the
  worker's result instead of converting again when the markdown it was given has the same
  digest as the worker's (the log records are emitted then, so warnings, strict mode and their
  order are as in a serial build); the search plugin takes the worker's entries when the page's
  HTML at that point has the digest the worker indexed. Anything that differs, or a page a
  worker failed on, is converted here as usual.

The site is byte for byte the serial build's (``tests/site/test_parallel_pages.py``). Workers
are forked (Linux, and not once JAX is loaded, as for the study workers), only when there are
enough pages to share; otherwise the plugin does nothing.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from typing import Any

from mkdocs.plugins import BasePlugin, event_priority

from reportgen.site.page_reuse import search_index

NAME = "reportgen/parallel-pages"
MIN_PAGES_PER_WORKER = 8  # fewer pages are not worth a fork


@dataclass
class Converted:
    """One page converted by a worker: what ``Page.render`` and the search plugin would set."""

    markdown_digest: str
    content: str
    toc: Any
    title: str | None
    anchors: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None  # linked page's src_uri -> links
    logs: list[logging.LogRecord] = field(default_factory=list)
    indexed_digest: str = ""  # digest of the HTML the search entries were made from
    entries: list[Any] | None = None


def _digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args = record.getMessage(), None  # picklable
        record.exc_info = record.exc_text = record.stack_info = None
        self.records.append(record)


# the forked workers' view of the build (set in the parent just before forking)
_JOB: dict[str, Any] = {}


def _convert_pages(chunk: range) -> list[tuple[str, Converted | None]]:
    """Worker: convert the pages of ``chunk`` (positions in the build's list of pages)."""
    pages, config, files = _JOB["pages"], _JOB["config"], _JOB["files"]
    plugin: ParallelPages = _JOB["plugin"]
    plugin.in_worker = True
    index = search_index(config)
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.handlers, mkdocs_log.propagate = [], False
    out: list[tuple[str, Converted | None]] = []
    for page in (pages[i] for i in chunk):
        capture = _Capture()
        mkdocs_log.handlers = [capture]
        config._current_page = page
        try:  # the steps of mkdocs.commands.build._populate_page
            page = config.plugins.on_pre_page(page, config=config, files=files)
            page.read_source(config)
            page.markdown = config.plugins.on_page_markdown(
                page.markdown, page=page, config=config, files=files
            )
            page.render(config, files)
            links = page.links_to_anchors
            done = Converted(
                markdown_digest=_digest(page.markdown),
                content=page.content,
                toc=page.toc,
                title=page._title_from_render,
                anchors=page.present_anchor_ids,
                links_to_anchors=(
                    {f.src_uri: dict(v) for f, v in links.items()} if links is not None else None
                ),
            )
            page.content = config.plugins.on_page_content(
                page.content, page=page, config=config, files=files
            )
            if index is not None:
                mark = len(index.entries)
                index.add_entry_from_context(page)
                done.indexed_digest = _digest(page.content)
                done.entries = index.entries[mark:]
                del index.entries[mark:]
            done.logs = capture.records
        except Exception:  # noqa: BLE001 - converted again in the parent, which reports it
            done = None
        finally:
            config._current_page = None
        out.append((page.file.src_uri, done))
    return out


def _workers(pages: int, cap: int | None) -> int:
    if not sys.platform.startswith("linux") or "jax" in sys.modules:
        return 1  # fork only, and never once a multithreaded library is loaded
    return max(1, min(os.cpu_count() or 1, cap or 8, 8, pages // MIN_PAGES_PER_WORKER))


class ParallelPages(BasePlugin):  # type: ignore[type-arg]
    """Convert and index the pages in worker processes (see the module's docstring)."""

    def __init__(self, jobs: int | None = None) -> None:
        super().__init__()
        self.jobs = jobs
        self.in_worker = False
        self.converted: dict[str, Converted] = {}
        self.taken = 0  # pages whose worker result was used (for tests and benchmarks)
        self.indexed = 0

    @event_priority(-100)  # after page reuse has marked the pages it will not read
    def on_nav(self, nav: Any, *, config: Any, files: Any) -> Any:
        from mkdocs.structure.files import InclusionLevel
        from mkdocs.structure.pages import Page

        self.converted, self.taken, self.indexed = {}, 0, 0
        todo = []
        for f in files.documentation_pages(inclusion=InclusionLevel.is_included):
            if not f.is_modified():
                continue  # a page MkDocs' dirty mode skips (reused from the previous site)
            if f.page is None and f.inclusion.is_not_in_nav():
                Page(None, f, config)  # what MkDocs' reading loop would create next
            if f.page is not None:
                todo.append(f.page)
        workers = _workers(len(todo), self.jobs)
        if workers < 2:
            return nav
        # small chunks handed out as workers free up: pages differ a lot in size
        size = max(1, len(todo) // (workers * 16))
        chunks = [range(i, min(i + size, len(todo))) for i in range(0, len(todo), size)]
        _JOB.update(pages=todo, config=config, files=files, plugin=self)
        try:
            ctx = multiprocessing.get_context("fork")
            with ctx.Pool(workers) as pool:
                shares = list(pool.imap_unordered(_convert_pages, chunks))
        finally:
            _JOB.clear()
        self.converted = {uri: done for share in shares for uri, done in share if done}
        index = search_index(config)
        if index is not None and "add_entry_from_context" not in vars(index):
            plain = index.add_entry_from_context

            def add_entry(page: Any) -> None:
                done = self.converted.get(page.file.src_uri)
                if (
                    done is None
                    or done.entries is None
                    or _digest(page.content) != done.indexed_digest
                ):
                    plain(page)
                    return
                index.entries.extend(done.entries)
                self.indexed += 1

            index.add_entry_from_context = add_entry
        return nav

    def on_pre_page(self, page: Any, *, config: Any, files: Any) -> Any:
        done = None if self.in_worker else self.converted.get(page.file.src_uri)
        if done is None:
            return page

        def render(config: Any, files: Any) -> None:
            del page.render  # the class's method again
            if _digest(page.markdown) != done.markdown_digest:
                self.converted.pop(page.file.src_uri, None)
                page.render(config, files)
                return
            page.content, page.toc = done.content, done.toc
            page._title_from_render = done.title
            page.present_anchor_ids = done.anchors
            if done.links_to_anchors is not None:
                page.links_to_anchors = {
                    files.get_file_from_path(uri): links
                    for uri, links in done.links_to_anchors.items()
                }
            for record in done.logs:
                logging.getLogger(record.name).handle(record)
            self.taken += 1

        page.render = render
        return page

    def on_post_build(self, *, config: Any) -> None:
        index = search_index(config)
        if index is not None:
            vars(index).pop("add_entry_from_context", None)
        self.converted = {}

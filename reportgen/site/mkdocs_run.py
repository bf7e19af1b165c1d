"""Run MkDocs in-process with a reproducible build date.

The config is the ``mkdocs.yml`` of the working folder, or the packaged default when there is
none (so an installed wheel builds outside this repository). ``SOURCE_DATE_EPOCH`` is set to
the newest record's time, so the sitemap's dates and the gzip header of ``sitemap.xml.gz`` are
the same on every build from the same records.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from contextlib import contextmanager
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.site.notfound import relative_404

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "assets" / "default" / "mkdocs.yml"
DEFAULT_DOCS = DEFAULT_CONFIG.parent / "docs"


def resolve_config(config: Path | None) -> Path:
    if config is not None:
        if not config.is_file():
            raise ReportgenError(f"{config}: no such MkDocs config")
        return config
    local = Path("mkdocs.yml")
    return local if local.is_file() else DEFAULT_CONFIG


@contextmanager
def _source_date(epoch: int):
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


class _Echo(logging.Handler):
    """Print MkDocs warnings and errors to stderr (the CLI runs without MkDocs' own logging),
    and count them (a build with warnings leaves no page cache: its pages are all rendered
    again next time, so their warnings are seen again)."""

    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1
        print(f"mkdocs: {record.levelname}: {record.getMessage()}", file=sys.stderr)


THEME_OVERRIDES = Path("templates") / "theme"


def _theme_overrides(cfg) -> None:  # type: ignore[no-untyped-def]
    """The project's ``templates/theme/`` as the theme's custom_dir (its pages and partials
    override mkdocs-material's), unless the config names a custom_dir of its own."""
    folder = THEME_OVERRIDES.resolve()
    theme = cfg.theme
    if folder.is_dir() and not getattr(theme, "custom_dir", None):
        theme.dirs.insert(0, str(folder))
        theme._custom_dir = str(folder)  # what custom_dir reports (it has no setter)


def _load(  # type: ignore[no-untyped-def]
    config: Path, docs: Path, site: Path, strict: bool = False
):
    """The MkDocs config for a build of ``docs`` into ``site``: the project's theme overrides,
    and the theme's Jinja environments carrying the compiled-template cache."""
    from mkdocs.config import load_config

    from reportgen.template_cache import attach as cache_templates

    cfg = load_config(
        config_file=str(config),
        docs_dir=str(docs.resolve()),
        site_dir=str(site.resolve()),
        strict=strict,
    )
    _theme_overrides(cfg)
    cache_templates(cfg.theme)  # compiled theme templates kept between builds
    return cfg


def _compile_templates(env, names) -> None:  # type: ignore[no-untyped-def]
    """Compile ``names`` and every template they extend, include or import by a constant name
    (into the bytecode cache, when it is on)."""
    from jinja2 import meta

    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source, _, _ = env.loader.get_source(env, name)
        env.get_template(name)
        todo += [n for n in meta.find_referenced_templates(env.parse(source)) if n]


def preload(config: Path, docs: Path, site: Path) -> None:
    """Import what `run_mkdocs` will use: MkDocs, the config's plugins (by loading the config)
    and its Markdown extensions, and compile the theme's page templates into the template
    cache. Only imported modules and cached templates are kept; nothing is logged."""
    import markdown
    from mkdocs.commands import build  # noqa: F401

    from reportgen.template_cache import cache_folder

    before = logging.root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        cfg = _load(config, docs, site)
        markdown.Markdown(extensions=cfg.markdown_extensions, extension_configs=cfg.mdx_configs)
        if cache_folder() is not None:  # compiled templates outlive this environment there
            _compile_templates(cfg.theme.get_env(), ("main.html", "404.html", "sitemap.xml"))
    finally:
        logging.disable(before)


def run_mkdocs(
    config: Path,
    docs: Path,
    site: Path,
    *,
    strict: bool,
    epoch: int,
    previous: Path | None = None,
    digests: dict[str, str] | None = None,
    generator: str = "",
    jobs: int | None = None,
) -> int:
    """Build ``site`` from ``docs`` with ``config``; a strict-mode abort becomes a ReportgenError.

    ``previous``: the site built last time, whose unchanged study pages are reused
    (``page_reuse``); ``digests``: sha256 of the docs files by relative path, when the caller
    has them; ``jobs``: worker processes converting the pages (``parallel_pages``; 1: none).
    Returns how many pages were reused.
    """
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, ConfigurationError

    from reportgen.site.page_reuse import CACHE_NAME, DirtyNotice, PageReuse
    from reportgen.site.parallel_pages import NAME as PARALLEL
    from reportgen.site.parallel_pages import ParallelPages
    from reportgen.site.sidecar import ensure_plugin

    log = logging.getLogger("mkdocs")
    handler = _Echo(logging.WARNING)
    log.addHandler(handler)
    notice = DirtyNotice()
    logging.getLogger("mkdocs.commands.build").addFilter(notice)
    reuse = PageReuse(previous, digests or {}, generator)
    try:
        with _source_date(epoch):
            cfg = _load(config, docs, site, strict)
            ensure_plugin(cfg)  # charts and tables back into the pages (site.sidecar)
            cfg.plugins["reportgen/page-reuse"] = reuse
            cfg.plugins[PARALLEL] = ParallelPages(jobs)  # pages converted in workers
            # dirty mode skips exactly the pages whose File.is_modified is False: the reused
            # ones (the build folder is fresh, so every other file is written)
            build(cfg, dirty=True)
        relative_404(site)
        if handler.count == 0:
            (site / CACHE_NAME).write_text(
                json.dumps(reuse.cache, sort_keys=True, separators=(",", ":")) + "\n",
                encoding="utf-8",
            )
    except (Abort, ConfigurationError) as e:
        raise ReportgenError(f"mkdocs build failed: {e}") from None
    finally:
        log.removeHandler(handler)
        logging.getLogger("mkdocs.commands.build").removeFilter(notice)
    return len(reuse.reused)

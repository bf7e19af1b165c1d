"""The build pipeline: logbook → analysis → charts → pages → docs/studies → mkdocs → site."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reportgen.site.pipeline import BuildResult, build_site

__all__ = ["BuildResult", "build_site"]


def __getattr__(name: str) -> Any:
    """``build_site`` and ``BuildResult`` load the pipeline (pages, Jinja, the MkDocs glue) on
    first use: `reportgen analyze` reads ``site.manifest`` alone and needs none of it."""
    if name in __all__:
        from reportgen.site import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

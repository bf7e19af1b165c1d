"""The build pipeline: logbook → analysis → charts → pages → docs/studies → mkdocs → site."""

from reportgen.site.pipeline import BuildResult, build_site

__all__ = ["BuildResult", "build_site"]

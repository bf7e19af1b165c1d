"""Render page contexts through the jinja2 templates shipped in ``reportgen/templates``.

``StrictUndefined`` turns a missing field into an error; every ``{{ }}`` output is escaped
for markdown and HTML unless the context marked it as `Markup`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from reportgen.pages.context import IndexPage, RevisionPointer, StudyPage
from reportgen.pages.escape import finalize

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_study(page: StudyPage) -> str:
    return environment().get_template("study.md.j2").render(page=page)


def render_pointer(page: RevisionPointer) -> str:
    return environment().get_template("revision_current.md.j2").render(page=page)


def render_index(page: IndexPage) -> str:
    return environment().get_template("studies_index.md.j2").render(page=page)

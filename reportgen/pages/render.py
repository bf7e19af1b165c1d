"""Render page contexts through the jinja2 templates shipped in ``reportgen/templates``.

A project overrides any of them by putting a file of the same name in ``templates/`` of the
folder it builds from (``templates/study.md.j2``, ``templates/partials/summary_card.md.j2``...);
a file it does not override comes from the package. ``StrictUndefined`` turns a missing field
into an error; every ``{{ }}`` output is escaped for markdown and HTML unless the context marked
it as `Markup`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from reportgen.pages.context import IndexPage, RevisionPointer, StudyPage
from reportgen.pages.escape import finalize
from reportgen.template_cache import with_cache

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
USER_TEMPLATES = "templates"  # the project's override folder, relative to where it builds


def user_templates() -> Path | None:
    """The project's ``templates/`` folder (of the working folder) when there is one."""
    folder = Path.cwd() / USER_TEMPLATES
    return folder.resolve() if folder.is_dir() else None


def environment() -> jinja2.Environment:
    """The page templates: the project's overrides first, then the packaged ones."""
    return _environment(user_templates())


@lru_cache(maxsize=4)
def _environment(user: Path | None) -> jinja2.Environment:
    folders = [str(user)] if user is not None else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, str(TEMPLATES)]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        finalize=finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return with_cache(env)  # compiled once, not in every build worker (template_cache)


def render_study(page: StudyPage) -> str:
    return environment().get_template("study.md.j2").render(page=page)


def render_pointer(page: RevisionPointer) -> str:
    return environment().get_template("revision_current.md.j2").render(page=page)


def render_index(page: IndexPage) -> str:
    return environment().get_template("studies_index.md.j2").render(page=page)

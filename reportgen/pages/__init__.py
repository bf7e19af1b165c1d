"""Typed page contexts (built from analysis results, specs and chart specs) and their rendering."""

from reportgen.pages.context import IndexPage, RevisionPointer, StudyPage
from reportgen.pages.index import index_page
from reportgen.pages.render import render_index, render_pointer, render_study
from reportgen.pages.study import RecordMeta, StudyCharts, revision_pointer, study_page

__all__ = [
    "IndexPage",
    "RecordMeta",
    "RevisionPointer",
    "StudyCharts",
    "StudyPage",
    "index_page",
    "render_index",
    "render_pointer",
    "render_study",
    "revision_pointer",
    "study_page",
]

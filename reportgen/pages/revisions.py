"""A study's revisions on its pages: the history table, page file names, and what a page says
when one revision re-decides another's records (``records_from``).

Every page is rebuilt by today's code, so an earlier revision's page shows today's verdict on
its records, not the one it was published with. When a later revision reads those records and
decides them again, both pages say so; the published verdict is named only where the later
revision's changelog records it ("was X, now Y").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from reportgen.pages.context import Link, RevisionRow
from reportgen.pages.format import fmt
from reportgen.schema import ChangelogEntry

_CHANGE = re.compile(r"\bwas (adopt|reject|inconclusive), now (adopt|reject|inconclusive)\b")


@dataclass(frozen=True)
class RevisionSummary:
    """One revision of a study as the history table shows it (from its analysis and spec)."""

    revision: int
    date: str
    summary: str
    n_trials: int
    best: float | None


@dataclass(frozen=True)
class RecordedChange:
    """A change of verdict a changelog entry records: ``was X, now Y``."""

    was: str
    now: str


@dataclass(frozen=True)
class Lineage:
    """Where the trials of one revision's page were recorded, and which later revision decided
    them again (facts of the records and specs; the site build gathers them)."""

    reads: tuple[int, ...] = ()  # the earlier revisions it reads (records_from), nearest first
    read_trials: int = 0  # its trials recorded under those revisions
    own_trials: int = 0  # its trials recorded under itself
    redecided_by: int | None = None  # the later revision whose records_from names this one
    published: str = ""  # this revision's verdict when published, from that revision's changelog


def recorded_change(changelog: Sequence[ChangelogEntry], revision: int) -> RecordedChange | None:
    """The change of verdict the last changelog entry of ``revision`` records, if it says one."""
    entries = [e for e in changelog if e.revision == revision]
    found = _CHANGE.search(entries[-1].summary) if entries else None
    return RecordedChange(found.group(1), found.group(2)) if found else None


def lineage_lines(revision: int, lineage: Lineage) -> tuple[str, ...]:
    """The page's sentences on where its records come from and who re-decided them (none for
    a revision that neither reads nor is read)."""
    out = []
    if lineage.reads:
        names = " and ".join(f"r{r}" for r in lineage.reads)
        own = (
            f", and the {_trials(lineage.own_trials)} recorded under r{revision} since"
            if lineage.own_trials
            else ""
        )
        out.append(
            f"Revision {revision} runs nothing of its own design: it re-decides the records of "
            f"{names} (records_from: {lineage.reads[0]}), the {_trials(lineage.read_trials)} "
            f"recorded there{own}."
        )
    if lineage.redecided_by is not None:
        published = (
            f" Revision {revision} was published with the verdict {lineage.published}."
            if lineage.published
            else ""
        )
        out.append(
            f"Revision {lineage.redecided_by} re-decided these records with the analysis code of "
            f"its day (records_from: {revision}). This page is rebuilt by today's code, so its "
            f"verdict is today's.{published}"
        )
    return tuple(out)


def _trials(n: int) -> str:
    return f"{n} trial" if n == 1 else f"{n} trials"


def page_file(revision: int, latest: int) -> str:
    """File name of a revision's page inside ``studies/<id>/`` (the latest is ``index.md``)."""
    return "index.md" if revision == latest else f"r{int(revision)}.md"


def history_rows(
    history: Sequence[RevisionSummary], latest: int, current: int
) -> tuple[RevisionRow, ...]:
    """The history table, newest revision first, with the page at hand marked."""
    rows = []
    for h in sorted(history, key=lambda h: -h.revision):
        href = Markup(page_file(h.revision, latest))
        rows.append(
            RevisionRow(
                revision=f"r{h.revision}",
                link=Link(f"r{h.revision}", href, current=h.revision == current),
                date=h.date,
                summary=h.summary,
                trials=str(h.n_trials),
                best=fmt(h.best),
            )
        )
    return tuple(rows)

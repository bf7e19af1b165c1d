"""Context of the generated study index: the experiment-tracking table and the launch timeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reportgen.pages.context import Chart, IndexPage, IndexRow, Link
from reportgen.pages.escape import chart_html


@dataclass(frozen=True)
class StudyRow:
    """One study as the tracking table lists it (kept in the build manifest between builds)."""

    study_id: str
    title: str
    goal: str
    phase: str
    status: str
    trials: int
    budget: int
    best: str
    decision: str
    updated: str
    revision: int
    variance_trials: int = 0  # retrains and reruns, beside the search budget

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def index_page(
    rows: list[StudyRow], timeline: dict[str, Any] | None, problems: list[str], generator: str
) -> IndexPage:
    ordered = sorted(rows, key=lambda r: r.study_id)
    return IndexPage(
        rows=tuple(
            IndexRow(
                link=Link(r.study_id, Markup(f"{r.study_id}/index.md")),
                title=r.title,
                goal=r.title,  # the study's question; the full goal is on its page
                phase=r.phase,
                status=r.status,
                trials=f"{r.trials} / {r.budget}"
                + (f" (+{r.variance_trials} retrain/rerun)" if r.variance_trials else ""),
                best=r.best,
                decision=r.decision,
                updated=r.updated,
                revision=f"r{r.revision}",
            )
            for r in ordered
        ),
        timeline=Chart("timeline", chart_html(timeline, "timeline")) if timeline else None,
        problems=tuple(problems),
        generator=generator,
    )

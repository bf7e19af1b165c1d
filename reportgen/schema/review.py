"""Results of `reportgen review`: the change in the studies between two revisions."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from reportgen.schema.common import Model


class ChangeKind(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"
    UNCHANGED = "unchanged"


class FindingRef(Model):
    """A finding named by its key and subject (the same check on the same thing)."""

    key: str
    subject: str = ""
    severity: str
    message: str
    anchor: str


class ChartFile(Model):
    title: str
    path: str  # relative to review.md


class StudyChange(Model):
    study_id: str
    kind: ChangeKind
    title: str = ""
    revision_before: int | None = None
    revision_after: int | None = None
    changelog: list[str] = Field(default_factory=list)  # entries added since the base
    trials_before: int = 0
    trials_after: int = 0
    trials_added: dict[str, int] = Field(default_factory=dict)  # by kind: search / retrain / rerun
    trials_removed: int = 0
    trials_modified: int = 0
    best_before: float | None = None
    best_after: float | None = None
    verdict_before: str | None = None
    verdict_after: str | None = None
    override_after: str = ""  # the human decision at head: "<verdict> (<by>): <reason>"
    findings_new: list[FindingRef] = Field(default_factory=list)
    findings_cleared: list[FindingRef] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)  # validation errors at head, not at base
    page_url: str | None = None
    charts: list[ChartFile] = Field(default_factory=list)


class Review(Model):
    base: str
    head: str
    studies: list[StudyChange]
    problems_at_head: int = 0
    gate_failures: list[str] = Field(default_factory=list)

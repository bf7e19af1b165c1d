"""Context of a study page's replication block: the paper, its claim and setting, what this
study changed, and whether the study's own evidence agrees (``analysis.replication``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from reportgen.schema import StudyAnalysis, StudySpec


@dataclass(frozen=True)
class ReplicationSection:
    paper: str
    link: Markup  # an <a> to the paper, or nothing
    claim: str
    setting: str
    changes: str
    verdict: str  # agrees, disagrees, inconclusive
    reason: str
    our_number: str
    paper_number: str


_SAFE_URL = re.compile(r"https://[A-Za-z0-9._~/#?=%+-]+")


def _link(url: str) -> Markup:
    """A link to the paper when its address is a plain https URL (nothing that could leave the
    attribute or run); none otherwise."""
    if not _SAFE_URL.fullmatch(url):
        return Markup("")
    return Markup(' (<a href="{}">link</a>)').format(url)


def replication_section(spec: StudySpec, a: StudyAnalysis) -> ReplicationSection | None:
    r, res = spec.replication, a.extras.replication
    if r is None or res is None:
        return None
    return ReplicationSection(
        paper=r.paper, link=_link(r.url), claim=r.claim,
        setting=r.setting, changes=r.changes, verdict=res.verdict, reason=res.reason,
        our_number=res.our_number or "—", paper_number=r.paper_number or "—",
    )  # fmt: skip

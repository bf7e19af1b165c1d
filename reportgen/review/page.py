"""The review page context: every string prepared, escaped for markdown, so the template only loops."""

from __future__ import annotations

import re

from pydantic import Field

from reportgen.guidance import GUIDANCE, PLAYBOOK_ANCHORS, PLAYBOOK_URL, playbook_url
from reportgen.schema.common import Model
from reportgen.schema.review import ChangeKind, Review, StudyChange

_MD_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "~": "\\~",
        "|": "\\|",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "\n": " ",
    }
)


# What GitHub turns into links or notifications after rendering markdown: bare URLs (scheme://,
# www.), @mentions and e-mail addresses, #N and GH-N issue references, commit SHAs (a word of 7
# or more hex digits). A zero-width space inside each trigger breaks the pattern while the text
# reads the same.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)|(?<=#)|(?<=\bgh)(?=-\d)")
_HEX_WORD = re.compile(r"(?i)\b[0-9a-f]{7,}\b")
_ZWSP = "\u200b"


def md(text: object) -> str:
    """Text from a record, safe inside markdown (tables included): no HTML, no links, no emphasis,
    no autolinks, mentions or issue references. The one place review text is escaped."""
    out = _AUTOLINK.sub(_ZWSP, str(text).translate(_MD_SPECIAL))
    return _HEX_WORD.sub(_broken_hex, out)


def _broken_hex(m: re.Match[str]) -> str:
    """A hex word cut every 4 digits: no run of 7 is left to link as a commit."""
    word = m.group(0)
    return _ZWSP.join(word[i : i + 4] for i in range(0, len(word), 4))


def num(x: float | None) -> str:
    return "–" if x is None else f"{x:.4g}"


def arrow(before: object, after: object) -> str:
    b = "–" if before is None else md(before)
    a = "–" if after is None else md(after)
    return a if b == a else f"{b} → {a}"


class Row(Model):
    study: str
    change: str
    revision: str
    trials: str
    best: str
    decision: str
    findings: str
    problems: str


class Section(Model):
    heading: str
    facts: list[str]
    changelog: list[str]
    findings_new: list[str]
    findings_cleared: list[str]
    problems: list[str]
    charts: list[tuple[str, str]] = Field(default_factory=list)  # (alt text, relative path)


class ReviewPage(Model):
    base: str
    head: str
    rows: list[Row]
    unchanged_note: str
    sections: list[Section]
    gate: list[str]


def _link(c: StudyChange) -> str:
    return f"[{md(c.study_id)}]({c.page_url})" if c.page_url else md(c.study_id)


def _trials(c: StudyChange) -> str:
    added = ", ".join(f"+{n} {k}" for k, n in c.trials_added.items())
    extra = [
        x
        for x in (
            added,
            f"−{c.trials_removed} removed" if c.trials_removed else "",
            f"{c.trials_modified} modified" if c.trials_modified else "",
        )
        if x
    ]
    return f"{c.trials_before} → {c.trials_after}" + (f" ({'; '.join(extra)})" if extra else "")


def _finding(f) -> str:  # type: ignore[no-untyped-def]
    """A finding by its title (the registry's, else its key), never by the internal key alone."""
    g = GUIDANCE.get(f.key)
    title = g.title if g else f.key
    about = f" ({md(f.subject)})" if f.subject else ""
    url = playbook_url(f.anchor) if f.anchor in PLAYBOOK_ANCHORS else PLAYBOOK_URL
    return f"**{md(title)}**{about}: {md(f.message)} — [playbook]({url})"


def _decision(c: StudyChange) -> str:
    shown = arrow(c.verdict_before, c.verdict_after)
    if c.override_after:
        shown += f" (human: {md(c.override_after.split(' ', 1)[0].rstrip(':'))})"
    return shown


def review_page(review: Review) -> ReviewPage:
    changed = [c for c in review.studies if c.kind is not ChangeKind.UNCHANGED]
    rows = [
        Row(
            study=_link(c),
            change=str(c.kind),
            revision=arrow(c.revision_before, c.revision_after),
            trials=_trials(c),
            best=arrow(
                num(c.best_before) if c.best_before is not None else None,
                num(c.best_after) if c.best_after is not None else None,
            ),
            decision=_decision(c),
            findings=f"+{len(c.findings_new)} / −{len(c.findings_cleared)}",
            problems=str(len(c.problems)) if c.problems else "",
        )
        for c in changed
    ]
    sections = [
        Section(
            heading=f"{md(c.study_id)}: {md(c.title)}" if c.title else md(c.study_id),
            facts=[
                f"Change: {c.kind}",
                f"Revision: {arrow(c.revision_before, c.revision_after)}",
                f"Trials: {_trials(c)}",
                f"Best: {arrow(num(c.best_before) if c.best_before is not None else None, num(c.best_after) if c.best_after is not None else None)}",
                f"Decision: {arrow(c.verdict_before, c.verdict_after)}",
            ]
            + ([f"Human decision: {md(c.override_after)}"] if c.override_after else [])
            + ([f"Page: {c.page_url}"] if c.page_url else []),
            changelog=[md(x) for x in c.changelog],
            findings_new=[_finding(f) for f in c.findings_new],
            findings_cleared=[_finding(f) for f in c.findings_cleared],
            problems=[md(p) for p in c.problems],
            charts=[(md(ch.title), ch.path) for ch in c.charts],
        )
        for c in changed
    ]
    return ReviewPage(
        base=md(review.base),
        head=md(review.head),
        rows=rows,
        unchanged_note=_unchanged_note(len(review.studies) - len(changed)),
        sections=sections,
        gate=[md(g) for g in review.gate_failures],
    )


def _unchanged_note(n: int) -> str:
    if n == 0:
        return ""
    return f"{n} unchanged {'study' if n == 1 else 'studies'} not shown."

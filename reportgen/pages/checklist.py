"""The "before you conclude" checklist of a study page: findings grouped by key beside their
notes, and each check's status by the tick rule (a tick only where the check could have failed)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup

from reportgen.pages import notes
from reportgen.pages.context import CheckItem, FindingGroup, FindingRow
from reportgen.pages.escape import md_text_code
from reportgen.pages.format import fmt_scalar
from reportgen.pages.icons import badge
from reportgen.schema import CheckScope, Finding

SEVERITY_ORDER = {"ok": 0, "info": 1, "warning": 2, "problem": 3}
OPEN = ("warning", "problem")  # statuses that leave a check open


def _evidence(f: Finding) -> str:
    parts = []
    for k, v in sorted(f.evidence.items()):
        if isinstance(v, list):
            shown = (
                "[" + ", ".join(fmt_scalar(x) for x in v[:8]) + (", …" if len(v) > 8 else "") + "]"
            )
        else:
            shown = fmt_scalar(v)
        parts.append(f"{k} = {shown}")
    return "; ".join(parts)


def _finding_row(f: Finding) -> FindingRow:
    return FindingRow(
        severity=str(f.severity),
        icon=badge(str(f.severity)) if str(f.severity) in SEVERITY_ORDER else Markup(""),
        subject=f.subject,
        message=md_text_code(f.message),
        evidence=_evidence(f),
    )


def _status(found: list[Finding]) -> str:
    return max((str(f.severity) for f in found), key=SEVERITY_ORDER.__getitem__, default="ok")


FINDINGS_SHOWN = 10  # findings of one key shown open; the rest collapsed under a summary


def _severity_rank(f: Finding) -> int:
    return -SEVERITY_ORDER.get(str(f.severity), -1)


def finding_groups(findings: list[Finding]) -> tuple[FindingGroup, ...]:
    """Findings grouped by key, each group beside its key's note: the groups with the most
    severe findings first (then in order of first appearance), each group's findings most
    severe first, and beyond `FINDINGS_SHOWN` the rest collapsed."""
    by_key: dict[str, list[Finding]] = {}
    for f in findings:
        by_key.setdefault(f.key, []).append(f)
    ordered = sorted(by_key.items(), key=lambda kv: min(_severity_rank(f) for f in kv[1]))
    groups = []
    for key, found in ordered:
        g = notes.finding_guidance(key, found[0].anchor)
        rows = [_finding_row(f) for f in sorted(found, key=_severity_rank)]
        more = rows[FINDINGS_SHOWN:]
        groups.append(
            FindingGroup(
                key=key,
                title=g.title,
                note=g.note,
                url=notes.playbook_url(g.anchor),
                icon=badge(_status(found)),
                findings=tuple(rows[:FINDINGS_SHOWN]),
                more=tuple(more),
                more_label=f"{len(more)} more {g.title.lower()} findings" if more else "",
            )
        )
    return tuple(groups)


SCOPE_STATUS = {"ran": "ok", "partial": "info", "open": "warning", "not_run": "unchecked"}


def checklist(
    findings: list[Finding], scopes: Sequence[CheckScope] = ()
) -> tuple[CheckItem, ...]:
    """The "before you conclude" checklist: each topic with the findings of the keys it covers.

    ``scopes`` (the analysis' `CheckScope` per topic) say what each check looked at and whether
    it could judge: a check mark is shown only for a check that ran and could have failed.
    """
    by_topic = {sc.topic: sc for sc in scopes}
    items = []
    claimed: set[int] = set()
    for topic in notes.CHECKLIST:
        mine = [i for i, f in enumerate(findings) if i not in claimed and topic.covers(f.key)]
        claimed.update(mine)
        found = [findings[i] for i in mine]
        items.append(_item(topic.title, topic.question, topic.anchor, found,
                           by_topic.get(topic.id)))
    rest = [f for i, f in enumerate(findings) if i not in claimed]
    if rest:
        items.append(_item("Other checks", "Anything else the analysis flagged.", "", rest,
                           CheckScope(topic="other", looked_at="checks outside these topics")))
    return tuple(items)


def check_status(found: list[Finding], scope: CheckScope | None) -> str:
    """The tick rule: a check passes ("ok") only when it ran, judged everything it covers and
    raised nothing. Findings give their worst severity; a check that could not run is
    "unchecked"; one that judged only part is at least a note; one whose answer is not yet yes
    (an inconclusive comparison) is a warning. No scope at all: nothing says it ran."""
    own = SCOPE_STATUS[scope.state] if scope is not None else "unchecked"
    if not found:
        return own
    worst = _status(found)
    if own == "unchecked":
        return worst
    return max(worst, own, key=SEVERITY_ORDER.__getitem__)


def _item(
    title: str, question: str, anchor: str, found: list[Finding], scope: CheckScope | None
) -> CheckItem:
    status = check_status(found, scope)
    checked = ""
    if scope is not None:
        checked = scope.looked_at + (f"; {scope.not_judged}" if scope.not_judged else "")
    return CheckItem(
        title=title,
        question=question,
        status=status,
        icon=badge(status),
        groups=finding_groups(found),
        url=notes.playbook_url(anchor),
        checked=checked,
        anchor="check-" + "".join(c if c.isalnum() else "-" for c in title.lower()),
    )

"""Compare the logbook at two revisions, study by study (pure over loaded records and analyses)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from reportgen.errors import Problem
from reportgen.schema import Override, StudyAnalysis
from reportgen.schema.review import ChangeKind, FindingRef, StudyChange
from reportgen.store import Logbook, StudyRecords, dumps_record

Analyze = Callable[[StudyRecords, Logbook], StudyAnalysis]


def study_of(problem: Problem, root: Path) -> tuple[str, str]:
    """(study id, path relative to the logbook) of a problem, whatever folder the logbook sat in."""
    path = Path(problem.path)
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = path
    shown = str(Problem(str(Path(root.name) / rel), problem.line, problem.field, problem.message))
    return (rel.parts[0] if rel.parts else ""), shown


def problems_by_study(book: Logbook) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for p in book.problems:
        sid, shown = study_of(p, book.root)
        out.setdefault(sid, []).append(shown)
    return out


def _findings(a: StudyAnalysis | None) -> dict[tuple[str, str], FindingRef]:
    if a is None:
        return {}
    return {
        (f.key, f.subject): FindingRef(
            key=f.key,
            subject=f.subject,
            severity=str(f.severity),
            message=f.message,
            anchor=f.anchor,
        )
        for f in a.findings
    }


def _best(a: StudyAnalysis | None) -> float | None:
    return a.summary.best.value if a is not None and a.summary.best is not None else None


def compare_study(
    study_id: str,
    before: StudyRecords | None,
    after: StudyRecords | None,
    analysis_before: StudyAnalysis | None,
    analysis_after: StudyAnalysis | None,
    problems_before: list[str],
    problems_after: list[str],
) -> StudyChange:
    """What changed in one study between the base and the head."""
    if before is None and after is None:
        kind = ChangeKind.CHANGED if problems_after != problems_before else ChangeKind.UNCHANGED
    elif before is None:
        kind = ChangeKind.ADDED
    elif after is None:
        kind = ChangeKind.REMOVED if not problems_after else ChangeKind.CHANGED
    else:
        same = before.digest == after.digest and problems_before == problems_after
        kind = ChangeKind.UNCHANGED if same else ChangeKind.CHANGED
    old_trials = {t.trial_id: t for t in before.trials} if before else {}
    new_trials = {t.trial_id: t for t in after.trials} if after else {}
    added = Counter(str(new_trials[i].kind) for i in sorted(new_trials.keys() - old_trials.keys()))
    old_f, new_f = _findings(analysis_before), _findings(analysis_after)
    old_rev = before.spec.revision if before else None
    spec = after.spec if after else (before.spec if before else None)
    changelog = [
        f"r{e.revision}: {e.summary}"
        for e in (after.spec.changelog if after else [])
        if old_rev is None or e.revision > old_rev
    ]
    return StudyChange(
        study_id=study_id,
        kind=kind,
        title=spec.title if spec else "",
        revision_before=old_rev,
        revision_after=after.spec.revision if after else None,
        changelog=changelog,
        trials_before=len(old_trials),
        trials_after=len(new_trials),
        trials_added=dict(sorted(added.items())),
        trials_removed=len(old_trials.keys() - new_trials.keys()),
        # by the record's canonical bytes: records hold NaN (never equal to itself as a float)
        trials_modified=sum(
            1
            for i in old_trials.keys() & new_trials.keys()
            if dumps_record(old_trials[i]) != dumps_record(new_trials[i])
        ),
        best_before=_best(analysis_before),
        best_after=_best(analysis_after),
        verdict_before=str(analysis_before.decision.verdict) if analysis_before else None,
        verdict_after=str(analysis_after.decision.verdict) if analysis_after else None,
        override_after=_override(analysis_after.decision.override if analysis_after else None),
        findings_new=[new_f[k] for k in sorted(new_f.keys() - old_f.keys())],
        findings_cleared=[old_f[k] for k in sorted(old_f.keys() - new_f.keys())],
        problems=[p for p in problems_after if p not in set(problems_before)],
    )


def compare_logbooks(base: Logbook, head: Logbook, analyze: Analyze) -> list[StudyChange]:
    """Every study present at either side, in id order, unchanged ones included."""
    pb, ph = problems_by_study(base), problems_by_study(head)
    ids = sorted(
        {s.study_id for s in base.studies} | {s.study_id for s in head.studies} | set(pb) | set(ph)
    )
    out = []
    for sid in ids:
        before, after = base.study(sid), head.study(sid)
        if before is not None and after is not None and before.digest == after.digest:
            a_before = a_after = None  # unchanged: nothing to compare, nothing to analyse
        else:
            a_before = analyze(before, base) if before is not None else None
            a_after = analyze(after, head) if after is not None else None
        out.append(
            compare_study(sid, before, after, a_before, a_after, pb.get(sid, []), ph.get(sid, []))
        )
    return out


def _override(o: Override | None) -> str:
    """A human decision in one line: verdict, who and when, and why."""
    if o is None:
        return ""
    by = ", ".join(x for x in (o.by, o.date.isoformat() if o.date else "") if x)
    return f"{o.verdict}" + (f" ({by})" if by else "") + f": {o.reason}"

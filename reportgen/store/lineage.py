"""Which trials a revision analyses, and whether its ``records_from`` may say so.

A revision's trials are those recorded under it, plus, when its spec says ``records_from: N``,
those that revision N analyses (N's own and, in turn, whatever N reads). This module is the one
place that answers it (``StudyRecords.trials_at``, the budget and trade-off checks, the
runners); a check of one trial against the spec it was recorded under does not use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePath

from reportgen.errors import Problem, ReportgenError
from reportgen.schema import StudySpec, TrialKind, TrialRecord
from reportgen.schema.revision import experiment_differences


def read_revisions(revisions: Mapping[int, StudySpec], revision: int) -> tuple[int, ...]:
    """``revision`` and the earlier revisions whose records it reads, nearest first."""
    out = [revision]
    spec = revisions.get(revision)
    while spec is not None and spec.records_from is not None and spec.records_from not in out:
        out.append(spec.records_from)
        spec = revisions.get(spec.records_from)
    return tuple(out)


def revision_trials(
    revisions: Mapping[int, StudySpec], trials: Iterable[TrialRecord], revision: int
) -> tuple[TrialRecord, ...]:
    """The trials revision ``revision`` analyses, in the order given."""
    reads = set(read_revisions(revisions, revision))
    return tuple(t for t in trials if t.study_revision in reads)


def inherited_points(
    revisions: Mapping[int, StudySpec], trials: Iterable[TrialRecord], revision: int
) -> dict[str, TrialRecord]:
    """The search and rerun trials ``revision`` reads from earlier revisions, by the id the same
    point of the same sampler seed has under ``revision`` (``r{revision}-s{seed}-{index}``): the
    runners treat those ids as already trained."""
    from reportgen.store.identity import search_trial_id  # numpy: not for `check` or `build`

    earlier = set(read_revisions(revisions, revision)[1:])
    return {
        search_trial_id(revision, t.seeds.sampler, t.index): t
        for t in trials
        if t.study_revision in earlier and t.kind in (TrialKind.SEARCH, TrialKind.RERUN)
    }


def records_from_problems(
    revisions: Mapping[int, StudySpec], shown_of: Mapping[int, str], revisions_dir: str
) -> list[Problem]:
    """A problem per revision whose ``records_from`` names no kept earlier revision, or one that
    ran another experiment (the fields of `reportgen.schema.revision.EXPERIMENT_FIELDS`).
    ``shown_of``: how each revision's file is shown (study.yaml or revisions/r<N>.yaml);
    ``revisions_dir``: how the revisions folder is shown."""
    out = []
    for rev, spec in sorted(revisions.items()):
        n = spec.records_from
        if n is None:
            continue
        shown = shown_of.get(rev, str(PurePath(revisions_dir) / f"r{rev}.yaml"))
        earlier = revisions.get(n)
        if earlier is None:
            out.append(
                Problem(
                    shown,
                    None,
                    "records_from",
                    f"revision {n} is not kept in this study "
                    f"({PurePath(revisions_dir) / f'r{n}.yaml'} is missing or invalid): a "
                    "revision reads only the records of an earlier revision whose spec is kept",
                )
            )
            continue
        differ = experiment_differences(spec, earlier)
        if differ:
            out.append(
                Problem(
                    shown,
                    None,
                    "records_from",
                    f"revision {n} ran another experiment (its spec differs in "
                    f"{', '.join(differ)}), so its records are not this revision's to re-decide; "
                    "write a new revision without records_from and run it",
                )
            )
    return out


def read_search_notice(
    spec: StudySpec, revisions: Mapping[int, StudySpec], trials: Iterable[TrialRecord]
) -> str:
    """What a run of the search of ``spec`` (a revision with ``records_from``) does: nothing,
    when the search trials it reads fill its trial_budget (the returned line says so); else it
    would have to run search trials of its own, and a ``ReportgenError`` says what to do."""
    n = sum(t.kind is TrialKind.SEARCH for t in revision_trials(revisions, trials, spec.revision))
    reads = ", ".join(f"r{r}" for r in read_revisions(revisions, spec.revision)[1:])
    name = f"revision {spec.revision} of {spec.study_id!r}"
    if n >= spec.trial_budget:
        return (
            f"nothing to run: {name} re-decides the records of {reads} "
            f"(records_from: {spec.records_from}), whose {n} search trials fill its "
            f"trial_budget of {spec.trial_budget}"
        )
    raise ReportgenError(
        f"{name} re-decides the records of {reads or f'r{spec.records_from}'} "
        f"(records_from: {spec.records_from}), which hold {n} of its {spec.trial_budget} "
        "search trials, and it runs no search of its own. To run new search trials, write a new "
        "revision without records_from (move this study.yaml to revisions/"
        f"r{spec.revision}.yaml, raise revision, add a changelog entry) and run that"
    )

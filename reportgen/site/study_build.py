"""Render one study: every revision's page, the stable pointer of the current revision, its index row."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from reportgen.pages import (
    RecordMeta,
    render_pointer,
    render_study,
    revision_pointer,
    study_page,
)
from reportgen.pages.format import fmt
from reportgen.pages.index import StudyRow
from reportgen.pages.revisions import Lineage, RevisionSummary, page_file, recorded_change
from reportgen.pages.trials import download_name, trials_csv, trials_json
from reportgen.schema import StudyAnalysis, StudySpec, TrialKind, TrialRecord
from reportgen.site import kept_analyses, overlap
from reportgen.site.prepare import study_charts
from reportgen.site.sidecar import sidecar_name, split_page
from reportgen.store import StudyRecords
from reportgen.store.lineage import read_revisions

Analyze = Callable[..., StudyAnalysis]


@dataclass(frozen=True)
class RenderedStudy:
    files: dict[str, str]  # path relative to docs/studies → markdown
    row: StudyRow
    date: str  # last trial date (ISO), for the build date


def _dates(trials: Sequence[TrialRecord]) -> tuple[str, str]:
    if not trials:
        return "", ""
    stamps = sorted(t.provenance.created_utc for t in trials)
    return stamps[0].date().isoformat(), stamps[-1].date().isoformat()


def _changelog(spec: StudySpec, revision: int) -> tuple[str, str]:
    """The date and summary of ``revision``: its first changelog entry, then any later entry for
    the same revision (a re-decision of the same records) after it with its own date."""
    entries = [e for e in spec.changelog if e.revision == revision]
    if not entries:
        return "", ""
    first, later = entries[0], entries[1:]
    summary = " ".join(
        [first.summary]
        + [(f"{e.date.isoformat()}: " if e.date else "Later: ") + e.summary for e in later]
    )
    return (first.date.isoformat() if first.date else ""), summary


def _redecided(spec: StudySpec, verdicts: Mapping[int, str]) -> str:
    """The index's mark of a study whose verdict changed. A revision that re-decides an earlier
    one's records (records_from) is marked as its changelog records the change: the earlier
    page is rebuilt by today's code, so its verdict today is no evidence of the published one.
    Otherwise against the previous revision's verdict, or, for a re-decision written into the
    same revision's changelog, as that records it."""
    now = verdicts.get(spec.revision)
    found = recorded_change(spec.changelog, spec.revision)
    if found is not None and found.now != now:
        found = None  # the changelog's claim must be the verdict the page shows
    if spec.records_from is not None and found is not None:
        return f" (re-decided: r{spec.records_from} was {found.was})"
    before = max((r for r in verdicts if r < spec.revision), default=None)
    if before is not None and verdicts[before] != now:
        return f" (re-decided: r{before} was {verdicts[before]})"
    if found is not None:
        return f" (re-decided: was {found.was})"
    return ""


def _lineage(records: StudyRecords, rev: int) -> Lineage:
    """Where revision ``rev``'s trials were recorded, and the later revision that reads them."""
    reads = read_revisions(records.revisions, rev)[1:]
    trials = records.trials_at(rev)
    own = sum(t.study_revision == rev for t in trials)
    later = min((r for r, s in records.revisions.items() if s.records_from == rev), default=None)
    found = recorded_change(records.spec.changelog, later) if later is not None else None
    return Lineage(reads, len(trials) - own, own, later, found.was if found else "")


def _default_analysis() -> Analyze:
    from reportgen.analysis import analyze_study

    return analyze_study


def _ranks_importance(records: StudyRecords, analyze: Analyze) -> bool:
    """Whether the analysis may fit the importance forest (scikit-learn) for some revision: a
    cheap over-estimate of `analysis.importance`'s own test (which counts numeric varied
    hyperparameters and feasible trials), so a study that will not rank is not forked for."""
    from reportgen.analysis.importance import MIN_TRIALS

    return analyze is _default_analysis() and any(
        sum(hp.varied for hp in spec.search_space) >= 2
        and len(records.trials_at(rev)) >= MIN_TRIALS
        for rev, spec in records.revisions.items()
    )


def render_study_records(
    records: StudyRecords,
    analyze: Analyze,
    generator: str,
    related: Mapping[str, Sequence[TrialRecord]] | None = None,
    related_digests: Mapping[str, str] | None = None,
) -> RenderedStudy:
    """``related``: the other studies' trials the analysis reads, by ``analyze_study`` keyword
    (``baseline_trials``, ``previous_round_trials``); ``related_digests``: those studies'
    records digests, by the same keyword (the analyses are kept under them,
    `site.kept_analyses`; None: not kept)."""
    latest = records.spec.revision
    kwargs: dict[str, object] = {k: list(v) for k, v in (related or {}).items()}
    if records.throughput is not None:  # the probe measures the device, for every revision
        kwargs["throughput"] = records.throughput

    def analyse_all() -> dict[int, StudyAnalysis]:
        return {
            rev: analyze(spec, list(records.trials_at(rev)), **kwargs)
            for rev, spec in records.revisions.items()
        }

    # the default analysis is kept under the records' digests (`site.kept_analyses`)
    keep_under = related_digests if analyze is _default_analysis() else None
    kept = None if keep_under is None else kept_analyses.recall(records, keep_under)
    if kept is not None:
        analyses = kept
    elif _ranks_importance(records, analyze) and overlap.worth_it():

        def warm() -> None:  # Altair and the chart templates load while the child analyses
            trials = list(records.trials_at(latest))
            quick = analyze(records.spec, trials, importance=False, **kwargs)
            study_charts(records.spec, quick, trials)

        analyses = overlap.meanwhile(analyse_all, warm)
    else:
        analyses = analyse_all()
    if keep_under is not None and kept is None:
        kept_analyses.keep(records, keep_under, analyses)
    history = []
    for rev in records.revisions:
        date, summary = _changelog(records.spec, rev)
        if not date:
            date = _dates(records.trials_at(rev))[0]
        best = analyses[rev].summary.best
        history.append(
            RevisionSummary(
                rev, date, summary, len(records.trials_at(rev)), best.value if best else None
            )
        )
    files: dict[str, str] = {}
    sid = records.study_id
    for rev, spec in records.revisions.items():
        trials = list(records.trials_at(rev))
        first, last = _dates(trials)
        meta = RecordMeta(
            digest=records.digest,
            code_versions=tuple(sorted({t.provenance.code_version for t in trials})),
            first_date=first,
            last_date=last,
            latest_revision=latest,
            history=tuple(history),
            generator=generator,
            checkpointed=sum(t.checkpoint is not None for t in trials),
            commands=tuple(t.provenance.command for t in
                           sorted(trials, key=lambda t: (t.provenance.created_utc, t.trial_id))),
            trial_count=len(trials),
            lineage=_lineage(records, rev),
        )
        charts = study_charts(spec, analyses[rev], trials)
        page = f"{sid}/{page_file(rev, latest)}"
        # charts data and the trial table go beside the page, out of MkDocs' way (site.sidecar)
        files[page], sidecar = split_page(
            render_study(study_page(spec, analyses[rev], charts, meta))
        )
        if sidecar is not None:
            files[sidecar_name(page)] = sidecar
        points = list(analyses[rev].summary.points)
        names = [hp.name for hp in spec.search_space if hp.varied]
        files[f"{sid}/{download_name(rev, 'csv')}"] = trials_csv(points, names)
        files[f"{sid}/{download_name(rev, 'json')}"] = trials_json(points)
        if rev == latest:
            files[f"{sid}/r{rev}.md"] = render_pointer(revision_pointer(spec, meta))
    a = analyses[latest]
    latest_trials = records.trials_at(latest)
    n = sum(1 for t in latest_trials if t.kind is TrialKind.SEARCH)
    spec = records.spec
    status = "no trials" if n == 0 else ("running" if n < spec.trial_budget else "complete")
    decision = str(a.decision.verdict)
    if spec.override is not None:
        decision += f" (human: {spec.override.verdict})"
    decision += _redecided(spec, {r: str(x.decision.verdict) for r, x in analyses.items()})
    last_date = _dates(records.trials)[1] or _changelog(spec, latest)[0]
    row = StudyRow(
        study_id=sid,
        title=spec.title,
        goal=spec.goal,
        phase=str(spec.phase),
        status=status,
        trials=n,
        budget=spec.trial_budget,
        variance_trials=len(latest_trials) - n,
        best=(
            f"{fmt(a.summary.best.value)} {a.objective.metric} "
            f"({'lowest' if str(a.objective.direction) == 'minimize' else 'highest'})"
            if a.summary.best
            else "—"
        ),
        decision=decision,
        updated=last_date,
        revision=latest,
    )
    return RenderedStudy(files, row, last_date)

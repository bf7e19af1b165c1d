"""Cross-checks that need more than one record: budgets, duplicates, limits, names across studies.

Pure functions over validated models; each returns problems as `path: field: message`, and the
records it keeps. What `build` could not use, or would use to a wrong answer, is refused here.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePath

from reportgen.errors import Problem
from reportgen.schema import StudySpec, TrialKind, TrialRecord
from reportgen.schema.limits import (
    MAX_CURVE_POINTS,
    MAX_EVALUATIONS_PER_STUDY,
    MAX_HYPERPARAMETERS,
    MAX_TRIALS_PER_STUDY,
)
from reportgen.schema.trial import CURVE_COLUMNS
from reportgen.store.lineage import read_revisions, revision_trials
from reportgen.store.parse import time_problem
from reportgen.store.trade_off_checks import trade_off_problems


def spec_limit_problems(spec: StudySpec, shown: str) -> list[Problem]:
    n = len(spec.search_space)
    if n > MAX_HYPERPARAMETERS:
        return [
            Problem(
                shown,
                None,
                "search_space",
                f"{n} hyperparameters; a study holds at most {MAX_HYPERPARAMETERS}",
            )
        ]
    return []


def trial_limit_problems(trial: TrialRecord, shown: str) -> list[Problem]:
    out = []
    n = len(trial.curves.step)
    if n > MAX_CURVE_POINTS:
        out.append(
            Problem(shown, None, "curves.step", f"{n} points; a curve holds at most {MAX_CURVE_POINTS}")
        )
    p = time_problem(trial.provenance.created_utc, shown, "provenance.created_utc")
    if p is not None:
        out.append(p)
    return out


def _has_curve(trial: TrialRecord, name: str) -> bool:
    return name in CURVE_COLUMNS or name in trial.curves.extra


def study_problems(
    spec: StudySpec,
    revisions: dict[int, StudySpec],
    trials: list[TrialRecord],
    shown_of: dict[str, str],
    spec_shown: str,
) -> tuple[list[TrialRecord], list[Problem]]:
    """Problems of a study as a whole; returns the trials that stay (in id order) and the problems.

    ``revisions`` loses any revision above the current one (it would be rendered as a page).
    """
    out: list[Problem] = []
    folder = PurePath(spec_shown).parent
    for rev in sorted(r for r in revisions if r > spec.revision):
        del revisions[rev]
        out.append(
            Problem(
                str(folder / "revisions" / f"r{rev}.yaml"),
                None,
                "revision",
                f"r{rev} is above the current revision {spec.revision} of study.yaml",
            )
        )
    kept: list[TrialRecord] = []
    lower: dict[str, str] = {}
    points: dict[tuple, str] = {}  # type: ignore[type-arg]
    missing: dict[int, int] = defaultdict(int)
    for t in sorted(trials, key=lambda t: t.trial_id):
        shown = shown_of.get(t.trial_id, t.trial_id)
        other = lower.get(t.trial_id.casefold())
        if other is not None:
            out.append(
                Problem(
                    shown,
                    None,
                    "trial_id",
                    f"differs from {other!r} only by case (the two files collide on macOS and Windows)",
                )
            )
            continue
        spec_r = revisions.get(t.study_revision, spec)
        # a trial that never evaluated (failed at once) has no columns to name the metric in
        if len(t.curves) > 0 and not _has_curve(t, spec_r.objective.metric):
            missing[t.study_revision] += 1
            continue
        if t.kind is TrialKind.SEARCH:
            # Seeds are part of the key: a Bayesian search may propose one point twice, but
            # it trains it with other seeds; a copied record keeps them.
            key = (
                t.study_revision,
                t.seeds.sampler,
                t.seeds.init,
                t.seeds.data_order,
                tuple(sorted((k, type(v).__name__, v) for k, v in t.hyperparameters.items())),
            )
            if key in points:
                out.append(
                    Problem(
                        shown,
                        None,
                        "hyperparameters",
                        f"the same search point as {points[key]!r} (same revision, hyperparameters "
                        "and seeds): one training run would count twice",
                    )
                )
                continue
            points[key] = t.trial_id
        lower[t.trial_id.casefold()] = t.trial_id
        kept.append(t)
    for rev, n in sorted(missing.items()):
        spec_r = revisions.get(rev, spec)
        known = ", ".join(CURVE_COLUMNS)
        out.append(
            Problem(
                spec_shown,
                None,
                "objective.metric",
                f"{spec_r.objective.metric!r} is not a curve of {n} trial(s) of revision {rev} "
                f"(they are left out; built-in curves: {known}, or one of curves.extra)",
            )
        )
    out += trade_off_problems(spec, revision_trials(revisions, kept, spec.revision), spec_shown)
    searched = [t for t in kept if t.kind is TrialKind.SEARCH]
    # a revision's budget counts the search trials it analyses (records_from included); one
    # that records none of its own repeats no problem of the revision it reads
    for rev in sorted({t.study_revision for t in searched}):
        n = len(revision_trials(revisions, searched, rev))
        budget = revisions.get(rev, spec).trial_budget
        if n > budget:
            reads = ", ".join(f"r{r}" for r in read_revisions(revisions, rev)[1:])
            out.append(
                Problem(
                    spec_shown,
                    None,
                    "trial_budget",
                    f"revision {rev} has {n} search trials"
                    + (f" (with those of {reads}, which it reads)" if reads else "")
                    + f", more than its trial_budget of {budget}",
                )
            )
    if len(kept) > MAX_TRIALS_PER_STUDY:
        out.append(
            Problem(
                str(folder / "trials"),
                None,
                "file",
                f"{len(kept)} trials; a study holds at most {MAX_TRIALS_PER_STUDY} "
                f"(the first {MAX_TRIALS_PER_STUDY} by id are used)",
            )
        )
        kept = kept[:MAX_TRIALS_PER_STUDY]
    total = sum(len(t.curves) for t in kept)
    if total > MAX_EVALUATIONS_PER_STUDY:
        n, room = 0, MAX_EVALUATIONS_PER_STUDY
        while n < len(kept) and len(kept[n].curves) <= room:
            room -= len(kept[n].curves)
            n += 1
        out.append(
            Problem(
                str(folder / "trials"),
                None,
                "file",
                f"{total} curve points over {len(kept)} trials; a study holds at most "
                f"{MAX_EVALUATIONS_PER_STUDY} (the first {n} trials by id are used)",
            )
        )
        kept = kept[:n]
    return kept, out


def logbook_problems(
    folders: list[tuple[str, str]], studies: list[tuple[str, StudySpec, str]]
) -> dict[str, list[Problem]]:
    """Problems between studies: ids equal but for case, a baseline study that is not there.

    ``folders`` are (study id, shown path) of every study folder; ``studies`` (id, spec, shown
    path of its study.yaml) of the valid ones. Returns problems by study id.
    """
    out: dict[str, list[Problem]] = defaultdict(list)
    lower: dict[str, str] = {}
    for sid, shown in folders:
        other = lower.setdefault(sid.casefold(), sid)
        if other != sid:
            out[sid].append(
                Problem(
                    shown,
                    None,
                    "study_id",
                    f"differs from {other!r} only by case (the two folders collide on macOS and Windows)",
                )
            )
    valid = {sid for sid, _, _ in studies}
    for sid, spec, shown in studies:
        # the studies it compares with: `build` cannot analyse it without them
        named = {
            "baseline.study": spec.baseline.study if spec.baseline is not None else None,
            "round.previous": spec.round.previous if spec.round is not None else None,
        }
        for field_name, other in named.items():
            if other is not None and other not in valid:
                known = ", ".join(sorted(valid - {sid})) or "none"
                out[sid].append(
                    Problem(
                        shown,
                        None,
                        field_name,
                        f"{other!r} is not a valid study of this logbook (valid studies: {known})",
                    )
                )
    return dict(out)

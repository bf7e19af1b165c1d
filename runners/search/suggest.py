"""Points for external training loops, from the same search the runners use.

``suggest`` walks the study's search in order (scrambled Halton, grid, manual with the spec's
sampler seed; or Bayesian given the trials already on disk), skips trial ids that are on disk
(whatever their status: a failed trial is data, as for ``reportgen run --resume``) or claimed by
a live lease, and claims the next ones.
Trial ids, indices and seeds are the runners' (``r{revision}-s{seed}-{index:04d}``), so an
external loop and ``reportgen run --resume`` fill in the same study. This module imports no JAX.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from pathlib import Path

from reportgen.errors import InvalidRecords, ReportgenError
from reportgen.logger.record import full_hyperparameters, load_valid_spec
from reportgen.schema import (
    ObjectiveMode,
    SearchKind,
    Status,
    StudySpec,
    Suggestion,
    TrialKind,
    TrialRecord,
)
from reportgen.store import StudyRecords, load_study, study_folder
from reportgen.store.claims import DEFAULT_LEASE_SECONDS, ClaimBook
from reportgen.store.identity import derive_seeds, search_trial_id
from reportgen.store.lineage import inherited_points, read_search_notice
from reportgen.store.suggested import write_suggestion
from runners.search.points import SampledPoint, sample_points

DEFAULT_LEASE = DEFAULT_LEASE_SECONDS


def default_owner() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def _study(logbook: Path, spec: StudySpec) -> StudyRecords | None:
    """The study's valid records (None before any trial folder exists)."""
    folder = study_folder(logbook, spec.study_id)
    if not (folder / "trials").is_dir() and spec.records_from is None:
        return None
    study, problems = load_study(folder)
    if study is None:
        raise InvalidRecords(problems)
    return study


def _objective(spec: StudySpec, t: TrialRecord) -> float | None:
    if t.status is not Status.COMPLETE:
        return None
    if spec.objective.mode is ObjectiveMode.FINAL:
        return t.final_value
    return t.best.value if t.best else None


def _bayesian_points(spec: StudySpec, seed: int, done: dict[str, TrialRecord], taken: set[str]):  # type: ignore[no-untyped-def]
    """Bayesian points after the trials on disk, at indices nobody holds."""
    from runners.search.bayesian import BayesianSearch

    bo = BayesianSearch(spec, seed)
    prefix = f"r{spec.revision}-s{seed}-"
    mine = sorted((t for i, t in done.items() if i.startswith(prefix)), key=lambda t: t.index)
    for t in mine:
        bo.add_done(t.hyperparameters, _objective(spec, t))
    index = max((t.index for t in mine), default=-1) + 1
    while index < spec.trial_budget:
        if search_trial_id(spec.revision, seed, index) not in taken:
            yield bo.ask(index)
        index += 1


def suggest(
    logbook: Path | str,
    study_id: str,
    count: int = 1,
    *,
    owner: str | None = None,
    lease_seconds: float = DEFAULT_LEASE,
    sampler_seed: int | None = None,
    dry_run: bool = False,
) -> list[Suggestion]:
    """Claim and return up to ``count`` points of the study's search (fewer when the budget is
    used up or the rest is claimed). ``sampler_seed`` other than the spec's gives a rerun.
    ``dry_run``: the points that would be handed out, neither claimed nor written."""
    logbook = Path(logbook)
    spec = load_valid_spec(logbook, study_id)
    seed = spec.search.seed if sampler_seed is None else int(sampler_seed)
    kind = TrialKind.SEARCH if seed == spec.search.seed else TrialKind.RERUN
    group = "" if kind is TrialKind.SEARCH else f"sampler-seed-{seed}"
    owner = owner or default_owner()
    # suggest exits at once: its claims must outlive it, so only the lease ends them
    book = ClaimBook(study_folder(logbook, study_id), owner, lease_seconds, bound_to_process=False)
    study = _study(logbook, spec)
    records = {t.trial_id: t for t in study.trials} if study is not None else {}
    if study is not None and spec.records_from is not None:
        # a revision that re-decides earlier records hands out no search point of its own, and
        # a rerun's points those records already hold count as done
        if kind is TrialKind.SEARCH:
            read_search_notice(spec, study.revisions, study.trials)
            return []
        records |= inherited_points(study.revisions, study.trials, spec.revision)
    done = set(records)
    live = book.live_claims()
    if spec.search.kind is SearchKind.BAYESIAN:
        points = _bayesian_points(spec, seed, records, done | live)
    else:
        points = iter(sample_points(spec, spec.trial_budget, seed))
    out: list[Suggestion] = []
    for point in points:
        if len(out) >= count:
            break
        trial_id = search_trial_id(spec.revision, seed, point.index)
        if trial_id in done or trial_id in live:
            continue
        if not dry_run and not book.try_claim(trial_id):
            continue
        handout = book.generation(trial_id) or 1
        s = _suggestion(spec, trial_id, kind, group, point, seed, owner, lease_seconds, handout)
        if not dry_run:
            write_suggestion(logbook, s)
        out.append(s)
    return out


def _suggestion(spec, trial_id, kind, group, point: SampledPoint, seed, owner, lease, handout):  # type: ignore[no-untyped-def]
    s = Suggestion(
        study_id=spec.study_id,
        study_revision=spec.revision,
        trial_id=trial_id,
        kind=kind,
        group=group,
        index=point.index,
        hyperparameters=full_hyperparameters(spec, point.values),
        unit_coords=point.unit_coords or None,
        seeds=derive_seeds(seed, point.index),
        owner=owner,
        handout=handout,
        lease_seconds=lease,
        created_utc=dt.datetime.now(dt.UTC).replace(microsecond=0),
    )
    return s


def suggest_retrains(
    logbook: Path | str,
    study_id: str,
    trial: str,
    seeds: int,
    *,
    owner: str | None = None,
    lease_seconds: float = DEFAULT_LEASE,
    dry_run: bool = False,
) -> list[Suggestion]:
    """Claim the retrains ``{trial}-rt{k}`` (k = 1..seeds) of a search trial (``best`` picks
    the best complete one of the current revision): same values, new seeds, as
    ``reportgen retrain`` makes them."""
    logbook = Path(logbook)
    spec = load_valid_spec(logbook, study_id)
    study = _study(logbook, spec)
    records = {t.trial_id: t for t in study.trials} if study is not None else {}
    if trial == "best":
        sign = -1 if spec.objective.direction.value == "maximize" else 1
        cands = [
            t
            for t in (study.trials_at(spec.revision) if study is not None else ())
            if t.kind is TrialKind.SEARCH and _objective(spec, t) is not None
        ]
        if not cands:
            raise ReportgenError(f"study {study_id!r} has no complete search trial to retrain")
        source = min(cands, key=lambda t: (sign * _objective(spec, t), t.trial_id))  # type: ignore[operator]
    elif trial in records:
        source = records[trial]
    else:
        raise ReportgenError(f"--retrain {trial!r}: no such trial in {study_id!r}")
    if source.kind is not TrialKind.SEARCH:
        raise ReportgenError(
            f"--retrain {source.trial_id!r} is a {source.kind} trial; pick a search trial"
        )
    names = {hp.name for hp in spec.search_space}
    values = {k: v for k, v in source.hyperparameters.items() if k in names}
    point = SampledPoint(source.index, values, list(source.unit_coords or []))
    owner = owner or default_owner()
    # suggest exits at once: its claims must outlive it, so only the lease ends them
    book = ClaimBook(study_folder(logbook, study_id), owner, lease_seconds, bound_to_process=False)
    live = book.live_claims()
    out = []
    for k in range(1, seeds + 1):
        trial_id = f"{source.trial_id}-rt{k}"
        if trial_id in records or (dry_run and trial_id in live):
            continue
        if not dry_run and not book.try_claim(trial_id):
            continue
        s = Suggestion(
            study_id=spec.study_id,
            study_revision=spec.revision,
            trial_id=trial_id,
            kind=TrialKind.RETRAIN,
            group=source.trial_id,
            index=source.index,
            hyperparameters=full_hyperparameters(spec, point.values),
            unit_coords=point.unit_coords or None,
            seeds=derive_seeds(source.seeds.sampler, source.index, k),
            owner=owner,
            handout=book.generation(trial_id) or 1,
            lease_seconds=lease_seconds,
            created_utc=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )
        if not dry_run:
            write_suggestion(logbook, s)
        out.append(s)
    return out

"""Load and validate a logbook. One bad file never hides the problems of the others."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from reportgen.errors import Problem
from reportgen.schema import StudySpec, TrialRecord
from reportgen.schema.batch_size import THROUGHPUT_FILE, ThroughputRecord
from reportgen.schema.limits import MAX_SPEC_BYTES
from reportgen.store.consistency import repeated_seed_problems
from reportgen.store.crosscheck import (
    logbook_problems,
    spec_limit_problems,
    study_problems,
    trial_limit_problems,
)
from reportgen.store.layout import _SAFE, REVISION_FILE, REVISIONS_DIR, SPEC_NAME, TRIALS_DIR
from reportgen.store.lineage import records_from_problems, revision_trials
from reportgen.store.parse import (
    digest_bounded,
    json_problems,
    list_folder,
    parse_yaml,
    read_bounded,
    symlink_problem,
)
from reportgen.store.record_cache import StudyRecordCache, study_cache
from reportgen.store.throughput import load_throughput
from reportgen.store.trial_checks import trial_problems
from reportgen.store.validation import parse_model, validation_problems


@dataclass(frozen=True)
class StudyRecords:
    """A valid study: its current spec, earlier revisions, valid trials and a digest of its files."""

    study_id: str
    folder: Path
    spec: StudySpec
    revisions: dict[int, StudySpec]
    trials: tuple[TrialRecord, ...]
    digest: str
    throughput: ThroughputRecord | None = None  # throughput.json: the throughput probe's record

    def spec_at(self, revision: int) -> StudySpec:
        return self.revisions.get(revision, self.spec)

    def trials_at(self, revision: int) -> tuple[TrialRecord, ...]:
        """The trials revision ``revision`` analyses: those recorded under it and, when its spec
        says ``records_from``, those of the earlier revisions it reads (`store.lineage`)."""
        return revision_trials(self.revisions, self.trials, revision)


@dataclass(frozen=True)
class Logbook:
    root: Path
    studies: tuple[StudyRecords, ...]
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def study(self, study_id: str) -> StudyRecords | None:
        return next((s for s in self.studies if s.study_id == study_id), None)

    bad_studies: tuple[str, ...] = field(default_factory=tuple)
    """Study folders with at least one problem (their valid parts may still have loaded)."""


def load_spec(path: Path, display: str | None = None) -> tuple[StudySpec | None, list[Problem]]:
    shown = display or str(path)
    raw, problems = read_bounded(Path(path), shown, MAX_SPEC_BYTES)
    if raw is None:
        return None, problems
    data, node, problems = parse_yaml(raw, shown, MAX_SPEC_BYTES)
    if problems:
        return None, problems
    if not isinstance(data, dict):
        return None, [
            Problem(shown, 1, "(spec)", f"expected a mapping of fields, got {type(data).__name__}")
        ]
    try:
        spec = StudySpec.model_validate(data)
    except ValidationError as e:
        return None, validation_problems(e, shown, node)
    except RecursionError:
        return None, [Problem(shown, None, "file", "nested too deeply")]
    problems = spec_limit_problems(spec, shown)
    return (None if problems else spec), problems


def load_trial(path: Path, display: str | None = None) -> tuple[TrialRecord | None, list[Problem]]:
    shown = display or str(path)
    raw, problems = read_bounded(Path(path), shown)
    if raw is None:
        return None, problems
    return parse_trial(raw, shown)


def parse_trial(raw: bytes, shown: str) -> tuple[TrialRecord | None, list[Problem]]:
    # Fast path: pydantic-core parses and validates in one pass (several times faster than
    # json.loads + model_validate). Anything it refuses goes through the careful path below,
    # which says what is wrong in a form `reportgen check` can print.
    problems = json_problems(raw, shown)  # duplicate keys, huge integers, size
    if problems:
        return None, problems
    try:
        return _shared_fields_sets(TrialRecord.model_validate_json(raw)), []
    except (ValidationError, ValueError, RecursionError):
        pass
    trial, problems = parse_model(raw, shown, TrialRecord)
    return (_shared_fields_sets(trial) if trial is not None else None), problems


_M = TypeVar("_M", bound=BaseModel)
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def _shared_fields_sets(model: _M) -> _M:
    """``model`` and its sub-models with each set of explicitly set field names shared.

    pydantic gives every instance its own set of the fields it was given: 5 KB of a loaded
    trial's 13 KB when its curves are short, the same few sets in every record. Records are
    frozen, so nothing adds to a set after validation, and pydantic copies it on
    ``model_copy``. Only the sets are shared; the values stay the instance's own.
    """
    for value in model.__dict__.values():
        if isinstance(value, BaseModel):
            _shared_fields_sets(value)
    own = model.__pydantic_fields_set__
    shared = _FIELDS_SETS.setdefault(frozenset(own), own)
    if shared is not own:
        object.__setattr__(model, "__pydantic_fields_set__", shared)
    return model


def _rel(path: Path, root: Path) -> str:
    """How a path is shown in problems: relative to the working folder when inside it."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def _in_folder(shown_dir: str, name: str) -> str:
    """``_rel(folder / name, root)`` given ``shown_dir = _rel(folder, root)``."""
    return name if shown_dir == "." else f"{shown_dir}{os.sep}{name}"


def load_study(
    folder: Path, root: Path | None = None, *, cached: bool = False
) -> tuple[StudyRecords | None, list[Problem]]:
    """Load one study folder. Returns the valid part (if the spec is valid) and every problem.

    ``cached``: take trial files whose stat is unchanged from the record cache and keep what
    was parsed in it (`record_cache`; off when ``REPORTGEN_CACHE_DIR=off``). The result is
    the same either way.
    """
    folder = Path(folder)
    cache = study_cache(folder) if cached else None
    try:
        return _load_study(folder, root, cache)
    finally:
        if cache is not None:
            cache.close()


def _load_study(
    folder: Path, root: Path | None, cache: StudyRecordCache | None
) -> tuple[StudyRecords | None, list[Problem]]:
    folder = Path(folder)
    root = Path(root) if root is not None else folder.parent
    study_id = folder.name
    problems: list[Problem] = []
    if folder.is_symlink():
        return None, [symlink_problem(_rel(folder, root))]
    if not _SAFE.match(study_id):
        return None, [
            Problem(
                _rel(folder, root), None, "study_id", f"folder name {study_id!r} is not a safe id"
            )
        ]
    spec_file = folder / SPEC_NAME
    if not spec_file.is_file() and not spec_file.is_symlink():
        return None, [
            Problem(_rel(folder, root), None, SPEC_NAME, "study folder has no study.yaml")
        ]
    digest = hashlib.sha256()
    spec, probs = load_spec(spec_file, _rel(spec_file, root))
    problems += probs
    if spec is not None and spec.study_id != study_id:
        problems.append(
            Problem(
                _rel(spec_file, root),
                None,
                "study_id",
                f"{spec.study_id!r} does not match its folder {study_id!r}",
            )
        )
        spec = None
    _feed(digest, spec_file, folder)

    revisions: dict[int, StudySpec] = {}
    shown_of: dict[int, str] = {}  # each revision's file as problems show it
    rev_dir = folder / REVISIONS_DIR
    rev_files, probs = list_folder(rev_dir, _rel(rev_dir, root))
    problems += probs
    if rev_files:
        for f in rev_files:
            if f.name.startswith("."):
                continue
            m = REVISION_FILE.match(f.name)
            if m and f.is_symlink():
                problems.append(symlink_problem(_rel(f, root)))
                continue
            if not m or not f.is_file():
                problems.append(
                    Problem(
                        _rel(f, root), None, "file", "revisions/ holds only files named r<N>.yaml"
                    )
                )
                continue
            old, probs = load_spec(f, _rel(f, root))
            problems += probs
            _feed(digest, f, folder)
            if old is None:
                continue
            if old.revision != int(m.group(1)) or old.study_id != study_id:
                problems.append(
                    Problem(
                        _rel(f, root),
                        None,
                        "revision",
                        f"file name says revision {m.group(1)}, spec says {old.revision} of {old.study_id!r}",
                    )
                )
                continue
            revisions[old.revision] = old
            shown_of[old.revision] = _rel(f, root)
    if spec is not None:
        if spec.revision in revisions and revisions[spec.revision] != spec:
            problems.append(
                Problem(
                    _rel(rev_dir, root),
                    None,
                    "revision",
                    f"r{spec.revision}.yaml differs from the current study.yaml of the same revision",
                )
            )
        revisions[spec.revision] = spec
        shown_of[spec.revision] = _rel(spec_file, root)

    trials: list[TrialRecord] = []
    seen: dict[str, str] = {}
    tdir = folder / TRIALS_DIR
    shown_dir = _rel(tdir, root)  # one relpath for the folder, not one per trial file
    trial_files, probs = list_folder(tdir, shown_dir)
    problems += probs
    if trial_files is not None:
        for f in trial_files:
            if f.name.startswith("."):
                continue  # temporary files of an interrupted atomic write
            shown = _in_folder(shown_dir, f.name)
            try:
                st: os.stat_result | None = os.lstat(f)
            except OSError:
                st = None  # gone since the listing: read_bounded names the problem
            if st is not None and stat.S_ISLNK(st.st_mode):
                problems.append(symlink_problem(shown))
                continue
            if f.suffix != ".json" or (st is not None and not stat.S_ISREG(st.st_mode)):
                problems.append(
                    Problem(shown, None, "file", "trials/ holds only <trial_id>.json files")
                )
                continue
            hit = cache.lookup(f.name, st, f) if cache is not None and st is not None else None
            if hit is not None:
                trial, file_sha = _shared_fields_sets(hit[0]), hit[1]
                _feed_bytes(digest, f, folder, file_sha)
            else:
                # one read: the digest and the parse see the same bytes (the hash of nothing,
                # as digest_bounded gives, for a file that cannot be read or is over the limit)
                raw, probs = read_bounded(f, shown)
                file_sha = hashlib.sha256(raw or b"").digest()
                _feed_bytes(digest, f, folder, file_sha)
                trial, probs = parse_trial(raw, shown) if raw is not None else (None, probs)
                problems += probs
                if trial is None:
                    continue
                if cache is not None and st is not None:
                    cache.keep(f.name, st, file_sha, trial)  # the stat from before the read
            extra = []
            if trial.trial_id != f.stem:
                extra.append(
                    Problem(
                        shown,
                        None,
                        "trial_id",
                        f"{trial.trial_id!r} does not match its file name {f.stem!r}",
                    )
                )
            if trial.trial_id in seen:
                extra.append(
                    Problem(
                        shown,
                        None,
                        "trial_id",
                        f"duplicate trial id {trial.trial_id!r} (also in {seen[trial.trial_id]})",
                    )
                )
            if spec is not None:
                extra += trial_problems(
                    trial, revisions.get(trial.study_revision, spec), study_id, shown
                )
            extra += trial_limit_problems(trial, shown)
            problems += extra
            if not extra:
                seen[trial.trial_id] = shown
                trials.append(trial)

    if cache is not None:
        cache.save()
    repeated = repeated_seed_problems(trials, seen)
    problems += repeated
    trials = [t for t in trials if seen.get(t.trial_id) not in {p.path for p in repeated}]
    if spec is None:
        return None, problems
    kept, probs = study_problems(spec, revisions, trials, seen, _rel(spec_file, root))
    problems += probs
    problems += records_from_problems(revisions, shown_of, _rel(rev_dir, root))
    trials = kept
    trials.sort(key=lambda t: t.trial_id)
    throughput, probs = load_throughput(
        folder, _rel(folder / THROUGHPUT_FILE, root), study_id, digest
    )
    problems += probs
    return StudyRecords(
        study_id, folder, spec, dict(sorted(revisions.items())), tuple(trials),
        digest.hexdigest(), throughput,
    ), problems


def _feed(digest: Any, f: Path, folder: Path) -> None:
    _feed_bytes(digest, f, folder, digest_bounded(f))


def _feed_bytes(digest: Any, f: Path, folder: Path, file_digest: bytes) -> None:
    digest.update(str(f.relative_to(folder)).encode() + b"\0" + file_digest)


def load_logbook(root: Path, *, cached: bool = False) -> Logbook:
    """Load every study under ``root``. Folders starting with '.' or '_' are skipped.

    ``cached``: through the record cache (see `load_study`)."""
    root = Path(root)
    if not root.is_dir():
        return Logbook(root, (), (Problem(str(root), None, "logbook", "is not a folder"),))
    studies: list[StudyRecords] = []
    bad: list[str] = []
    folders, problems = list_folder(root, str(root))
    folders = [
        f for f in folders or [] if not f.name.startswith((".", "_")) and (f.is_dir() or f.is_symlink())
    ]
    for folder in folders:
        study, probs = load_study(folder, root, cached=cached)
        problems += probs
        if probs:
            bad.append(folder.name)
        if study is not None:
            studies.append(study)
    for sid, probs in logbook_problems(
        [(f.name, _rel(f, root)) for f in folders],
        [(s.study_id, s.spec, _rel(s.folder / SPEC_NAME, root)) for s in studies],
    ).items():
        problems += probs
        if sid not in bad:
            bad.append(sid)
    return Logbook(root, tuple(studies), tuple(problems), tuple(sorted(bad)))

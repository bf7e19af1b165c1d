"""Put an imported study into the logbook, all or nothing.

A new study is written into a temporary folder beside it, checked with the store's own loader,
then moved into place with one rename. Re-importing into an existing study adds only the runs
whose source run id it does not hold yet (a sweep still running can be imported again).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from reportgen.errors import InvalidRecords, Problem, ReportgenError
from reportgen.importers.runs import ImportedSource
from reportgen.importers.skeleton import (
    ImportOptions,
    build_record,
    build_spec,
    check_ids,
    check_names,
    problems_of,
    trial_ids,
)
from reportgen.schema import StudySpec, TrialRecord
from reportgen.store import load_spec, load_study, study_folder, write_spec, write_trial
from reportgen.store.layout import SPEC_NAME, TRIALS_DIR


@dataclass(frozen=True)
class ImportResult:
    study_id: str
    folder: Path
    added: tuple[str, ...]
    skipped: int  # runs already in the study
    created: bool


def _existing_runs(folder: Path) -> tuple[dict[str, str], int]:
    """Trial id -> source run id of the study's trials, and how many trials it holds."""
    records, problems = load_study(folder)
    if problems:
        raise InvalidRecords(problems)
    assert records is not None
    ids = {
        t.trial_id: (t.provenance.source.run_id if t.provenance.source else "") or ""
        for t in records.trials
    }
    return ids, len(records.trials)


STAGING = ".import-"  # + the importing process's pid: a staging folder beside the studies


def remove_dead_staging(logbook: Path) -> list[Path]:
    """Remove the staging folders of imports whose process is gone (killed mid-import)."""
    removed = []
    for p in Path(logbook).glob(f"{STAGING}*"):
        pid = p.name[len(STAGING) :].partition("-")[0]
        if p.is_dir() and not p.is_symlink() and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def import_study(src: ImportedSource, opts: ImportOptions, logbook: Path) -> ImportResult:
    folder = study_folder(logbook, opts.study_id)
    problems = check_names(src)
    in_source = {n for r in src.runs for n in r.hyperparameters} | set(src.space)
    for name in sorted(set(opts.roles) - in_source):
        problems.append(
            Problem(
                src.source.location, None, f"roles.{name}",
                f"no such hyperparameter in the source; known: {', '.join(sorted(in_source)) or 'none'}",
            )
        )
    if problems:
        raise InvalidRecords(problems)
    created = not folder.exists()
    if created:
        data, _, _ = build_spec(src, opts)
        try:
            spec = StudySpec.model_validate(data)
        except ValidationError as e:
            raise InvalidRecords(problems_of(e, f"{folder / SPEC_NAME} (from {src.source.location})")) from None
        taken: dict[str, str] = {}
        start = 0
    else:
        spec, spec_problems = load_spec(folder / SPEC_NAME)
        if spec is None:
            raise InvalidRecords(spec_problems)
        if spec.source is None or spec.source.kind != src.source.kind:
            raise ReportgenError(
                f"{folder}: study exists and was not imported from {src.source.kind}; "
                "choose another --study"
            )
        taken, start = _existing_runs(folder)
    problems += check_ids(src, taken)
    if problems:
        raise InvalidRecords(problems)
    known = set(taken.values())
    ids = trial_ids(src, taken)
    new_runs = [r for r in src.runs if r.run_id not in known]
    records: list[TrialRecord] = []
    for i, run in enumerate(new_runs):
        where = f"{src.source.location}#{run.run_id}"
        try:
            record = build_record(run, start + i, spec, src, ids[run.run_id])
        except ValidationError as e:
            problems += problems_of(e, where)
            continue
        for name, value in record.hyperparameters.items():
            try:
                hp = spec.hyperparameter(name)
            except KeyError:
                problems.append(Problem(where, None, f"hyperparameters.{name}", "not in the study's search space"))
                continue
            if not hp.contains(value):
                problems.append(
                    Problem(where, None, f"hyperparameters.{name}", f"value {value!r} is outside the study's search space")
                )
        records.append(record)
    if problems:
        raise InvalidRecords(problems)
    logbook = Path(logbook)
    logbook.mkdir(parents=True, exist_ok=True)
    remove_dead_staging(logbook)
    tmp_root = Path(tempfile.mkdtemp(prefix=f"{STAGING}{os.getpid()}-", dir=logbook))
    try:
        staged = tmp_root / opts.study_id
        total = start + len(records)
        grown = not created and total > spec.trial_budget
        if grown:  # a sweep imported again has more runs: its budget is what the source ran
            spec = spec.model_copy(update={"trial_budget": total})
        if created or grown:
            write_spec(tmp_root, spec)
        else:
            (staged / TRIALS_DIR).mkdir(parents=True)
            shutil.copy2(folder / SPEC_NAME, staged / SPEC_NAME)
        for record in records:
            write_trial(tmp_root, record)
        check, problems = load_study(staged)
        if problems or check is None:
            raise InvalidRecords(problems)
        if created:
            os.rename(staged, folder)
        else:
            (folder / TRIALS_DIR).mkdir(exist_ok=True)
            for path in sorted((staged / TRIALS_DIR).glob("*.json")):
                os.replace(path, folder / TRIALS_DIR / path.name)
            if grown:
                os.replace(staged / SPEC_NAME, folder / SPEC_NAME)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)
    return ImportResult(
        opts.study_id, folder, tuple(r.trial_id for r in records), len(src.runs) - len(new_runs), created
    )

"""The points handed out to external loops: ``<study>/.suggested/<trial_id>.json`` (hidden)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from reportgen.errors import ReportgenError
from reportgen.schema.suggestion import Suggestion
from reportgen.store.layout import ignore_in_flight_files, safe_id, study_folder
from reportgen.store.write import atomic_write_text

SUGGESTED_DIR = ".suggested"


def suggestion_path(logbook: Path, study_id: str, trial_id: str) -> Path:
    return study_folder(logbook, study_id) / SUGGESTED_DIR / f"{safe_id(trial_id, 'trial id')}.json"


def write_suggestion(logbook: Path, s: Suggestion) -> Path:
    path = suggestion_path(logbook, s.study_id, s.trial_id)
    ignore_in_flight_files(Path(logbook))
    atomic_write_text(path, s.model_dump_json(indent=2) + "\n")
    return path


def read_suggestion(logbook: Path, study_id: str, trial_id: str) -> Suggestion | None:
    path = suggestion_path(logbook, study_id, trial_id)
    if not path.is_file():
        return None
    try:
        return Suggestion.model_validate_json(path.read_bytes())
    except (ValidationError, ValueError) as e:
        raise ReportgenError(f"{path}: not a valid suggestion: {e}") from None


def release_points(
    logbook: Path, study_id: str, trial_ids: list[str], owner: str | None = None
) -> list[str]:
    """Give handed-out points back: end each one's claim and forget the hand-out, so the next
    `reportgen suggest` hands it out again. ``trial_ids`` empty: every point of the study that
    is handed out (to ``owner``, when given). A named point held by another owner than
    ``owner`` is refused. Returns the ids released."""
    from reportgen.store.claims import ClaimBook

    folder = study_folder(logbook, study_id)
    named = list(trial_ids)
    if not named:
        named = sorted(p.stem for p in (folder / SUGGESTED_DIR).glob("*.json"))
    out = []
    for trial_id in named:
        point = read_suggestion(logbook, study_id, trial_id)
        if point is None:
            if trial_ids:
                raise ReportgenError(
                    f"trial {trial_id!r} of {study_id!r} is not handed out (written already, "
                    "or never suggested): nothing to release"
                )
            continue
        if owner is not None and point.owner != owner:
            if trial_ids:
                raise ReportgenError(
                    f"trial {trial_id!r} is handed out to another owner, not {owner!r}; "
                    "nothing was released (leave out --owner to release it anyway)"
                )
            continue
        ClaimBook(folder, point.owner, point.lease_seconds, bound_to_process=False).expire(trial_id)
        suggestion_path(logbook, study_id, trial_id).unlink(missing_ok=True)
        out.append(trial_id)
    return out

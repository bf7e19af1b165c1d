"""The points handed out to external loops: ``<study>/.suggested/<trial_id>.json`` (hidden)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from reportgen.errors import ReportgenError
from reportgen.schema.suggestion import Suggestion
from reportgen.store.layout import safe_id, study_folder
from reportgen.store.write import atomic_write_text

SUGGESTED_DIR = ".suggested"


def suggestion_path(logbook: Path, study_id: str, trial_id: str) -> Path:
    return study_folder(logbook, study_id) / SUGGESTED_DIR / f"{safe_id(trial_id, 'trial id')}.json"


def write_suggestion(logbook: Path, s: Suggestion) -> Path:
    path = suggestion_path(logbook, s.study_id, s.trial_id)
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

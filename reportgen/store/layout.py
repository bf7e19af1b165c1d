"""Where things live under a logbook folder.

<logbook>/<study_id>/study.yaml              the current spec (written by a person)
<logbook>/<study_id>/revisions/r<N>.yaml     earlier revisions of the spec, kept as they were
<logbook>/<study_id>/trials/<trial_id>.json  one trial record per file
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.schema.common import SAFE_ID_PATTERN

SPEC_NAME = "study.yaml"
TRIALS_DIR = "trials"
REVISIONS_DIR = "revisions"
REVISION_FILE = re.compile(r"^r([1-9][0-9]{0,5})\.yaml$")
_SAFE = re.compile(SAFE_ID_PATTERN)


def safe_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a single safe path component, else raise a clear error."""
    if not isinstance(value, str) or not _SAFE.match(value):
        raise ReportgenError(
            f"{what} {value!r} is not allowed: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit (it must name one folder, never a path)"
        )
    return value


def study_folder(logbook: Path, study_id: str) -> Path:
    return Path(logbook) / safe_id(study_id, "study id")


def spec_path(logbook: Path, study_id: str) -> Path:
    return study_folder(logbook, study_id) / SPEC_NAME


def trials_folder(logbook: Path, study_id: str) -> Path:
    return study_folder(logbook, study_id) / TRIALS_DIR


def trial_path(logbook: Path, study_id: str, trial_id: str) -> Path:
    return trials_folder(logbook, study_id) / f"{safe_id(trial_id, 'trial id')}.json"


def revision_path(logbook: Path, study_id: str, revision: int) -> Path:
    return study_folder(logbook, study_id) / REVISIONS_DIR / f"r{int(revision)}.yaml"


IGNORE_NAME = ".gitignore"
# what workers and external loops keep beside the records while they run: never committed
IGNORED = (".claims/", ".suggested/", ".*.journal.json", ".*.tmp-*", ".serve-status.txt")


def ignore_in_flight_files(logbook: Path) -> None:
    """Write ``<logbook>/.gitignore`` for the in-flight files (claims, handed-out points,
    journals) the first time any is written, so ``git add -A`` never commits them. An existing
    file is left as its owner wrote it."""
    path = Path(logbook) / IGNORE_NAME
    if path.exists() or path.is_symlink():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError:
        return  # written by another worker meanwhile, or a read-only logbook
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(
            "# written by reportgen: files of trials in flight (claims, points handed out by\n"
            "# `reportgen suggest`, logger journals); the records themselves are committed\n"
        )
        fh.write("".join(f"**/{p}\n" for p in IGNORED))

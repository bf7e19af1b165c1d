"""``<study>/throughput.json``: the throughput probe's record, read and validated like a trial
file (bounded read, problems naming the field), and fed into the study's digest so that a new
probe renders its page again."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from reportgen.errors import Problem
from reportgen.schema.batch_size import THROUGHPUT_FILE, ThroughputRecord
from reportgen.store.parse import read_bounded, symlink_problem
from reportgen.store.validation import parse_model


def parse_throughput(raw: bytes, shown: str) -> tuple[ThroughputRecord | None, list[Problem]]:
    """The probe's record, or the problems naming its fields."""
    return parse_model(raw, shown, ThroughputRecord)


def load_throughput(
    folder: Path, shown: str, study_id: str, digest: Any
) -> tuple[ThroughputRecord | None, list[Problem]]:
    """``folder/throughput.json`` when there is one (``shown``: its path in problems)."""
    f = Path(folder) / THROUGHPUT_FILE
    if not f.exists() and not f.is_symlink():
        return None, []
    if f.is_symlink():
        return None, [symlink_problem(shown)]
    raw, problems = read_bounded(f, shown)
    digest.update(THROUGHPUT_FILE.encode() + b"\0" + hashlib.sha256(raw or b"").digest())
    if raw is None:
        return None, problems
    record, problems = parse_throughput(raw, shown)
    if record is not None and record.study_id != study_id:
        return None, [
            Problem(shown, None, "study_id",
                    f"{record.study_id!r} does not match its folder {study_id!r}")
        ]  # fmt: skip
    return record, problems

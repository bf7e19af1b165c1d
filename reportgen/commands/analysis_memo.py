"""What `reportgen analyze` answered last, per study: an unchanged study is not loaded or analysed again.

A 10 000-trial study takes seconds to load and analyse, and the answer depends only on its
files (and those of the studies it compares with) and on the code. After an analysis, the
answer is kept in reportgen's cache folder (`record_cache.cache_root`, ``analyses/``) with the
stat (size, mtime, ctime, inode) of every file under each study folder it read, taken before
they were read. The next call walks those folders (one ``stat`` per file): when every stat is
the same and none is recent enough to hide an edit in the same clock tick, the kept answer is
the answer; anything else is a miss, and the study is loaded and analysed as usual.

The answer is kept as the JSON of `StudyAnalysis` under a seal (`store.cache_seal`: a keyed
digest checked before the answer is used, so an edited or planted answer is a miss) and read
back through the model; nothing in the cache can execute. A code change (analysis, schema, store, or the numeric libraries)
starts afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.store.cache_seal import read_sealed, sealer, write_sealed
from reportgen.store.record_cache import (
    ANALYSIS_LIBRARIES,
    cache_root,
    racy,
    sources_digest,
    versions_of,
)

if TYPE_CHECKING:
    from reportgen.schema import StudyAnalysis

FORMAT = 2
LIMIT = 1 << 28  # bytes: an analysis of 100 000 trials is a few megabytes
# what an answer is computed by: `commands/analyze.py` picks the studies and trials analysed
_CODE = ("analysis", "schema", "store", "commands")


@lru_cache(maxsize=1)
def code_digest() -> str:
    return sources_digest(_CODE, "\0".join([str(FORMAT), *versions_of(ANALYSIS_LIBRARIES)]))


def folder_stats(folder: Path) -> dict[str, list[Any]]:
    """``relative path -> [size, mtime_ns, ctime_ns, inode, ...]`` of every file under a study
    folder but dot-folders (the claims of running workers): the build manifest's stat pass,
    reading no file."""
    from reportgen.site.manifest import study_signature

    return study_signature(folder, None, read=False)[1]


class AnalysisMemo:
    """The kept answer for one (study folder, revision): `recall`, or `keep` a fresh one."""

    def __init__(self, root: Path, folder: Path, revision: int | None):
        self._key = json.dumps([os.path.abspath(folder), revision])
        name = hashlib.sha256(self._key.encode()).hexdigest()[:32]
        self.path = Path(root) / "analyses" / f"{name}.json"
        self.before: dict[str, dict[str, list[Any]]] = {}
        self.noted_at = 0

    def note(self, folder: Path) -> None:
        """Record a folder's stats before it is read (the main study, then its related ones)."""
        if not self.before:
            self.noted_at = time.time_ns()
        self.before[os.path.abspath(folder)] = folder_stats(folder)

    def recall(self) -> StudyAnalysis | None:
        from reportgen.schema import StudyAnalysis

        seal = sealer(self.path.parent)
        body = None if seal is None else read_sealed(self.path, seal, LIMIT)
        if body is None:
            return None
        try:
            kept = json.loads(body)
            if kept["format"] != FORMAT or kept["key"] != self._key or kept["code"] != code_digest():
                return None
            noted_at = int(kept["noted_at_ns"])
            for folder, stats in kept["folders"].items():
                now = folder_stats(Path(folder))
                if now != stats or any(racy(s[2], noted_at) for s in now.values()):
                    return None
            return StudyAnalysis.model_validate(kept["analysis"])
        except Exception:  # noqa: BLE001 - a missing, torn or foreign entry is a miss
            return None

    def keep(self, analysis: StudyAnalysis) -> None:
        kept: dict[str, Any] = {
            "format": FORMAT,
            "key": self._key,
            "code": code_digest(),
            "noted_at_ns": self.noted_at,
            "folders": self.before,
            "analysis": json.loads(analysis.model_dump_json()),
        }
        seal = sealer(self.path.parent)
        if seal is not None:
            with contextlib.suppress(OSError):
                write_sealed(self.path, seal, json.dumps(kept, separators=(",", ":")).encode())


def analysis_memo(folder: Path, revision: int | None) -> AnalysisMemo | None:
    root = cache_root()
    return None if root is None else AnalysisMemo(root, folder, revision)

"""A study's analyses kept between builds, under the digest of every file they read.

A study page is rendered again whenever anything of the page changes: a new reportgen release,
a fresh checkout of the site (a CI job with a kept cache), another docs folder. Its analyses
change only when its records or the code that analyses them do, and they are the slow part of
a first build: the importance's forest needs scikit-learn, whose import alone takes about
0.9 s. So the build keeps them in reportgen's cache folder (``build-analyses/``), keyed by:

- the study's records digest (`StudyRecords.digest`: every file of the study folder, all
  revisions, the throughput probe), and the digests of the studies it compares with;
- the code that computes them (the analysis, schema and store sources) and the versions of the
  numeric libraries.

Anything else is a miss, and the study is analysed as usual. An entry is the JSON of each
revision's `StudyAnalysis` under a seal (`store.cache_seal`: an edited or planted entry is a
miss) and is read back through the model, which gives back every float exactly; a page built
from it is byte for byte the page of a fresh analysis (``tests/site/test_kept_analyses.py``).
Only the default analysis (`analysis.analyze_study`) is kept. ``REPORTGEN_CACHE_DIR=off`` turns
it off, with the other caches.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from reportgen.schema import StudyAnalysis
from reportgen.store import StudyRecords
from reportgen.store.cache_seal import read_sealed, sealer, write_sealed
from reportgen.store.record_cache import (
    ANALYSIS_LIBRARIES,
    cache_root,
    sources_digest,
    versions_of,
)

FORMAT = 1
LIMIT = 1 << 30  # bytes: the analyses of a 100 000-trial study are a few megabytes
FOLDER = "build-analyses"
_CODE = ("analysis", "schema", "store")


@lru_cache(maxsize=1)
def _code() -> str:
    return sources_digest(_CODE, "\0".join([str(FORMAT), *versions_of(ANALYSIS_LIBRARIES)]))


def _path(records: StudyRecords, related: Mapping[str, str]) -> Path | None:
    root = cache_root()
    if root is None:
        return None
    key = json.dumps([FORMAT, _code(), records.study_id, records.digest, sorted(related.items())])
    return root / FOLDER / f"{hashlib.sha256(key.encode()).hexdigest()}.json"


def recall(records: StudyRecords, related: Mapping[str, str]) -> dict[int, StudyAnalysis] | None:
    """Every revision's analysis as an earlier build kept it, or None (a miss).

    ``related``: the digest of each study the analysis compares with, by keyword."""
    path = _path(records, related)
    seal = None if path is None else sealer(path.parent)
    body = None if path is None or seal is None else read_sealed(path, seal, LIMIT)
    if body is None:
        return None
    try:
        kept = json.loads(body)
        analyses = {int(rev): StudyAnalysis.model_validate(a) for rev, a in kept.items()}
    except Exception:  # noqa: BLE001 - a torn or foreign entry is a miss
        return None
    return analyses if set(analyses) == set(records.revisions) else None


def keep(
    records: StudyRecords, related: Mapping[str, str], analyses: Mapping[int, StudyAnalysis]
) -> None:
    """Keep the analyses for the next build; a cache that cannot be written costs only speed."""
    path = _path(records, related)
    seal = None if path is None else sealer(path.parent)
    if path is None or seal is None:
        return
    body = "{" + ",".join(f'"{rev}":{a.model_dump_json()}' for rev, a in analyses.items()) + "}"
    with contextlib.suppress(OSError):
        write_sealed(path, seal, body.encode())

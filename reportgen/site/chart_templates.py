"""Chart templates kept between builds: Altair builds each kind of chart once per process.

Building the Altair objects of a chart kind and turning them into a spec costs 10–150 ms, and
a study page uses about twenty kinds: half a second of every fresh build process and of every
render worker, whatever the size of the logbook (`charts.spec.cached`). The templates are a
function of the chart code and of Altair alone, so a build keeps them in reportgen's cache
folder (``charts/`` beside the record cache's ``records/``; ``REPORTGEN_CACHE_DIR=off``
turns it off), in a file named by a digest of the package code and Altair's version, and the
next process starts with them. The file is JSON read back as plain data, under a seal checked
before it is used (`store.cache_seal`); a missing, torn or edited file is only a miss, and the
pages are the same either way (a test).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportgen.store.cache_seal import read_sealed, sealer, write_sealed
from reportgen.store.record_cache import cache_root

LIMIT = 1 << 26  # bytes: the kept templates are a few hundred kilobytes


def _file() -> Path | None:
    root = cache_root()
    return None if root is None else _file_in(root)


@lru_cache(maxsize=4)
def _file_in(root: Path) -> Path:
    from importlib import metadata

    from reportgen.site.generator import _package_digest

    try:
        altair = metadata.version("altair")
    except metadata.PackageNotFoundError:
        altair = "absent"
    digest = hashlib.sha256(f"{_package_digest()}\0{altair}".encode()).hexdigest()[:32]
    return root / "charts" / f"{digest}.json"


def _read(path: Path) -> dict[tuple, dict[str, Any]]:
    seal = sealer(path.parent)
    body = None if seal is None else read_sealed(path, seal, LIMIT)
    if body is None:
        return {}
    try:
        kept = json.loads(body)
        return {tuple(json.loads(k)): v for k, v in kept.items() if isinstance(v, dict)}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


# per kept file, the keys this process read from it or wrote to it
_ON_DISK: dict[Path, set[tuple]] = {}


def load_kept() -> int:
    """Adopt the templates an earlier process kept; how many there were."""
    from reportgen.charts.spec import adopt_templates

    path = _file()
    kept = _read(path) if path is not None else {}
    adopt_templates(kept)
    if path is not None:
        _ON_DISK[path] = set(kept)  # what the file holds now (nothing, if it was torn)
    return len(kept)


def keep_built() -> None:
    """Add the templates this process built to the kept ones (when it built any new: the file
    is not read again after every study)."""
    from reportgen.charts.spec import built_templates

    path = _file()
    built = built_templates()
    if path is None or not set(built) - _ON_DISK.get(path, set()):
        return
    kept = _read(path)
    merged = {json.dumps(list(k)): v for k, v in {**kept, **built}.items()}
    seal = sealer(path.parent)
    if seal is None:
        return
    with contextlib.suppress(OSError):
        write_sealed(path, seal, json.dumps(merged).encode())
        _ON_DISK.setdefault(path, set()).update(built)

"""The site folder: built whole in a temporary folder, swapped in, and marked as ours.

MkDocs writes into ``.<site>.building`` beside the site; only a finished build gets the marker
file ``.reportgen-site.json`` (with the digest of the docs it was built from, and the digest of
every file it wrote) and is renamed over the site. A build killed at any point therefore leaves
either the previous site or no site; and a site whose files no longer match its marker (torn by
another writer, edited, cut short) is never taken for finished: it is built again. A ``--site`` folder that
is neither empty nor marked as ours is refused (so a wrong path never deletes someone's files)
unless ``force`` is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from reportgen.errors import ReportgenError

MARKER = ".reportgen-site.json"


def output_digest(folder: Path) -> str:
    """Digest of the relative path and content of every file under ``folder`` but the marker."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        rel = os.path.relpath(root, folder)
        for name in sorted(files):
            if rel == "." and name == MARKER:
                continue
            path = os.path.join(root, name)
            content = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    content.update(block)
            h.update(f"{os.path.join(rel, name)}\0{content.hexdigest()}\0".encode())
    return h.hexdigest()


def built_digest(site: Path) -> str:
    """The docs digest a complete site of ours was built from ('' when there is none, or when
    its files are not the ones the marker was written for)."""
    try:
        marker = json.loads((site / MARKER).read_text(encoding="utf-8"))
        docs, output = str(marker["docs_digest"]), str(marker["output_digest"])
        return docs if output_digest(site) == output else ""
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return ""


def check_site_folder(site: Path, *, force: bool) -> None:
    """Refuse to replace a non-empty folder that is not a previous site of ours."""
    if not site.exists() and not site.is_symlink():
        return
    if not site.is_dir():
        raise ReportgenError(f"{site}: exists and is not a folder; choose another --site")
    if force or (site / MARKER).is_file() or not any(site.iterdir()):
        return
    raise ReportgenError(
        f"{site}: folder is not empty and was not built by reportgen (no {MARKER}); building "
        "would delete its files. Choose an empty or new --site folder, or pass --force"
    )


def build_swapped(site: Path, docs_digest: str, build: Callable[[Path], None]) -> None:
    """Run ``build(tmp)`` into a temporary folder beside ``site``, mark it, then swap it in."""
    site = Path(os.path.abspath(site))
    tmp = site.with_name(f".{site.name}.building")
    old = site.with_name(f".{site.name}.old")
    for leftover in (tmp, old):  # from a build killed earlier
        if leftover.exists():
            shutil.rmtree(leftover)
    site.parent.mkdir(parents=True, exist_ok=True)
    try:
        build(tmp)
        marker = {"docs_digest": docs_digest, "output_digest": output_digest(tmp)}
        (tmp / MARKER).write_text(json.dumps(marker, sort_keys=True) + "\n", encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if site.exists():
        os.replace(site, old)
    os.replace(tmp, site)
    shutil.rmtree(old, ignore_errors=True)

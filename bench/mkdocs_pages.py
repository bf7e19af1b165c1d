"""MkDocs alone on a generated docs folder: pages converted serially against in worker processes.

Runs ``run_mkdocs`` (what ``reportgen build`` runs after rendering the studies) on DOCS with
``jobs=1`` (serial) and with the default workers (``reportgen/parallel-pages``), alternating,
each into a fresh site folder, and prints wall and CPU seconds (this process and its workers)
and whether the two sites are byte for byte the same. DOCS is the docs folder of an earlier
build, e.g. ``bench/build_scale.py --keep DIR`` leaves ``DIR/docs``.

    python bench/mkdocs_pages.py DOCS [--repeats 2]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reportgen.site.mkdocs_run import run_mkdocs  # noqa: E402


def _tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("docs", type=Path)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    os.chdir(REPO)  # the theme overrides under templates/theme, as `reportgen build` finds them
    work = Path(tempfile.mkdtemp(prefix="mkdocs-pages-"))
    times: dict[str, list[tuple[float, float]]] = {"serial (jobs=1)": [], "workers": []}
    trees: dict[str, dict[str, str]] = {}
    try:
        for _ in range(args.repeats):
            for label, jobs in (("serial (jobs=1)", 1), ("workers", None)):
                site = work / "site"
                shutil.rmtree(site, ignore_errors=True)
                t, c = time.perf_counter(), os.times()
                run_mkdocs(REPO / "mkdocs.yml", args.docs, site, strict=False, epoch=0, jobs=jobs)
                c2 = os.times()
                times[label].append((time.perf_counter() - t, sum(c2[:4]) - sum(c[:4])))
                trees[label] = _tree(site)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"MkDocs on {args.docs}, {args.repeats} interleaved runs per side")
    print("| side | wall, median | CPU, median |")
    print("|---|---|---|")
    for label, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"| {label} | {wall:.2f} s | {cpu:.2f} s |")
    ratio = statistics.median(w for w, _ in times["serial (jobs=1)"]) / statistics.median(
        w for w, _ in times["workers"]
    )
    same = trees["serial (jobs=1)"] == trees["workers"]
    print(f"| **serial / workers, wall** | **{ratio:.2f}×** | sites identical: {same} |")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

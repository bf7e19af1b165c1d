"""Write docs/coverage.md from the probe gallery: each row's status is what the probes show.

    PYTHONPATH=. python scripts/coverage_page.py [--check]

Builds the probe gallery (tests/probes: one small study per finding and per row) into a
temporary folder, renders its pages, and prints every row of the coverage table as far as the
probes back it (tests/probes/coverage.py). ``--check`` only compares with the page on disk.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.probes.build import build_gallery, gather  # noqa: E402
from tests.probes.coverage import ROWS, render  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare only; exit 1 when it differs")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="probes-") as tmp:
        logbook, docs = build_gallery(Path(tmp))
        text = render(ROWS, gather(logbook, docs))
    page = REPO / "docs" / "coverage.md"
    if args.check:
        same = page.read_text(encoding="utf-8") == text
        print("docs/coverage.md is up to date" if same else "docs/coverage.md differs")
        return 0 if same else 1
    page.write_text(text, encoding="utf-8")
    print(text[text.index("**Count"):].splitlines()[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

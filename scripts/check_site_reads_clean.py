"""Run the clean-read browser check of the test suite (tests/site/test_pages_read_clean.py) over any built site
and print what it finds, counted by kind: literal backticks, emoji or placeholders, overlapping tick
labels, titles past their chart, console messages, and a first screen without verdict, metric-named
effect or next action.

    PYTHONPATH=. python scripts/check_site_reads_clean.py SITE

Used to show the check fails on an older revision's site, e.g. one built by `git worktree add
../old 4bee082` and `PYTHONPATH=../old python -m reportgen build --site /tmp/old-site`.
"""
import sys
from collections import Counter
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.site import test_pages_read_clean as t
from tests.site.browser import CHROMIUM_FLAGS, chromium_path

if len(sys.argv) != 2:
    sys.exit(__doc__)
site = Path(sys.argv[1])
with sync_playwright() as p:
    b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
    try:
        problems = t._check_site(b, site)
    except AssertionError as e:
        problems = [f"check failed: {e}"]
    b.close()
kinds = Counter()
for q in problems:
    for k in ("literal backtick", "overlap", "runs past", "is cut", "console", "below the first",
              "does not name its metric", "no summary card", "no verdict", "no effect", "no next"):
        if k in q:
            kinds[k] += 1
            break
    else:
        kinds["emoji or placeholder"] += 1
print(len(problems), "problems:", dict(kinds))
for q in problems[:40]:
    print(" ", q[:200])

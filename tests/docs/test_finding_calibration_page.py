"""docs/finding-calibration.md (written by bench/finding_calibration.py) covers every finding
key the analysis can raise, and none raises a warning on more than 5 % of null studies."""

from __future__ import annotations

import re

from reportgen.guidance import GUIDANCE
from tests.conftest import REPO

PAGE = REPO / "docs" / "finding-calibration.md"


def rows() -> dict[str, tuple[float, str]]:
    out = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\| `([\w.]+)` \| ([\d.]+)% \| [^|]+ \| [\d.]+% \| ([^|]+) \|", line)
        if m:
            out[m.group(1)] = (float(m.group(2)), m.group(3).strip())
    return out


def test_every_finding_key_is_calibrated():
    keys = {k for k in GUIDANCE if not k.startswith("section.")}
    table = rows()
    assert keys - set(table) == set(), "run python bench/finding_calibration.py --write docs/finding-calibration.md"
    assert set(table) - keys == set(), "the page lists keys the analysis no longer has"


def test_no_finding_warns_on_more_than_five_percent_of_null_studies():
    over = {k: v for k, (v, _) in rows().items() if v > 5.0}
    assert over == {}


def test_the_page_says_how_it_was_made():
    text = PAGE.read_text(encoding="utf-8")
    assert "bench/finding_calibration.py" in text and "null studies" in text

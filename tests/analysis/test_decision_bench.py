"""The calibration bench measures the rule the analysis applies: its vectorised copy gives every
simulated study the verdict ``analyze_study`` gives it."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_the_vectorised_rule_of_the_bench_is_the_analysis_rule():
    sys.path.insert(0, str(BENCH))
    try:
        from decision_check import check
    finally:
        sys.path.remove(str(BENCH))
    assert check(3, seed=1) == 0

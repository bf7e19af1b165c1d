"""The metrics a study's trade-offs name, checked against what its trial records carry.

A trade-off naming a metric no trial of the current revision records (a typo, a test metric
the runs never wrote, ``examples_seen`` without a batch size anywhere) could only draw an empty
view; it is refused as ``study.yaml: trade_offs.<i>.metric: ...``. A metric some trials lack is
allowed: the page counts those trials as not recorded.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportgen.errors import Problem
from reportgen.schema import CURVE_COLUMNS, StudySpec, TrialRecord
from reportgen.schema.trade_off import RECORD_METRICS, carries


def _known(trials: Sequence[TrialRecord]) -> str:
    extra = sorted({k for t in trials for k in t.curves.extra})
    tests = sorted({k for t in trials for k in t.test_metrics})
    parts = [
        f"record metrics: {', '.join(RECORD_METRICS)}",
        f"curves: {', '.join([*CURVE_COLUMNS, *extra])}",
    ]
    if tests:
        parts.append(f"test metrics: {', '.join(tests)}")
    return "; ".join(parts)


def trade_off_problems(
    spec: StudySpec, trials: Sequence[TrialRecord], spec_shown: str
) -> list[Problem]:
    """A problem per trade-off whose metric none of ``trials`` carries: the trials
    ``spec.revision`` analyses (`store.lineage.revision_trials`). A study without trials of its
    revision yet is not judged."""
    current = [t for t in trials if len(t.curves) > 0]
    if not current or not spec.trade_offs:
        return []
    settings = spec.workload.settings
    out = []
    for i, t in enumerate(spec.trade_offs):
        if any(carries(trial, t.metric, settings) for trial in current):
            continue
        if t.metric == "examples_seen":
            why = (
                "no trial records a batch_size hyperparameter and the workload has no "
                "batch_size setting, so examples seen cannot be counted"
            )
        else:
            why = (
                f"{t.metric!r} is not recorded by any of the {len(current)} trial(s) of "
                f"revision {spec.revision} (known: {_known(current)})"
            )
        out.append(Problem(spec_shown, None, f"trade_offs.{i}.metric", why))
    return out

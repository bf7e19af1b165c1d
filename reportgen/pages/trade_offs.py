"""Context of the trade-offs section of a study page: the constraints, the best trial with and
without them, each metric's Pareto front, and one chart per metric."""

from __future__ import annotations

from dataclasses import dataclass

from reportgen.pages import notes
from reportgen.pages.context import Chart, KeyValue, Note
from reportgen.pages.format import MISSING, fmt, fmt_measured
from reportgen.schema import StudyAnalysis
from reportgen.schema.trade_off import TradeOffTrial

FRONT_SHOWN = 8  # trial ids of a front listed before the rest is counted


@dataclass(frozen=True)
class TradeOffSection:
    note: Note
    rows: tuple[KeyValue, ...]  # constraints, best, best inside, trials inside
    fronts: tuple[KeyValue, ...]  # per metric: its front, and trials without a value
    charts: tuple[Chart, ...]


def _trial(t: TradeOffTrial | None, metric: str, resolution: float | None) -> str:
    if t is None:
        return "no trial meets every constraint"
    values = "; ".join(f"{m} {fmt(v) if v is not None else 'not recorded'}"
                       for m, v in t.values.items())
    return f"{t.trial_id}: {metric} {fmt_measured(t.objective, resolution)}; {values}"


def trade_off_section(a: StudyAnalysis, charts: tuple[Chart, ...]) -> TradeOffSection | None:
    """The section, or None when the spec names no trade-off."""
    t = a.extras.trade_offs
    if t is None:
        return None
    g = notes.section("trade_offs")
    metric = a.objective.metric
    res = a.summary.resolution
    rows = [
        KeyValue("constraints", ", ".join(t.constraints) or "none: every ranked trial counts"),
        KeyValue(f"best by {metric} alone", _trial(t.best, metric, res) if t.best else MISSING,
                 ("outside: " + "; ".join(t.best.broken)) if t.best and t.best.broken else ""),
    ]
    if t.constraints:
        rows += [
            KeyValue("best inside every constraint", _trial(t.best_within, metric, res)),
            KeyValue("trials inside every constraint", f"{t.n_within} of {t.n_ranked} ranked"),
        ]
    fronts = []
    for v in t.views:
        shown = ", ".join(v.front[:FRONT_SHOWN])
        more = len(v.front) - FRONT_SHOWN
        front = (shown + (f" and {more} more" if more > 0 else "")) or "no trial inside"
        missing = f"{v.n_unrecorded} ranked trial(s) do not record it" if v.n_unrecorded else ""
        how = f"{v.direction}, {v.mode}" if v.mode is not None else str(v.direction)
        fronts.append(KeyValue(f"front of {v.metric} ({how})", front, missing))
    return TradeOffSection(
        note=Note(g.title, g.note, notes.playbook_url(g.anchor)),
        rows=tuple(rows),
        fronts=tuple(fronts),
        charts=charts,
    )

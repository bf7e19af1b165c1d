"""The full trial table of a study page and its downloads (CSV and JSON), from the analysis'
trial points: every trial, infeasible ones with their reasons."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

from reportgen.pages.format import fmt, fmt_scalar
from reportgen.schema import TrialPoint

TABLE_ROWS_MAX = 1000
"""Rows the trial table of a page lists (ranked trials first, best first); the CSV and JSON
downloads beside the page hold every trial."""


@dataclass(frozen=True)
class TrialRow:
    """One trial as the table shows it; ``*_key`` are the sort keys of the sortable columns."""

    rank: str
    rank_key: str
    trial: str
    kind: str
    status: str
    value: str
    value_key: str
    hyperparameters: str
    reason: str


def download_name(revision: int, ext: str) -> str:
    """File name of a revision's trial download, beside its page (``trials-r2.csv``)."""
    return f"trials-r{int(revision)}.{ext}"


def _rows(points: list[TrialPoint]) -> list[TrialPoint]:
    # ranked trials first, best first; then the infeasible ones in sampler order
    return sorted(points, key=lambda p: (p.rank is None, p.rank or 0, p.index or 0, p.trial_id))


def trial_rows(points: list[TrialPoint], varied: list[str]) -> tuple[TrialRow, ...]:
    out = []
    for p in _rows(points):
        hps = ", ".join(
            f"{n} = {fmt_scalar(p.hyperparameters[n])}" for n in varied if n in p.hyperparameters
        )
        out.append(
            TrialRow(
                rank=str(p.rank) if p.rank is not None else "—",
                rank_key=str(p.rank) if p.rank is not None else "",
                trial=p.trial_id,
                kind=str(p.kind),
                status=str(p.status),
                value=fmt(p.value),
                value_key=repr(p.value) if p.value is not None else "",
                hyperparameters=hps,
                reason=p.status_reason,
            )
        )
    return tuple(out)


def trials_csv(points: list[TrialPoint], names: list[str]) -> str:
    """Every trial as CSV: one column per hyperparameter in ``names`` (empty when inactive)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["trial_id", "kind", "group", "status", "status_reason", "value", "rank", *names])
    for p in _rows(points):
        w.writerow(
            [p.trial_id, str(p.kind), p.group, str(p.status), p.status_reason]
            + ["" if p.value is None else repr(p.value), "" if p.rank is None else p.rank]
            + [p.hyperparameters.get(n, "") for n in names]
        )
    return buf.getvalue()


def trials_json(points: list[TrialPoint]) -> str:
    """Every trial as a JSON list of the analysis' trial points."""
    return json.dumps([p.model_dump(mode="json") for p in _rows(points)], indent=1) + "\n"

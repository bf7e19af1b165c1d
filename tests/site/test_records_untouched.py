"""Curves are shared buffers (NumPy views of `schema.columns.Column`): analysing a study and
drawing its charts must leave every record's values exactly as they were read."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.analysis import analyze_study
from reportgen.analysis.objective import curve
from reportgen.site.prepare import study_charts
from reportgen.store import load_logbook

REPO = Path(__file__).resolve().parents[2]


def _curve_bytes(trials) -> list[bytes]:  # type: ignore[no-untyped-def]
    out = []
    for t in trials:
        c = t.curves
        for name in type(c).model_fields:
            col = getattr(c, name)
            cols = col.values() if isinstance(col, dict) else [col]
            out += [x.tobytes() for x in cols]
    return out


@pytest.mark.parametrize("logbook", ["logbook", "tests/fixtures/logbook"])
def test_analysis_and_charts_do_not_write_into_the_records(logbook):
    book = load_logbook(REPO / logbook)
    assert book.studies
    for study in book.studies:
        for rev, spec in study.revisions.items():
            trials = list(study.trials_at(rev))
            before = _curve_bytes(trials)
            analysis = analyze_study(spec, trials)
            study_charts(spec, analysis, trials)
            assert _curve_bytes(trials) == before, f"{study.study_id} r{rev}: a curve changed"


def test_a_curve_read_for_analysis_cannot_be_written():
    book = load_logbook(REPO / "tests/fixtures/logbook")
    t = book.studies[0].trials[0]
    y = curve(t, "train_loss")
    with pytest.raises(ValueError, match="read-only"):
        y[0] = 0.0

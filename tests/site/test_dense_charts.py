"""Charts of a study with too many trials to draw one mark each: count grids, quantile bands,
a sample of the parallel coordinates, best-so-far only where it improves."""

from __future__ import annotations

import math

from reportgen.charts.axis import axis_density_plot
from reportgen.schema import Hyperparameter, Objective, Status, TrialPoint
from reportgen.schema.playbook import ParallelPoint
from reportgen.site.playbook_charts import PARALLEL_SAMPLE, PARALLEL_TOP, improvements, parallel_subset
from reportgen.site.curve_series import curve_band_series
from reportgen.site.prepare import DENSE_TRIALS, axis_density, is_dense
from tests.analysis.analysis_builders import trial

LR = Hyperparameter(name="lr", role="nuisance", scale="log", low=1e-4, high=1e-1)
WIDTH = Hyperparameter(name="width", role="scientific", scale="discrete", values=[32, 64, 128])


def _points(n: int) -> list[TrialPoint]:
    """``n`` trials; every tenth is infeasible, the others have value ``i / n``."""
    feasible = [i for i in range(n) if i % 10]
    return [
        TrialPoint(
            trial_id=f"t{i:04d}",
            kind="search",
            status=Status.COMPLETE if i % 10 else Status.DIVERGED,
            hyperparameters={"lr": 10 ** (-4 + 3 * i / n), "width": [32, 64, 128][i % 3]},
            value=i / n if i % 10 else None,
            rank=feasible.index(i) + 1 if i % 10 else None,
        )
        for i in range(n)
    ]


def test_the_threshold_is_one_named_constant():
    assert not is_dense(DENSE_TRIALS) and is_dense(DENSE_TRIALS + 1)


def test_axis_density_counts_every_trial_once_in_log_units():
    points = _points(1000)
    d = axis_density(LR, points, (0.0, 1.0))
    assert sum(c.n for c in d.cells) == d.n_feasible == 900
    assert sum(c.n for c in d.infeasible) == 100
    assert [p.rank for p in d.top] == [1, 2, 3]
    assert d.cells[0].x0 == 1e-4 and max(c.x1 for c in d.cells) == 1e-1  # the search bounds
    # columns of equal width in log10 units: each spans 3/32 decades
    widths = [math.log10(c.x1) - math.log10(c.x0) for c in d.cells]
    assert all(abs(w - 3 / 32) < 1e-4 for w in widths)  # edges are rounded to 5 digits
    spec = axis_density_plot(LR, d, Objective(metric="valid_error"))
    rows = spec["datasets"]["rows"]
    assert len(rows) == len(d.cells) + len(d.infeasible) + 3
    assert "900 feasible trials" in spec["title"]["subtitle"][0]


def test_axis_density_on_an_ordinal_axis_has_one_column_per_value():
    d = axis_density(WIDTH, _points(600), (0.0, 1.0))
    assert d.grid[0] == 3 and {c.x0 for c in d.cells} == {"32", "64", "128"}
    assert sum(c.n for c in d.cells) == 540


def test_curve_bands_cover_finite_values_and_keep_the_top_trials_whole():
    nan = float("nan")
    trials = [trial(f"t{i}", [1.0 + i, 0.5 + i, 0.2 + i], train=[1.0, 0.5, 0.2]) for i in range(4)]
    trials.append(trial("t4", [9.0, nan, nan], train=[1.0, nan, nan], status=Status.DIVERGED))
    ranks = {"t0": 1, "t1": 2, "t2": 3, "t3": 4, "t4": None}
    bands, top, cov = curve_band_series(trials, ranks, "valid_error")
    assert bands.n == [5, 4, 4]
    assert bands.q50 == [3.0, 2.0, 1.7]  # median of the finite values at each step
    assert [s.trial_id for s in top] == ["t0", "t1", "t2"] and top[0].values == [1.0, 0.5, 0.2]
    assert (cov.trials, cov.covered, cov.at_last_step) == (5, 5, 4)


def test_parallel_subset_is_the_top_trials_and_a_seeded_sample():
    points = [
        ParallelPoint(trial_id=f"t{i:04d}", hyperparameter=h, coordinate=0.5, value=float(i),
                      rank=i + 1)
        for i in range(1000)
        for h in ("a", "b")
    ]
    drawn, note = parallel_subset(points)
    ids = {q.trial_id for q in drawn}
    assert len(ids) == PARALLEL_TOP + PARALLEL_SAMPLE and len(drawn) == 2 * len(ids)
    assert {f"t{i:04d}" for i in range(PARALLEL_TOP)} <= ids
    assert parallel_subset(points) == (drawn, note)  # deterministic
    assert f"random sample of {PARALLEL_SAMPLE} of the other {1000 - PARALLEL_TOP}" in note


def test_best_so_far_keeps_the_first_value_every_improvement_and_the_end():
    assert improvements([None, 3.0, 3.0, 2.0, 2.0, 2.0]) == [1, 3, 5]
    assert improvements([None, None]) == []
    assert improvements([1.0]) == [0]

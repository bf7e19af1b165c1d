"""Known answers for the round-transfer check: a round names its predecessor and trains some of
its configurations again; the analysis compares their ranks."""

from __future__ import annotations

import pytest

from reportgen.analysis import analyze_study
from tests.analysis.analysis_builders import flat, spec, trial

LRS = [1e-3, 2e-3, 3e-3, 5e-3, 8e-3, 1e-2]


def _round2(**round_kw):
    return spec(
        max_train_steps=500,
        round={"index": 2, "fraction": 1.0, "planned_rounds": 2, "previous": "short", **round_kw},
    )


def _trials(prefix: str, errors: list[float], lrs=LRS):
    return [
        trial(f"{prefix}{i}", flat(e), index=i, lr=lr, width=64)
        for i, (e, lr) in enumerate(zip(errors, lrs, strict=True))
    ]


def test_a_ranking_that_held_is_reported_with_its_rank_correlation():
    short = _trials("a", [0.10, 0.12, 0.14, 0.16, 0.18, 0.20])
    long = _trials("b", [0.05, 0.07, 0.06, 0.09, 0.10, 0.11])  # two middle ones swap
    a = analyze_study(_round2(), long, previous_round_trials=short)
    t = a.extras.transfer
    assert t is not None and t.previous_study == "short" and t.matched == 6
    assert t.spearman == pytest.approx(1 - 6 * 2 / (6 * 35))  # one adjacent swap among 6
    assert t.winner_kept and t.previous_winner_rank == 1
    assert [(r.previous_trial, r.previous_rank, r.trial, r.rank) for r in t.rows] == [
        ("a0", 1, "b0", 1), ("a1", 2, "b1", 3), ("a2", 3, "b2", 2), ("a3", 4, "b3", 4),
        ("a4", 5, "b4", 5), ("a5", 6, "b5", 6),
    ]  # fmt: skip
    f = next(f for f in a.findings if f.key == "rounds.transfer")
    assert f.severity.value == "info" and "held: rank correlation 0.94" in f.message
    assert f.anchor == "round-2"


def test_a_reversed_ranking_is_a_warning_naming_where_the_short_winner_ended():
    short = _trials("a", [0.10, 0.12, 0.14, 0.16, 0.18, 0.20])
    long = _trials("b", [0.10, 0.09, 0.08, 0.07, 0.06, 0.05])
    a = analyze_study(_round2(), long, previous_round_trials=short)
    t = a.extras.transfer
    assert t.spearman == pytest.approx(-1.0) and not t.winner_kept
    assert t.previous_winner_rank == 6
    f = next(f for f in a.findings if f.key == "rounds.transfer")
    assert f.severity.value == "warning"
    assert "did not hold" in f.message and "rank 6 of 6" in f.message


def test_configurations_match_by_value_and_too_few_matches_say_so():
    short = _trials("a", [0.10, 0.12, 0.14, 0.16, 0.18, 0.20])
    long = _trials("b", [0.05, 0.07], lrs=[1e-3, 4e-3])  # only 1e-3 was in round 1
    a = analyze_study(_round2(), long, previous_round_trials=short)
    assert a.extras.transfer.matched == 1
    f = next(f for f in a.findings if f.key == "rounds.transfer")
    assert "Only 1 configuration(s) of short were trained again" in f.message


def test_without_a_previous_round_nothing_is_said():
    a = analyze_study(spec(), _trials("b", [0.05, 0.07, 0.06, 0.09, 0.10, 0.11]))
    assert a.extras.transfer is None
    assert not any(f.key == "rounds.transfer" for f in a.findings)


def test_on_noise_the_ranking_holds_in_at_most_5_percent_of_studies_with_the_minimum_matched():
    import numpy as np

    from reportgen.analysis.transfer import HELD, MIN_MATCHED

    rng = np.random.default_rng(33)
    held = 0
    n = 4000
    for _ in range(n):
        a, b = rng.standard_normal(MIN_MATCHED), rng.standard_normal(MIN_MATCHED)
        rho = np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1]
        held += rho >= HELD and a.argmin() == b.argmin()
    assert held / n <= 0.05

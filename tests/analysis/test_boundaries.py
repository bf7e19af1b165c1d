"""Boundary and stability-edge checks on constructed studies whose answer is obvious."""

from __future__ import annotations

from reportgen.analysis.boundaries import check_boundaries
from reportgen.analysis.objective import score_trials
from reportgen.analysis.stability import check_stability_edge
from reportgen.schema import Finding, Policy, Severity, Status
from tests.analysis.analysis_builders import falling, spec, trial

# learning rates spread over [1e-4, 1e-1] (log); the value is best near `best_lr`
LRS = [1.2e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 9e-2]


def _study(values: list[float], statuses=None):
    statuses = statuses or [Status.COMPLETE] * len(values)
    return [
        trial(
            f"t{i}",
            falling(v) if s is Status.COMPLETE else [2.0, float("nan")],
            index=i,
            lr=lr,
            status=s,
        )
        for i, (lr, v, s) in enumerate(zip(LRS, values, statuses, strict=True))
    ]


def test_best_at_upper_learning_rate_edge_gives_boundary_finding_naming_side():
    s = spec()
    trials = _study([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.1])  # better and better up to the top
    policy = Policy(top_k=3)
    got = check_boundaries(s, score_trials(trials, s.objective), policy)
    assert got == [
        Finding(
            key="search_space.boundary",
            severity=Severity.WARNING,
            message="adam.learning_rate: 1 of the 3 best trials (the best among them: "
            "adam.learning_rate=0.09) are in the upper 10% of the range (log scale, upper bound "
            "0.1); expand the range upward.",
            anchor="identifying-bad-search-space-boundaries",
            subject="adam.learning_rate",
            evidence={
                "side": "upper",
                "bound": 0.1,
                "best_value": 0.09,
                "best_coordinate": 0.984748,
                "top_in_zone": 1,
                "top_k": 3,
                "zone": 0.1,
                "range_width": 3.0,
                "crowding_z": 2.14001,  # top 3 mean position against a random 3 of the 7
                "edge_advantage": 0.3,  # 0.1 at the edge against 0.4 inside
                "noise": 0.0,
            },
        )
    ]


def test_best_at_lower_edge_names_the_lower_side():
    s = spec()
    trials = _study([0.1, 0.2, 0.5, 0.6, 0.7, 0.8, 0.9])
    got = check_boundaries(s, score_trials(trials, s.objective), Policy(top_k=3))
    assert [(f.subject, f.evidence["side"]) for f in got] == [("adam.learning_rate", "lower")]


def test_interior_best_gives_no_boundary_finding():
    s = spec()
    trials = _study([0.9, 0.6, 0.3, 0.1, 0.2, 0.5, 0.8])
    assert check_boundaries(s, score_trials(trials, s.objective), Policy(top_k=3)) == []


def test_stability_edge_when_all_trials_above_a_learning_rate_diverge():
    s = spec()
    d, c = Status.DIVERGED, Status.COMPLETE
    # feasible up to 1e-2 with the best at 1e-2; everything above diverged
    trials = _study([0.9, 0.7, 0.5, 0.3, 0.1, 0.0, 0.0], [c, c, c, c, c, d, d])
    scored = score_trials(trials, s.objective)
    policy = Policy(top_k=3)
    got = check_stability_edge(s, scored, policy)
    assert got == [
        Finding(
            key="search_space.stability_edge",
            severity=Severity.WARNING,
            message="adam.learning_rate: all 2 trials above 0.01 diverged and the best trial "
            "(adam.learning_rate=0.01) sits at that edge; instability caps the learning rate, so "
            "try warmup or gradient clipping before widening the range.",
            anchor="when-to-apply-learning-rate-warmup",
            subject="adam.learning_rate",
            evidence={
                "highest_feasible": 0.01,
                "lowest_diverged_above": 0.03,
                "n_diverged_above": 2,
                "best_value": 0.01,
                "distance_to_edge": 0.0,
            },
        )
    ]
    # the boundary check does not also ask for a wider range on that side
    assert check_boundaries(s, scored, policy, skip_upper={"adam.learning_rate"}) == []


def test_no_stability_edge_when_the_best_is_far_below_the_divergence():
    s = spec()
    d, c = Status.DIVERGED, Status.COMPLETE
    trials = _study([0.1, 0.3, 0.5, 0.6, 0.7, 0.0, 0.0], [c, c, c, c, c, d, d])
    assert check_stability_edge(s, score_trials(trials, s.objective), Policy()) == []


def test_no_stability_edge_when_a_trial_above_survives():
    s = spec()
    d, c = Status.DIVERGED, Status.COMPLETE
    trials = _study([0.9, 0.7, 0.5, 0.3, 0.1, 0.0, 0.5], [c, c, c, c, c, d, c])
    assert check_stability_edge(s, score_trials(trials, s.objective), Policy()) == []


def test_stability_edge_is_found_per_scientific_value():
    """Warmup (here: width stands in for it) moves the edge: only the group capped by divergence fires."""
    s = spec()
    d, c = Status.DIVERGED, Status.COMPLETE
    capped = _study([0.9, 0.7, 0.5, 0.3, 0.2, 0.0, 0.0], [c, c, c, c, c, d, d])
    free = [
        trial(f"u{i}", falling(v), index=10 + i, lr=lr, width=128)
        for i, (lr, v) in enumerate(zip(LRS, [0.9, 0.7, 0.5, 0.3, 0.2, 0.15, 0.1], strict=True))
    ]
    got = check_stability_edge(s, score_trials(capped + free, s.objective), Policy())
    assert [
        (f.subject, f.evidence["highest_feasible"], f.evidence["n_diverged_above"]) for f in got
    ] == [("adam.learning_rate (width=64)", 0.01, 2)]
    assert got[0].message.startswith(
        "adam.learning_rate (width=64): all 2 trials above 0.01 diverged"
    )


# --- issue 33: the check fires where the best trials crowd an edge, and rarely on flat data ------
def _lr_study(lrs, values):
    return [
        trial(f"t{i:03d}", falling(v), index=i, lr=float(lr))
        for i, (lr, v) in enumerate(zip(lrs, values, strict=True))
    ]


def test_fires_on_the_published_adam_lr_digits_revision_1():
    from pathlib import Path

    from reportgen.schema import TrialKind
    from reportgen.store import load_logbook

    book = load_logbook(Path(__file__).resolve().parents[2] / "logbook")
    study = book.study("adam-lr-digits")
    s = study.spec_at(1)
    search = [t for t in study.trials_at(1) if t.kind is TrialKind.SEARCH]
    got = check_boundaries(
        s, score_trials(sorted(search, key=lambda t: t.trial_id), s.objective), s.policy
    )
    assert [(f.subject, f.evidence["side"]) for f in got] == [("adam.learning_rate", "upper")]


def test_fires_when_the_five_best_are_the_five_largest_learning_rates_despite_noise():
    import numpy as np

    rng = np.random.default_rng(3)
    lrs = np.logspace(-4, -1, 24)
    # better towards the top edge, with noise as large as the steps between neighbours
    values = 0.5 - 0.01 * np.arange(24) + 0.01 * rng.standard_normal(24)
    values[-5:] = 0.2 - 0.001 * np.arange(5)  # the five largest learning rates are the best
    s = spec()
    got = check_boundaries(s, score_trials(_lr_study(lrs, values), s.objective), Policy())
    assert [(f.subject, f.evidence["side"]) for f in got] == [("adam.learning_rate", "upper")]


def test_three_best_at_96_percent_of_the_log_range_fire_and_noise_only_softens_the_words():
    import numpy as np

    rng = np.random.default_rng(4)
    u = np.concatenate([rng.uniform(0, 0.85, 17), [0.96, 0.961, 0.962]])
    lrs = 10 ** (-4 + 3 * u)
    values = 0.30 + 0.05 * rng.standard_normal(20)  # noisy everywhere
    values[-3:] = [0.29, 0.285, 0.288]  # best, but not beyond the noise of the interior's best
    values[:17] = np.maximum(values[:17], 0.295)
    s = spec()
    [f] = check_boundaries(s, score_trials(_lr_study(lrs, values), s.objective), Policy(top_k=3))
    assert (f.subject, f.evidence["side"], f.evidence["top_in_zone"]) == (
        "adam.learning_rate",
        "upper",
        3,
    )
    assert f.severity is Severity.INFO and "within the trial-to-trial noise" in f.message


def test_a_flat_objective_raises_the_boundary_check_on_at_most_5_percent_of_studies():
    import numpy as np

    rng = np.random.default_rng(2026)
    s = spec()
    fired = 0
    n = 400
    for _ in range(n):
        lrs = 10 ** rng.uniform(-4, -1, 24)
        values = 0.3 + 0.01 * rng.standard_normal(24)
        fired += bool(
            check_boundaries(s, score_trials(_lr_study(lrs, values), s.objective), Policy())
        )
    assert fired / n <= 0.05

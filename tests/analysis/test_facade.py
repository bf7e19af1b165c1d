"""analyze_study on one constructed study where several checks must fire, in a fixed order."""

from __future__ import annotations

from reportgen.analysis import analyze_study
from reportgen.schema import Status
from tests.analysis.analysis_builders import flat, spec, trial

NAN = float("nan")
LRS = [1.2e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 9e-2]


def test_stability_edge_replaces_the_boundary_advice_and_other_checks_fire():
    s = spec(policy={"top_k": 3})
    d, c = Status.DIVERGED, Status.COMPLETE
    values = [0.9, 0.7, 0.5, 0.3, 0.1, None, None]
    statuses = [c, c, c, c, c, d, d]
    trials = [
        trial(
            f"t{i}",
            flat(v) if v is not None else [2.0, NAN],
            index=i,
            lr=lr,
            status=st,
            width=(32, 64)[i % 2],
        )
        for i, (lr, v, st) in enumerate(zip(LRS, values, statuses, strict=True))
    ]
    a = analyze_study(s, trials)
    assert [(f.key, f.subject) for f in a.findings] == [
        # instability leads: the learning rates above the best diverged
        ("instability.above_best_lr", "adam.learning_rate"),
        ("instability.fix_menu", ""),
        ("instability.early_probe", ""),
        ("infeasible.fraction", ""),  # 2 of 7 > 20 %
        ("search_space.stability_edge", "adam.learning_rate"),
        ("density.near_best", ""),
        ("isolation.undertuned", "width"),  # width=64: 2 feasible trials, 3 wanted
        ("curves.saturated_early", "t4"),  # best of width=32, then of width=64
        ("curves.saturated_early", "t3"),
        ("curves.saturated_early", "all trials"),
        ("regime.not_compute_bound", ""),
        ("design.optimizer_unrecorded", ""),  # the builders record only adam's learning rate
        ("instability.warmup_protocol", ""),  # the stability edge calls for the warmup protocol
        ("variance.no_retrains", ""),
        ("variance.no_reruns", ""),
    ]

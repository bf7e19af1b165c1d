"""Known answers of issue 33: the two study shapes a new user met, answered on one score."""

from __future__ import annotations

import numpy as np
import pytest

from reportgen.analysis import analyze_study
from reportgen.schema import TrialKind, Verdict
from tests.analysis.analysis_builders import flat, spec, trial

TEN = (-1, 0, 1, 0, -1, 1, 0, 0, 1, -1)


def ten(centre: float) -> list[float]:
    return [centre + 0.01 * x for x in TEN]


# --- the weight-decay study: 40 + 40 retrains, four reruns, unequal evaluation noise -----------
def swinging(level: float, swing: float):
    """A curve whose late evaluations swing by ``swing`` around ``level`` (noisy evaluations):
    its best over training is far below its typical late value."""

    def curve(offset: float) -> list[float]:
        late = [level + offset + swing * (1 if i % 2 else -1) for i in range(10)]
        return [level + offset + 0.5, level + offset + 0.2, *late]

    return curve


def smooth(level: float):
    def curve(offset: float) -> list[float]:
        return [level + offset + 0.5, level + offset + 0.2, *[level + offset] * 10]

    return curve


def _weight_decay_study(n_retrains: int = 40, reruns: int = 4):
    adam, adamw = swinging(0.146, 0.11), smooth(0.036)  # baseline noisy, candidate smooth
    s = spec(
        search_space=[
            {"name": "lr", "role": "nuisance", "scale": "log", "low": 1e-4, "high": 1e-1},
            {
                "name": "optimizer",
                "role": "scientific",
                "scale": "categorical",
                "values": ["adam", "adamw"],
            },
        ],
        baseline={"hyperparameter": "optimizer", "value": "adam"},
        trial_budget=6,
    )
    rng = np.random.default_rng(33)
    out = []

    def add(tid, curve, opt, kind=TrialKind.SEARCH, group="", index=0, lr=1e-3):
        out.append(
            trial(
                tid,
                curve(float(rng.normal(0, 0.004))),
                kind=kind,
                group=group,
                index=index,
                lr=lr,
                hyperparameters={"lr": lr, "optimizer": opt},
            )
        )

    for seed in range(reruns + 1):
        kind = TrialKind.SEARCH if seed == 0 else TrialKind.RERUN
        group = "" if seed == 0 else f"sampler-seed-{seed}"
        for i, lr in enumerate((3e-4, 1e-3, 3e-3)):
            add(f"s{seed}-a{i}", adam, "adam", kind, group, i, lr)
            add(f"s{seed}-w{i}", adamw, "adamw", kind, group, 3 + i, lr)
    for r in range(1, n_retrains + 1):
        add(f"s0-a1-rt{r}", adam, "adam", TrialKind.RETRAIN, "s0-a1", r)
        add(f"s0-w1-rt{r}", adamw, "adamw", TrialKind.RETRAIN, "s0-w1", r)
    return s, out


def test_weight_decay_study_adopts_the_candidate_its_own_tables_favour():
    s, trials = _weight_decay_study()
    a = analyze_study(s, trials)
    d = a.decision
    # the tool chose the late-half score (the baseline's evaluations swing), for every number
    assert d.estimand.score == "late_half_mean"
    assert "Evaluation noise differs" in d.estimand.reason
    by_label = {g.label.split("(")[-1].rstrip(")"): g for g in a.variance.trial}
    assert by_label["optimizer=adam"].mean == pytest.approx(0.146, abs=0.004)
    assert by_label["optimizer=adamw"].mean == pytest.approx(0.036, abs=0.004)
    # ... and the answer those tables support
    assert (d.verdict, d.candidate_label, d.baseline_label) == (
        Verdict.ADOPT,
        "optimizer=adamw",
        "optimizer=adam",
    )
    assert d.effect == pytest.approx(0.11, abs=0.005)
    assert 0.05 < d.ci_low < d.effect < d.ci_high
    # every rerun, scored the same way, says the same: no mixing of scores
    rows = d.comparisons[0].seeds
    assert len(rows) == 5 and all(r.difference > 0.08 for r in rows)
    assert "in valid_error, mean of the late half of the evaluations (lower is better)" in d.reason


def test_weight_decay_study_states_the_plans_cost_before_the_first_retrain():
    s, trials = _weight_decay_study(n_retrains=0, reruns=0)
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.INCONCLUSIVE
    # every arm to the last planned look (10 each) and the 4 reruns of the 6-trial search
    assert (d.plan.retrains, d.plan.reruns, d.plan.trials) == (20, 4, 44)
    assert "The whole plan can still ask for at most 44 trials (20 retrains and 4 reruns" in (
        d.next_step
    )


# --- the four-activation study: which value is best, or none beats the baseline ---------------
ACTS = ["relu", "gelu", "silu", "tanh"]


def _activation_study(levels: dict[str, float], reruns: int = 4):
    s = spec(
        search_space=[
            {"name": "lr", "role": "nuisance", "scale": "log", "low": 1e-4, "high": 1e-1},
            {"name": "activation", "role": "scientific", "scale": "categorical", "values": ACTS},
        ],
        baseline={"hyperparameter": "activation", "value": "relu"},
        trial_budget=8,
    )
    out = []
    for seed in range(reruns + 1):
        kind = TrialKind.SEARCH if seed == 0 else TrialKind.RERUN
        group = "" if seed == 0 else f"sampler-seed-{seed}"
        for i, act in enumerate(ACTS):
            for j, lr in enumerate((1e-3, 3e-3)):
                jitter = 0.002 * ((seed + i + j) % 3 - 1)
                out.append(
                    trial(
                        f"s{seed}-{act}{j}",
                        flat(levels[act] + 0.01 * j + jitter),
                        kind=kind,
                        group=group,
                        index=2 * i + j,
                        hyperparameters={"lr": lr, "activation": act},
                    )
                )
    for act in ACTS:
        src = f"s0-{act}0"
        out += [
            trial(
                f"{src}-rt{r + 1}",
                flat(v),
                kind=TrialKind.RETRAIN,
                group=src,
                index=r + 1,
                hyperparameters={"lr": 1e-3, "activation": act},
            )
            for r, v in enumerate(ten(levels[act]))
        ]
    return s, out


def test_four_activations_name_the_best_value_and_the_comparison_decided():
    s, trials = _activation_study({"relu": 0.20, "gelu": 0.15, "silu": 0.17, "tanh": 0.23})
    a = analyze_study(s, trials)
    d = a.decision
    assert (d.verdict, d.candidate_label) == (Verdict.ADOPT, "activation=gelu")
    assert d.family == 3
    assert "comparison decided: activation=gelu vs activation=relu" in d.reason
    assert "the best of the compared values" in d.reason
    verdicts = {c.candidate_label: c.verdict for c in d.comparisons}
    assert verdicts == {
        "activation=gelu": Verdict.ADOPT,
        "activation=silu": Verdict.ADOPT,
        "activation=tanh": Verdict.REJECT,
    }
    assert "activation=silu also beats it" in d.reason
    # Holm: the smallest p-value at 5 % / 3 of the look, the next at / 2, the last at / 1
    levels = sorted(c.level for c in d.comparisons)
    assert levels[0] == pytest.approx(levels[2] / 3) and levels[1] == pytest.approx(levels[2] / 2)
    # consistent with the isolation and the retrain table on the same score
    best_iso = min(a.isolation[0].points, key=lambda p: p.best_value)
    assert best_iso.label == "activation=gelu"
    means = {g.label.split("(")[-1].rstrip(")"): g.mean for g in a.variance.trial}
    assert min(means, key=means.get) == "activation=gelu"


def test_four_activations_none_beats_the_baseline():
    s, trials = _activation_study({"relu": 0.15, "gelu": 0.20, "silu": 0.21, "tanh": 0.23})
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.REJECT
    assert d.reason.startswith("No compared value beats activation=relu")
    assert all(c.verdict is Verdict.REJECT for c in d.comparisons)
    assert d.next_step.startswith("Keep activation=relu")


def test_four_activations_without_reruns_give_no_verdict_either_way():
    s, trials = _activation_study(
        {"relu": 0.20, "gelu": 0.15, "silu": 0.17, "tanh": 0.23}, reruns=0
    )
    d = analyze_study(s, trials).decision
    assert d.verdict is Verdict.INCONCLUSIVE
    assert all(c.verdict is Verdict.INCONCLUSIVE for c in d.comparisons)
    assert "0 of the plan's 4 reruns" in d.reason


def test_next_never_retrains_the_candidate_for_a_baseline_with_no_feasible_trial():
    """Before: with every baseline trial diverged, "Next:" said `--trial best`, which is the
    candidate's best trial: both arms would have been retrains of the candidate."""
    from reportgen.analysis import analyze_study
    from reportgen.schema import Status
    from tests.analysis.analysis_builders import falling, spec, trial

    trials = [
        trial(f"b{i}", [float("nan")] * 10, index=i, lr=10 ** (-3 + i / 4), width=32,
              status=Status.DIVERGED)  # fmt: skip
        for i in range(4)
    ] + [trial(f"c{i}", falling(0.1 + i / 100), index=4 + i, lr=10 ** (-3 + i / 4)) for i in range(4)]
    s = spec(baseline={"hyperparameter": "width", "value": 32}, candidate=64)
    decision = analyze_study(s, trials).decision
    text = decision.next_step
    assert "--trial best" not in text, text
    assert "no feasible trial to retrain" in text and "width=32" in text, text

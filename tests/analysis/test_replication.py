"""Known answers of the replication verdicts: each claim against constructed evidence."""

from __future__ import annotations

from reportgen.analysis import analyze_study
from reportgen.analysis.objective import score_trials
from reportgen.analysis.replication import replicate
from reportgen.schema import Best, Curves, Status, StudySpec
from reportgen.schema.batch_size import BatchSizeView, ScalingRow
from tests.conftest import make_trial

PAPER = {"paper": "A paper", "claim": "A claim", "setting": "Their setting",
         "changes": "Our changes"}


def _view(steps: dict[int, int | None]) -> BatchSizeView:
    from reportgen.analysis.batch_scaling import _regimes

    rows = [ScalingRow(batch_size=b, trials=3, steps=s, trial_id="t" if s else None)
            for b, s in steps.items()]
    rows, perfect, largest = _regimes(rows)
    return BatchSizeView(batch_hyperparameter="batch_size", target=0.2, metric="valid_error",
                         rows=rows, perfect_until=perfect, largest_scaling=largest)


def _spec(test: str, **over) -> StudySpec:
    base = dict(study_id="rep", title="Replication", goal="Replicate.",
                workload={"name": "digits_mlp"},
                search_space=[{"name": "optimizer", "role": "fixed", "value": "adam"},
                              {"name": "batch_size", "role": "scientific", "scale": "discrete",
                               "values": [16, 32]}],
                trial_budget=8, max_train_steps=100, eval_every=10,
                replication={**PAPER, "test": test})
    base.update(over)
    return StudySpec(**base)


def test_batch_scaling_agrees_when_all_three_regimes_show():
    spec = _spec("batch_scaling")
    view = _view({16: 800, 32: 400, 64: 200, 128: 160, 256: 160})
    r = replicate(spec, score_trials([], spec.objective), view)
    assert r.verdict == "agrees" and "perfect scaling from batch 16 to 64" in r.reason
    assert r.our_number == "steps stop falling after batch 128"


def test_batch_scaling_is_inconclusive_when_the_largest_batch_still_scales():
    spec = _spec("batch_scaling")
    r = replicate(spec, score_trials([], spec.objective), _view({16: 800, 32: 400, 64: 200}))
    assert r.verdict == "inconclusive" and "beyond the range" in r.reason


def test_batch_scaling_disagrees_when_no_larger_batch_saves_steps():
    spec = _spec("batch_scaling")
    r = replicate(spec, score_trials([], spec.objective), _view({16: 300, 32: 300, 64: 320}))
    assert r.verdict == "disagrees"


def test_batch_scaling_needs_three_finishers():
    spec = _spec("batch_scaling")
    r = replicate(spec, score_trials([], spec.objective), _view({16: 300, 32: None, 64: 200}))
    assert r.verdict == "inconclusive" and "only 2 batch size(s)" in r.reason


def _warm_trial(i: int, warmup: int, lr: float, diverged: bool):
    steps = [10, 20]
    err = [0.5, 0.2]
    kw = dict(status=Status.DIVERGED, status_reason="loss exploded", best=None,
              final_value=None) if diverged else dict(best=Best(step=20, value=0.2),
                                                       final_value=0.2)  # fmt: skip
    return make_trial(
        study_id="rep", trial_id=f"t{i:04d}", index=i,
        hyperparameters={"optimizer": "adam", "adam.learning_rate": lr, "warmup_steps": warmup},
        curves=Curves(step=steps, train_loss=err, valid_loss=err,
                      valid_error=[0.5, float("nan")] if diverged else err,
                      learning_rate=[lr, lr], grad_norm=[1.0, 1.0]),
        max_train_steps=20, **kw,
    )  # fmt: skip


def _warm_spec() -> StudySpec:
    return _spec("warmup_stable_range", search_space=[
        {"name": "optimizer", "role": "fixed", "value": "adam"},
        {"name": "warmup_steps", "role": "scientific", "scale": "discrete", "values": [0, 50]},
        {"name": "adam.learning_rate", "role": "nuisance", "scale": "log", "low": 1e-3,
         "high": 10.0}])  # fmt: skip


def test_warmup_agrees_when_it_trains_above_the_bounded_edge():
    trials = [_warm_trial(0, 0, 0.1, False), _warm_trial(1, 0, 1.0, True),
              _warm_trial(2, 50, 0.1, False), _warm_trial(3, 50, 1.0, False),
              _warm_trial(4, 50, 5.0, True)]  # fmt: skip
    a = analyze_study(_warm_spec(), trials)
    r = a.extras.replication
    assert r.verdict == "agrees" and "10.0× the largest stable rate" in r.reason
    assert r.our_number == ("largest stable learning rate: warmup_steps=0: 0.1; "
                            "warmup_steps=50: 1")


def test_warmup_is_inconclusive_without_an_edge_and_disagrees_when_it_does_not_help():
    spec = _warm_spec()
    no_edge = [_warm_trial(0, 0, 0.1, False), _warm_trial(1, 50, 1.0, False)]
    r = replicate(spec, score_trials(no_edge, spec.objective), None)
    assert r.verdict == "inconclusive" and "edge was not found" in r.reason
    same = [_warm_trial(0, 0, 0.1, False), _warm_trial(1, 0, 1.0, True),
            _warm_trial(2, 50, 0.1, False), _warm_trial(3, 50, 1.0, True)]
    r = replicate(spec, score_trials(same, spec.objective), None)
    assert r.verdict == "disagrees"


def _decision(low, high):
    from reportgen.schema import Decision, Policy, Verdict

    return Decision(verdict=Verdict.INCONCLUSIVE, candidate_label="optimizer=adam",
                    baseline_label="optimizer=momentum", effect=None if low is None else
                    (low + high) / 2, ci_low=low, ci_high=high, reason="r", next_step="n",
                    policy=Policy())  # fmt: skip


def test_inclusion_reads_the_decision_interval_against_the_minimum_effect():
    spec = _spec("inclusion", policy={"min_effect": 0.01})
    margin = spec.policy.min_effect
    search = score_trials([], spec.objective)
    r = replicate(spec, search, None, _decision(-margin / 2, 0.02))
    assert r.verdict == "agrees" and "optimizer=adam against optimizer=momentum" in r.our_number
    assert replicate(spec, search, None, _decision(-0.2, -2 * margin)).verdict == "disagrees"
    assert replicate(spec, search, None, _decision(-0.2, 0.05)).verdict == "inconclusive"
    assert replicate(spec, search, None, _decision(None, None)).verdict == "inconclusive"


def test_batch_scaling_without_a_perfect_regime_is_inconclusive_and_says_why():
    spec = _spec("batch_scaling")
    r = replicate(spec, score_trials([], spec.objective), _view({16: 800, 32: 600, 64: 500,
                                                                 128: 500}))
    assert r.verdict == "inconclusive" and "no perfect-scaling regime shows" in r.reason
    assert "(16 to 32) cut them at 0.3333 of the ideal rate" in r.reason
    assert "fell 1.6x for a 4x larger batch" in r.reason

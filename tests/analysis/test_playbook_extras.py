"""Known-answer tests of the playbook-coverage findings: each fires on a constructed case and
stays silent on a clean one."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reportgen.analysis import analyze_study
from reportgen.analysis.budget import check_records, check_search_design, resources
from reportgen.analysis.curves import diagnose_all
from reportgen.analysis.gradient_norms import check_grad_norms, grad_norm_stats
from reportgen.analysis.importance import hyperparameter_importance
from reportgen.analysis.loss_spikes import FIXES_EARLY, FIXES_MID, check_instability
from reportgen.analysis.objective import score_trials
from reportgen.analysis.regime import check_regime, rounds_view, training_regime
from reportgen.analysis.sanity import check_sanity, check_splits, provenance, sanity_card
from reportgen.analysis.schedule import check_schedule
from reportgen.schema import Curves, Finding, Policy, Severity, Status
from tests.analysis.analysis_builders import falling, flat, spec, trial

NAN = float("nan")
POLICY = Policy()


def keys(found: list[Finding]) -> list[str]:
    return [f.key for f in found]


def with_curves(t, **columns):
    """``t`` with some curve columns replaced (records are frozen)."""
    c = t.curves.model_dump()
    c.update(columns)
    return t.model_copy(update={"curves": Curves(**c)})


def scored(s, trials):
    return score_trials(trials, s.objective)


# --- instability ------------------------------------------------------------------------------


def _spiky(n=10, at=6):
    return [1.0 - 0.05 * i for i in range(at)] + [2.0, 2.0, 2.0] + [0.8] * (n - at - 3)


def test_loss_spike_fires_on_a_sustained_jump_and_not_on_a_smooth_curve():
    s = spec()
    spiky = trial("a", flat(0.2), train=_spiky(), lr=1e-3)
    smooth = trial("b", flat(0.2), train=[1.0 - 0.05 * i for i in range(10)], lr=1e-3)
    found, episodes, _, _ = check_instability(s, scored(s, [spiky]), POLICY)
    assert "instability.loss_spike" in keys(found)
    assert [(e.trial_id, e.start_step, e.end_step, e.phase) for e in episodes] == [
        ("a", 60, 90, "mid-training")
    ]
    assert episodes[0].peak_ratio == pytest.approx(2.0 / 0.8)  # against the smoothed minimum
    assert check_instability(s, scored(s, [smooth]), POLICY)[0] == []


def test_many_spiking_trials_are_counted_once_and_only_the_worst_named():
    s = spec()
    trials = []
    for i in range(12):
        train = _spiky()
        train[6:9] = [1.2 + 0.1 * i] * 3  # trial i's spike grows with i
        # the best trial (lowest error) has the mildest spike: it is named anyway
        trials.append(
            trial(
                f"t{i:02d}", flat(0.30 - (0.01 if i == 0 else 0) + i / 1000), train=train, index=i
            )
        )
    found, episodes, _, _ = check_instability(s, scored(s, trials), POLICY)
    spikes = [f for f in found if f.key == "instability.loss_spike"]
    assert len(episodes) == 12
    assert spikes[0].subject == "12 trials"
    assert "spiked in 12 of 12 search trials (12 episodes)" in spikes[0].message
    assert "the 6 listed next are the worst and the best trial" in spikes[0].message
    assert [f.subject for f in spikes[1:]] == ["t11", "t10", "t09", "t08", "t07", "t00"]
    # a few spiking trials are each named, with no count
    found, _, _, _ = check_instability(s, scored(s, trials[:3]), POLICY)
    assert [f.subject for f in found if f.key == "instability.loss_spike"] == ["t02", "t01", "t00"]


def test_a_single_noisy_eval_is_not_an_episode():
    s = spec()
    blip = [1.0 - 0.05 * i for i in range(10)]
    blip[5] = 3.0
    assert check_instability(s, scored(s, [trial("a", flat(0.2), train=blip)]), POLICY)[0] == []


def test_wiggles_of_a_loss_near_zero_are_not_spikes():
    s = spec()
    near_zero = [0.8, 0.15, 0.05, 0.02, 0.017, 0.012, 0.025, 0.024, 0.005, 0.003]
    assert (
        check_instability(s, scored(s, [trial("a", flat(0.1), train=near_zero)]), POLICY)[0] == []
    )


def test_learning_rates_above_the_best_that_diverge_lead_with_the_early_fix_menu():
    s = spec()
    best = trial("best", flat(0.1), lr=1e-3, index=0)
    worse = trial("low", flat(0.3), lr=1e-4, index=1)
    dead = trial("high", [2.0, NAN], lr=1e-2, index=2, status=Status.DIVERGED)
    found, _, above, menu = check_instability(s, scored(s, [best, worse, dead]), POLICY)
    assert keys(found) == [
        "instability.above_best_lr",
        "instability.fix_menu",
        "instability.early_probe",
    ]
    assert above == ["high"]
    assert menu == list(FIXES_EARLY) and menu[-1].startswith("Lower the learning rate")
    assert "0.002" in found[2].message  # the probe runs at twice the best learning rate
    # a clean sweep: the higher learning rate trained fine
    ok = trial("high", flat(0.2), lr=1e-2, index=2)
    assert check_instability(s, scored(s, [best, worse, ok]), POLICY)[0] == []


def test_the_early_probe_is_sized_to_the_studys_step_budget():
    """Before, it asked for "about 500 steps" whatever the study's budget (a 100-step study
    included): now the first tenth of the budget, between 20 and 500 steps."""
    from reportgen.analysis.loss_spikes import early_probe_steps

    assert [early_probe_steps(n) for n in (10, 100, 300, 3000, 50_000)] == [10, 20, 30, 300, 500]
    s = spec(max_train_steps=100)
    best = trial("best", flat(0.1), lr=1e-3, index=0)
    dead = trial("high", [2.0, NAN], lr=1e-2, index=2, status=Status.DIVERGED)
    found, _, _, _ = check_instability(s, scored(s, [best, dead]), POLICY)
    [probe] = [f for f in found if f.key == "instability.early_probe"]
    assert "the first 20 of the study's 100 steps" in probe.message and "500" not in probe.message


def test_mid_training_spikes_put_clipping_first():
    s = spec(eval_every=10)
    found, _, _, menu = check_instability(
        s, scored(s, [trial("a", flat(0.2), train=_spiky())]), POLICY
    )
    assert menu == list(FIXES_MID) and menu[0].startswith("Gradient clipping")
    assert "instability.fix_menu" in keys(found)


def test_instability_findings_lead_the_analysis():
    s = spec()
    trials = [
        trial("best", flat(0.1), lr=1e-3, index=0),
        trial("high", [2.0, NAN], lr=1e-2, index=1, status=Status.DIVERGED),
    ]
    a = analyze_study(s, trials)
    assert a.findings[0].key.startswith("instability.")


# --- gradient norms ---------------------------------------------------------------------------


def test_gradient_stats_clip_suggestion_and_aggressive_clipping():
    t = trial(
        "a", flat(0.1), hyperparameters={"adam.learning_rate": 1e-3, "width": 64, "grad_clip": 0.5}
    )
    n = len(t.curves)
    t = with_curves(
        t,
        grad_norm=[1.0] * n,
        grad_norm_max=[2.0] * (n - 1) + [20.0],
        grad_norm_p90=[1.5] * n,
        clipped_fraction=[0.8] * n,
    )
    g = grad_norm_stats(t, POLICY)
    assert (g.mean, g.max, g.p90, g.suggested_clip, g.clipped_fraction) == (
        1.0,
        20.0,
        1.5,
        None,  # per-interval summaries only: the 90th percentile of all steps is not known
        0.8,
    )
    assert (g.interval_p90_low, g.interval_p90_high) == (1.5, 1.5)
    assert g.outlier_steps == [t.curves.step[-1]]
    s = spec()
    found, _ = check_grad_norms(scored(s, [t]), POLICY)
    assert keys(found) == ["gradients.clip_aggressive", "gradients.outliers"]
    # clean: no clipping, no outlier
    calm = with_curves(
        trial("b", flat(0.1)),
        grad_norm_max=[1.2] * n,
        grad_norm_p90=[1.1] * n,
        clipped_fraction=[0.0] * n,
    )
    assert check_grad_norms(scored(s, [calm]), POLICY)[0] == []


def test_old_records_without_the_statistics_fall_back_to_the_mean():
    g = grad_norm_stats(trial("a", flat(0.1)), POLICY)
    assert (g.mean, g.max, g.p90, g.clipped_fraction, g.interval_stats) == (
        1.0,
        1.0,
        None,
        None,
        False,
    )


# --- regime and rounds ------------------------------------------------------------------------


def test_regime_labels_and_short_run_warning():
    s = spec()
    improving = [trial(f"i{k}", falling(0.1 + 0.01 * k), index=k) for k in range(4)]
    sat = [trial(f"s{k}", flat(0.1 + 0.01 * k), index=k) for k in range(4)]
    r1 = training_regime(diagnose_all(scored(s, improving), POLICY), POLICY)
    r2 = training_regime(diagnose_all(scored(s, sat), POLICY), POLICY)
    assert (r1.label, r1.n_improving) == ("compute-bound", 4)
    assert (r2.label, r2.n_saturated) == ("not compute-bound", 4)
    assert keys(check_regime(s, r1)) == ["regime.compute_bound", "regime.short_run_transfer"]
    assert keys(check_regime(s, r2)) == ["regime.not_compute_bound"]  # full-length, saturated
    short = spec(round={"index": 1, "fraction": 0.1})
    assert "regime.short_run_transfer" in keys(check_regime(short, r2))


def test_rounds_view_proposes_geometric_growth_to_production():
    s = spec(max_train_steps=100, round={"index": 1, "fraction": 0.1, "planned_rounds": 2})
    r = training_regime([], POLICY)
    v = rounds_view(s, r)
    assert (v.production_steps, v.proposed_next_steps) == (1000, 1000)
    three = rounds_view(spec(max_train_steps=100, round={"fraction": 0.01, "planned_rounds": 3}), r)
    assert (three.production_steps, three.proposed_next_steps) == (10000, 1000)
    assert dict(v.transfer)["width"] == "likely"
    assert dict(v.transfer)["adam.learning_rate"] == "might"
    assert rounds_view(spec(), r).proposed_next_steps is None


# --- schedule ---------------------------------------------------------------------------------


def _warm(tid, w, lr, feasible=True, index=0):
    hps = {"optimizer": "adam", "adam.learning_rate": lr, "width": 64, "warmup_steps": w}
    if feasible:
        return trial(tid, flat(0.1), lr=lr, index=index, hyperparameters=hps)
    return trial(tid, [2.0, NAN], lr=lr, index=index, status=Status.DIVERGED, hyperparameters=hps)


def test_warmup_share_and_shortest_feasible_warmup():
    s = spec(
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1.0,
            },
            {
                "name": "warmup_steps",
                "role": "scientific",
                "scale": "discrete",
                "values": [0, 8, 20],
            },
        ]
    )
    trials = [
        _warm("a", 0, 0.5, feasible=False),
        _warm("b", 8, 0.5),
        _warm("c", 20, 0.5),
        _warm("d", 0, 0.002),
        _warm("e", 20, 0.002),
    ]
    found, shares, rows = check_schedule(s, scored(s, trials), POLICY)
    assert keys(found) == ["schedule.warmup_share", "schedule.warmup_long"]  # 8 % and 20 %
    assert shares["c"] == 0.2
    assert [(r.base_learning_rate, r.shortest_feasible_warmup) for r in rows] == [
        ("[0.001, 0.01)", 0),
        ("[0.1, 1)", 8),
    ]
    clean = [_warm("d", 0, 0.002), _warm("e", 2, 0.002)]
    assert check_schedule(s, scored(s, clean), POLICY)[0] == []


def test_hand_edited_schedule_is_flagged():
    s = spec()
    t = with_curves(
        trial("a", flat(0.1)),
        learning_rate=[0.1, 0.08, 0.06, 0.04, 0.1, 0.08, 0.06, 0.04, 0.02, 0.01],
    )
    assert keys(check_schedule(s, scored(s, [t]), POLICY)[0]) == ["schedule.hand_edited"]
    cosine = with_curves(
        trial("b", flat(0.1)),
        learning_rate=[0.05, 0.1, 0.09, 0.07, 0.05, 0.04, 0.03, 0.02, 0.01, 0.0],
    )
    assert check_schedule(s, scored(s, [cosine]), POLICY)[0] == []


def test_hand_edited_schedule_names_the_step_of_the_rise_when_a_rate_is_missing():
    s = spec()
    t = with_curves(
        trial("a", flat(0.1)),
        learning_rate=[math.nan, 0.1, 0.08, 0.06, 0.04, 0.1, 0.08, 0.06, 0.04, 0.02],
    )
    (f,) = check_schedule(s, scored(s, [t]), POLICY)[0]
    steps = list(t.curves.step)
    assert f.key == "schedule.hand_edited" and f.evidence["step"] == steps[5]
    assert f"step {steps[5]}" in f.message


# --- design and budget ------------------------------------------------------------------------


def test_max_train_steps_and_eval_cadence_are_checked_on_every_record():
    s = spec(max_train_steps=100, eval_every=10)
    ok = trial("a", flat(0.1))
    longer = ok.model_copy(update={"trial_id": "b", "max_train_steps": 200})
    gappy = with_curves(trial("c", flat(0.1, n=3)), step=[10, 20, 50])
    assert keys(check_records(s, [ok, longer, gappy])) == [
        "design.max_steps_varies",
        "design.eval_cadence",
    ]
    assert check_records(s, [ok]) == []


def test_grid_search_in_many_dimensions_and_the_exploitation_gate():
    three = spec(
        search={"kind": "grid"},
        search_space=[
            {"name": "a", "role": "nuisance", "scale": "discrete", "values": [1, 2]},
            {"name": "b", "role": "nuisance", "scale": "discrete", "values": [1, 2]},
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [1, 2]},
        ],
    )
    assert keys(check_search_design(three, [])) == ["design.grid_many_dims"]
    assert check_search_design(three.model_copy(update={"grid_override": "tiny, cheap"}), []) == []
    assert check_search_design(spec(search={"kind": "grid"}), []) == []  # two dimensions
    exploit = spec(phase="exploitation")
    boundary = Finding(
        key="search_space.boundary",
        severity=Severity.WARNING,
        message="m",
        anchor="identifying-bad-search-space-boundaries",
    )
    assert keys(check_search_design(exploit, [boundary])) == ["design.exploitation_gate"]
    assert check_search_design(exploit, []) == []
    assert check_search_design(spec(), [boundary]) == []  # exploration: no gate


def test_resources_share_the_group_wall_time():
    t = trial("a", flat(0.1))
    t = t.model_copy(
        update={
            "wall_seconds": 7200.0,
            "execution": t.execution.model_copy(
                update={"mode": "vectorised", "group_size": 4, "group_id": "g",
                        "compile_seconds": 30.0}
            ),
        }
    )
    r = resources([t, t.model_copy(update={"trial_id": "b"})])
    assert r.total_accelerator_hours == pytest.approx(1.0)  # 2 trials × 2 h / 4
    assert r.per_trial_hours == pytest.approx(0.5)
    assert r.compile_seconds == 30.0  # one group compiled once


# --- sanity, provenance, data -----------------------------------------------------------------


def test_sanity_card_against_chance():
    s = spec(chance_level=0.9)
    near = [trial("a", flat(0.7))]
    card = sanity_card(s, scored(s, near))
    assert card.margin == pytest.approx(0.2)
    assert keys(check_sanity(card)) == ["sanity.near_chance"]
    good = sanity_card(s, scored(s, [trial("b", flat(0.05))]))
    assert check_sanity(good) == []
    assert check_sanity(sanity_card(spec(), scored(s, near))) == []  # no chance level recorded


def test_unrecorded_optimizer_hyperparameters_are_flagged():
    from reportgen.analysis.sanity import check_optimizer_record

    bare = trial("a", flat(0.1), hyperparameters={"optimizer": "adam", "adam.learning_rate": 1e-3})
    [f] = check_optimizer_record([bare])
    assert (f.key, f.evidence["missing"]) == (
        "design.optimizer_unrecorded",
        ["adam.b1", "adam.b2", "adam.eps"],
    )
    full = trial(
        "b",
        flat(0.1),
        hyperparameters={
            "optimizer": "adam",
            "adam.learning_rate": 1e-3,
            "adam.b1": 0.9,
            "adam.b2": 0.999,
            "adam.eps": 1e-8,
        },
    )
    assert check_optimizer_record([full]) == []
    assert check_optimizer_record([trial("c", flat(0.1), hyperparameters={"lr": 0.1})]) == []


def test_split_mismatch_and_variance_sources():
    a = trial("a", flat(0.1)).model_copy(update={"dataset": {"split_seed": 0, "sha256": "x"}})
    b = trial("b", flat(0.1), index=1).model_copy(
        update={"dataset": {"split_seed": 1, "sha256": "y"}}
    )
    assert keys(check_splits([a], [b])) == ["data.split_mismatch"]
    assert check_splits([a], [a]) == []
    p = provenance(spec(), [a, b])
    assert dict(p.variance_sources)["data split"] == "varied"
    assert dict(p.variance_sources)["search sampler seed"] == "fixed"
    assert dict(p.optimizer_rules)["adam"].startswith("m ← β₁m")
    # the records name no library: the ε convention is not claimed
    assert "optax" not in p.convention and "not recorded" in p.convention
    with_optax = [
        x.model_copy(update={"provenance": x.provenance.model_copy(
            update={"packages": {"jax": "0.10.2", "optax": "0.2.8"}})})
        for x in (a, b)
    ]
    p = provenance(spec(), with_optax)
    assert p.convention.startswith("Recorded with optax")
    assert dict(p.setup)["framework"] == "jax 0.10.2, optax 0.2.8"


# --- insight ----------------------------------------------------------------------------------


def _lr_drives(n: int, noise_step: int):
    """A study of n trials whose objective depends on the learning rate only, not on 'noise'."""
    s = spec(
        search_space=[
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-1,
            },
            {"name": "noise", "role": "nuisance", "scale": "linear", "low": 0.0, "high": 1.0},
        ]
    )
    trials = []
    for k in range(n):
        lr = 10 ** (-4 + 3 * ((k * 7) % n) / (n - 1))
        noise = ((k * noise_step) % n) / (n - 1)
        v = 0.1 + 0.3 * (math.log10(lr) + 2.5) ** 2  # depends on the learning rate only
        trials.append(
            trial(
                f"t{k:02d}",
                flat(v),
                index=k,
                hyperparameters={"adam.learning_rate": lr, "noise": noise},
            )
        )
    return s, trials


def test_fanova_ranks_the_hyperparameter_that_drives_the_objective_first():
    pytest.importorskip("sklearn")
    s, trials = _lr_drives(24, 5)
    imp = hyperparameter_importance(s, scored(s, trials), seed=0)
    assert imp.available
    assert imp.top_pair[0] == "adam.learning_rate"
    assert imp.values["adam.learning_rate"] > 0.8
    few = hyperparameter_importance(s, scored(s, trials[:3]), seed=0)
    assert not few.available and "too few" in few.message


def test_fanova_on_many_trials_fits_a_seeded_subset_and_says_so(monkeypatch):
    pytest.importorskip("sklearn")
    import reportgen.analysis.importance as importance

    monkeypatch.setattr(importance, "FIT_TRIALS", 20)
    s, trials = _lr_drives(60, 13)
    a = hyperparameter_importance(s, scored(s, trials), seed=0)
    b = hyperparameter_importance(s, scored(s, trials), seed=0)
    assert a.available and a.top_pair[0] == "adam.learning_rate"
    assert a.values == b.values  # the subset is seeded: the same page every build
    assert a.method.endswith("fitted on a seeded random subset of 20 of the 60 feasible trials")


# --- round 2 schedule extension ---------------------------------------------------------------


def test_linear_extension_keeps_the_decay_length_and_the_high_rate_share():
    from reportgen.analysis.schedule_extension import extend_schedule, schedule_curve

    t = trial(
        "a",
        flat(0.1),
        hyperparameters={
            "adam.learning_rate": 1.0,
            "width": 64,
            "schedule": "linear",
            "warmup_steps": 0,
        },
    )
    x = extend_schedule(t, 1000)  # max_train_steps 100 -> 1000
    assert x is not None and x.family == "linear"
    assert x.old_share_high == pytest.approx(0.5, abs=0.02)  # linear: half the steps above half
    assert x.new_share_high == pytest.approx(0.95, abs=0.02)  # 900 held + 50 of the decay
    assert x.stretched_share_high == pytest.approx(0.5, abs=0.02)  # the pitfall
    lr = schedule_curve(np.arange(1000), 1.0, 0, "linear", 1000, hold=900)
    assert lr[899] == 1.0 and lr[950] == pytest.approx(0.5, abs=0.01) and lr[-1] < 0.02
    cos = extend_schedule(
        t.model_copy(update={"hyperparameters": {**t.hyperparameters, "schedule": "cosine"}}), 1000
    )
    assert cos.new_share_high == pytest.approx(cos.old_share_high, abs=0.01)  # a stretch
    assert extend_schedule(trial("b", flat(0.1), hyperparameters={"width": 64}), 1000) is None


def test_without_scikit_learn_the_importance_says_so(monkeypatch):
    import sys

    s = spec(
        search_space=[
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-1,
            },
            {"name": "noise", "role": "nuisance", "scale": "linear", "low": 0.0, "high": 1.0},
        ]
    )
    trials = [
        trial(
            f"t{k}",
            flat(0.1 + k / 100),
            index=k,
            hyperparameters={"adam.learning_rate": 10 ** (-4 + k / 3), "noise": k / 10},
        )
        for k in range(8)
    ]
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn raises ImportError
    imp = hyperparameter_importance(s, scored(s, trials), seed=0)
    assert not imp.available and "scikit-learn is not installed" in imp.message


def test_gradient_norm_outliers_are_spikes_not_early_training_or_convergence():
    """Issue 33: large early norms and norms shrinking by orders of magnitude are normal
    training; only a spike above its own neighbours is an outlier."""
    import numpy as np

    from reportgen.analysis.gradient_norms import grad_norm_stats

    steps = [50 * (i + 1) for i in range(30)]
    falling = (1.4 * 0.6 ** np.arange(30)).tolist()  # 1.4 down to ~1e-6
    base = trial("g0", flat(0.2, 30))
    curves = base.curves.model_copy(
        update={"step": steps, "grad_norm": falling, "grad_norm_max": falling}
    )
    t = base.model_copy(update={"curves": curves, "max_train_steps": 1500})
    assert grad_norm_stats(t, Policy()).outlier_steps == []
    spiked = list(falling)
    spiked[15] = 10 * falling[14]  # a jump mid-training
    t = t.model_copy(
        update={"curves": curves.model_copy(update={"grad_norm": spiked, "grad_norm_max": spiked})}
    )
    assert grad_norm_stats(t, Policy()).outlier_steps == [steps[15]]


def test_batch_sizes_compared_at_fixed_steps_are_flagged_with_the_examples_ratio():
    """Issue 36: comparing batch 256 with 64 at a fixed step budget gives the larger batch four
    times the examples; the design check says so (batch size as a nuisance is another finding)."""
    from reportgen.analysis.design import check_design

    s = spec(
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": "adam.learning_rate", "role": "nuisance", "scale": "log",
             "low": 1e-4, "high": 1e-1},
            {"name": "batch_size", "role": "scientific", "scale": "discrete", "values": [64, 256]},
        ],
        baseline={"hyperparameter": "batch_size", "value": 64},
        candidate=256,
    )
    [f] = [f for f in check_design(s, s.policy) if f.key == "design.batch_size_fixed_steps"]
    assert f.severity is Severity.WARNING and f.evidence["examples_ratio"] == 4.0
    assert "sees 4x the examples" in f.message
    assert not [f for f in check_design(spec(), POLICY) if f.key == "design.batch_size_fixed_steps"]

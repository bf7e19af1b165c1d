"""Issue 35, items 1 and 3: every checklist row says what it looked at and is ticked only where
it could have failed; provenance rows come from what the records and sources carry."""

from __future__ import annotations

import numpy as np
import pytest

from reportgen.analysis import analyze_study
from reportgen.analysis.budget import resources
from reportgen.analysis.gradient_norms import grad_norm_stats
from reportgen.pages.playbook_sections import playbook_sections
from reportgen.pages.checklist import checklist
from reportgen.schema import Curves, Execution, Policy
from reportgen.store import load_study
from tests.conftest import REPO, make_trial


@pytest.fixture(scope="module")
def published():
    cache: dict = {}

    def get(study: str):
        if study not in cache:
            records, problems = load_study(REPO / "logbook" / study, REPO / "logbook")
            assert problems == [] and records is not None
            a = analyze_study(records.spec, list(records.trials))
            cache[study] = (records.spec, a, {i.title: i for i in checklist(a.findings, a.scopes)})
        return cache[study]

    return get


def _rows(spec, a) -> dict[str, str]:
    pb = playbook_sections(spec, a, {})
    return {kv.key: kv.value for kv in (*pb.provenance, *pb.start, *pb.budget, *pb.resources)}


def test_infeasible_row_counts_what_the_fraction_counts(published):
    # 34 of 60 trials were pruned: stopped on purpose, not infeasible
    _, a, items = published("optuna-sgd-digits")
    assert a.summary.infeasible_fraction == 0
    row = items["Infeasible trials"].checked
    assert "0 infeasible" in row and "34 stopped early" in row
    assert "34 of 60 trials infeasible" not in row


def test_variance_is_not_passed_on_an_inconclusive_verdict(published):
    _, a, items = published("adam-lr-digits")
    assert str(a.decision.verdict) == "inconclusive"
    assert min(a.decision.candidate.n, a.decision.baseline.n) >= a.policy.min_retrains
    assert items["Variance"].status == "warning"
    assert "not yet told from the noise" in items["Variance"].checked


def test_a_silenced_boundary_edge_is_no_pass(published):
    # clip-digits: the upper learning-rate edge is explained by the stability edge
    _, a, items = published("clip-digits")
    assert any(f.key == "search_space.stability_edge" for f in a.findings)
    assert items["Search-space boundaries"].status != "ok"
    assert "not judged" in items["Search-space boundaries"].checked


def test_every_published_row_ticked_only_where_it_ran(published):
    for study in ("fashion-cnn-reference", "optuna-sgd-digits", "sgd-vs-adam-fashion"):
        _, a, items = published(study)
        by = {sc.topic: sc for sc in a.scopes}
        assert len(by) == 8
        for item in items.values():
            assert item.checked, (study, item.title)
            if item.status == "ok":
                assert not item.groups, (study, item.title)
    _, a, items = published("fashion-cnn-reference")
    assert items["Isolation"].status == "unchecked"
    # an import without a training-loss curve: stability could not be checked
    _, a, items = published("optuna-sgd-digits")
    assert items["Training stability"].status == "unchecked"


def _iso_study(feasible_at_b: int):
    from tests.conftest import make_spec

    spec = make_spec(
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {"name": "adam.learning_rate", "role": "nuisance", "scale": "log",
             "low": 1e-4, "high": 1e-2},
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [32, 64]},
        ],
    )
    trials = []
    for i in range(8):
        width = 32 if i < 4 else 64
        bad = width == 64 and i - 4 >= feasible_at_b
        lr = float(10 ** (-4 + 2 * ((i % 4) + 0.5) / 4))
        kw = {}
        if bad:
            kw = dict(status="diverged", status_reason="loss went non-finite", best=None,
                      final_value=None)
        trials.append(make_trial(trial_id=f"t{i}", index=i,
                                 hyperparameters={"optimizer": "adam", "adam.learning_rate": lr,
                                                  "width": width}, **kw))
    return spec, trials


def test_isolation_row_can_fail_and_can_pass():
    spec, trials = _iso_study(feasible_at_b=1)
    a = analyze_study(spec, trials)
    items = {i.title: i for i in checklist(a.findings, a.scopes)}
    assert [f.subject for f in a.findings if f.key == "isolation.undertuned"] == ["width"]
    assert items["Isolation"].status == "warning"
    spec, trials = _iso_study(feasible_at_b=4)
    a = analyze_study(spec, trials)
    items = {i.title: i for i in checklist(a.findings, a.scopes)}
    assert not [f for f in a.findings if f.key == "isolation.undertuned"]
    assert items["Isolation"].status == "ok"


def test_imported_study_claims_no_sampler_seed_or_framework(published):
    spec, a, _ = published("optuna-sgd-digits")
    rows = _rows(spec, a)
    assert "quasi" not in rows["sampler"] and rows["sampler"].startswith("not recorded")
    assert rows["pruner"].startswith("not recorded") and "34 of 60" in rows["pruner"]
    assert "optuna" in rows["framework"] and "not recorded" in rows["framework"]
    for k in ("model init seed (retrains)", "search sampler seed"):
        assert rows[k] in ("not recorded", "not measured: no retrains"), (k, rows[k])
    assert rows["devices per group"].startswith("not recorded")
    assert rows["constant learning rate first"].startswith("not recorded")
    assert not spec.sampler_recorded  # the page header says "sampler not recorded" from this


def test_convention_and_framework_follow_the_packages(published):
    spec, a, _ = published("numpy-digits-schedule")
    assert "optax" not in a.extras.provenance.convention
    assert _rows(spec, a)["framework"].startswith("numpy")
    spec, a, _ = published("clip-digits")
    assert a.extras.provenance.convention.startswith("Recorded with optax")
    rows = _rows(spec, a)
    # no retrains: the retrain seed rows say so instead of reading the search trials
    assert rows["model init seed (retrains)"] == "not measured: no retrains"


def test_simple_start_reads_every_trial_and_namespaced_keys(published):
    spec, a, _ = published("weight-decay-fashion")
    # trial 0 is an Adam trial without decay; the AdamW trials record adamw.weight_decay
    assert _rows(spec, a)["no regularisation extras"].startswith("no (weight_decay")


def test_device_hours_count_the_devices():
    t = make_trial(wall_seconds=3600.0,
                   execution=Execution(mode="vectorised", group_size=2, devices=4,
                                       group_wall_seconds=3600.0, device="gpu:H100"))
    r = resources([t, t.model_copy(update={"trial_id": "t1"})])
    assert r.total_accelerator_hours == pytest.approx(4.0)  # 1 h of 4 devices, 2 trials share
    assert r.devices == "4"
    t1 = make_trial(execution=Execution(mode="sequential", device="external"))
    assert resources([t1]).devices.startswith("not recorded")


def test_clip_suggestion_is_the_p90_of_step_norms():
    rng = np.random.default_rng(0)
    norms = np.exp(rng.normal(0, 0.5, 200))
    steps = list(range(1, 201))
    ones = [1.0] * 200
    t = make_trial(
        curves=Curves(step=steps, train_loss=ones, valid_loss=ones, valid_error=[0.1] * 200,
                      learning_rate=[1e-3] * 200, grad_norm=norms.tolist()),
        best={"step": 200, "value": 0.1}, max_train_steps=200,
    )
    g = grad_norm_stats(t, Policy())
    assert g.suggested_clip == pytest.approx(float(np.percentile(norms, 90)))
    # per-interval summaries: no percentile of all steps is claimed
    t2 = make_trial()
    g2 = grad_norm_stats(t2, Policy())
    assert g2.suggested_clip is None

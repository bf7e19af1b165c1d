"""Tuning adequacy (issue 36 item 3): a scientific value whose nuisance hyperparameters got a
thinner search than the others' is named, and the decision comparing it says so; a nuisance
hyperparameter that applies to one value only (one optimizer's learning rate) is no evidence."""

from __future__ import annotations

from pathlib import Path

from reportgen.analysis import analyze_study
from reportgen.store import load_logbook
from tests.probes.build import fired_keys
from tests.probes.gallery import BY_NAME, write_probe

REPO = Path(__file__).resolve().parents[2]


def _probe(tmp_path: Path, name: str):
    write_probe(tmp_path, BY_NAME[name])
    return fired_keys(tmp_path, BY_NAME[name].spec["study_id"])


def test_a_value_searched_over_half_the_range_is_named_and_the_decision_says_so(tmp_path):
    keys, (_, a) = _probe(tmp_path, "tuning-uneven")
    [f] = [f for f in a.findings if f.key == "isolation.tuning_uneven"]
    assert f.evidence["values"] == ["width=64"] and f.subject == "width"
    assert "adam.learning_rate searched over" in f.message
    assert any("width=64 was tuned less than the other values" in c for c in a.decision.caveats)
    assert "isolation.undertuned" not in keys  # enough feasible trials to be compared at all


def test_evenly_tuned_values_raise_nothing(tmp_path):
    keys, (_, a) = _probe(tmp_path, "calm")
    assert "isolation.tuning_uneven" not in keys
    assert not any("tuned less" in c for c in a.decision.caveats)


def test_a_nuisance_that_applies_to_one_value_only_is_not_compared_across_values():
    book = load_logbook(REPO / "logbook")
    for sid in ("nesterov-vs-adam-digits", "sgd-vs-adam-fashion", "weight-decay-fashion"):
        s = book.study(sid)
        a = analyze_study(s.spec, list(s.trials_at(s.spec.revision)))
        assert "isolation.tuning_uneven" not in {f.key for f in a.findings}, sid


def test_a_decision_between_batch_sizes_at_fixed_steps_carries_the_examples_caveat(tmp_path):
    keys, (_, a) = _probe(tmp_path, "batch-fixed-steps")
    assert "design.batch_size_fixed_steps" in keys
    assert any("the largest saw 4x the examples of the smallest" in c for c in a.decision.caveats)

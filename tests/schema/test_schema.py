"""The record schema: round trips (NaN included) and each validator."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import ValidationError

from reportgen.schema import Curves, Hyperparameter, StudySpec, TrialRecord
from reportgen.store import dumps_record
from tests.conftest import make_spec, make_trial


def test_trial_round_trip_keeps_nan_and_inf():
    t = make_trial(
        status="diverged",
        status_reason="non-finite train loss at step 100",
        curves=Curves(
            step=[0, 50, 100],
            train_loss=[2.3, 40.0, math.nan],
            valid_loss=[2.3, math.inf, -math.inf],
            valid_error=[0.9, 0.8, math.nan],
            learning_rate=[0.1, 0.1, 0.1],
            grad_norm=[1.0, 1e6, math.inf],
        ),
        best=None,
        final_value=None,
    )
    text = dumps_record(t)
    json.loads(text)  # strict JSON: non-finite values are strings, not bare NaN
    assert "NaN" in text and "Infinity" in text
    back = TrialRecord.model_validate_json(text)
    assert math.isnan(back.curves.train_loss[2])
    assert back.curves.valid_loss[1:] == [math.inf, -math.inf]
    assert dumps_record(back) == text


def test_spec_round_trip_through_json():
    spec = make_spec()
    assert StudySpec.model_validate_json(spec.model_dump_json()) == spec


def test_models_are_frozen_and_forbid_extra_fields():
    t = make_trial()
    with pytest.raises(ValidationError):
        t.status = "failed"
    with pytest.raises(ValidationError, match="Extra inputs"):
        TrialRecord.model_validate({**json.loads(t.model_dump_json()), "surprise": 1})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scale": "linear", "low": 2.0, "high": 1.0}, "out of order"),
        ({"scale": "linear", "low": 0.0, "high": math.inf}, "finite"),
        ({"scale": "log", "low": 0.0, "high": 1.0}, "positive"),
        ({"scale": "log", "low": -1.0, "high": 1.0}, "positive"),
        ({"scale": "categorical", "values": []}, "non-empty"),
        ({"scale": "categorical", "values": ["a", "a"]}, "duplicates"),
        ({"scale": "discrete", "values": [1, "two"]}, "numbers"),
        ({"scale": "linear"}, "needs 'low' and 'high'"),
    ],
)
def test_hyperparameter_validators(fields, message):
    with pytest.raises(ValidationError, match=message):
        Hyperparameter(name="x", role="nuisance", **fields)


def test_fixed_hyperparameter_needs_value_only():
    with pytest.raises(ValidationError, match="needs 'value'"):
        Hyperparameter(name="x", role="fixed")
    with pytest.raises(ValidationError, match="value' only"):
        Hyperparameter(name="x", role="fixed", value=1, low=0, high=2)
    assert Hyperparameter(name="x", role="fixed", value=3).contains(3)


def test_spec_names_unique():
    hp = {"name": "lr", "role": "nuisance", "scale": "log", "low": 1e-4, "high": 1e-1}
    with pytest.raises(ValidationError, match="more than once"):
        make_spec(search_space=[hp, hp])


@pytest.mark.parametrize("bad", ["../x", "a/b", "", ".", "..", ".hidden", "a b", "x" * 200, "/abs"])
def test_ids_must_be_one_safe_path_component(bad):
    with pytest.raises(ValidationError, match="study_id"):
        make_spec(study_id=bad)
    with pytest.raises(ValidationError, match="trial_id"):
        make_trial(trial_id=bad)


def test_curves_steps_increase_and_columns_agree():
    cols = dict(
        train_loss=[1.0, 1.0],
        valid_loss=[1.0, 1.0],
        valid_error=[1.0, 1.0],
        learning_rate=[1.0, 1.0],
        grad_norm=[1.0, 1.0],
    )
    with pytest.raises(ValidationError, match="strictly increasing"):
        Curves(step=[5, 5], **cols)
    with pytest.raises(ValidationError, match="has 1 values"):
        Curves(step=[0, 1], **{**cols, "grad_norm": [1.0]})


def test_status_consistent_with_curves():
    with pytest.raises(ValidationError, match="mark it diverged"):
        make_trial(
            curves=make_trial().curves.model_copy(update={"train_loss": [2.3, math.nan, 0.4]})
        )
    with pytest.raises(ValidationError, match="needs a 'status_reason'"):
        make_trial(status="failed")
    with pytest.raises(ValidationError, match="'best' is missing"):
        make_trial(best=None)
    with pytest.raises(ValidationError, match="not one of the recorded steps"):
        make_trial(best={"step": 7, "value": 0.1})
    with pytest.raises(ValidationError, match="needs its 'group'"):
        make_trial(kind="retrain")


def test_conditional_parent_must_exist_and_be_categorical():
    space = [
        {
            "name": "optimizer",
            "role": "nuisance",
            "scale": "categorical",
            "values": ["adam", "nesterov"],
        },
        {
            "name": "nesterov.momentum",
            "role": "nuisance",
            "scale": "linear",
            "low": 0.8,
            "high": 0.99,
            "condition": {"parent": "optimizer", "values": ["nesterov"]},
        },
    ]
    assert (
        make_spec(search_space=space).hyperparameter("nesterov.momentum").condition.parent
        == "optimizer"
    )
    bad = [space[0], {**space[1], "condition": {"parent": "optimizer", "values": ["sgd"]}}]
    with pytest.raises(ValidationError, match="not a value of 'optimizer'"):
        make_spec(search_space=bad)
    with pytest.raises(ValidationError, match="not in the search space"):
        make_spec(search_space=[space[1]])


def test_baseline_must_be_a_scientific_value():
    with pytest.raises(ValidationError, match="not scientific"):
        make_spec(baseline={"hyperparameter": "adam.learning_rate", "value": 0.001})
    with pytest.raises(ValidationError, match="not a value of 'width'"):
        make_spec(baseline={"hyperparameter": "width", "value": 33})
    assert make_spec(baseline={"hyperparameter": "width", "value": 64}).baseline.value == 64


def test_unknown_hyperparameter_lookup_names_known_ones():
    with pytest.raises(KeyError, match="known: optimizer, adam.learning_rate, width"):
        make_spec().hyperparameter("nope")


def test_records_from_names_an_earlier_revision_on_its_own_field():
    assert make_spec(revision=3, records_from=1).records_from == 1
    assert make_spec().records_from is None
    for bad in (3, 4):
        with pytest.raises(ValidationError) as e:
            make_spec(revision=3, records_from=bad)
        (err,) = e.value.errors()
        assert err["loc"] == ("records_from",)
        assert f"{bad} is not an earlier revision than this one (3)" in err["msg"]
    with pytest.raises(ValidationError):
        make_spec(revision=2, records_from=0)

"""Loaded records share what is the same in every record: field-name sets, empty curves."""

from __future__ import annotations

import sys

from reportgen.schema import TrialRecord
from reportgen.schema.trial import GRAD_STAT_COLUMNS
from reportgen.store import dumps_record
from reportgen.store.load import parse_trial
from tests.conftest import make_trial


def _loaded(n: int) -> list[TrialRecord]:
    out = []
    for i in range(n):
        raw = dumps_record(make_trial(trial_id=f"t{i:04d}", index=i, final_value=0.1 + i))
        trial, problems = parse_trial(raw.encode() if isinstance(raw, str) else raw, f"t{i}.json")
        assert problems == [] and trial is not None
        out.append(trial)
    return out


def _models(t: TrialRecord) -> list:
    return [t, t.seeds, t.curves, t.best, t.execution, t.provenance]


def test_loaded_records_share_their_field_sets_and_stay_their_own():
    a, b = _loaded(2)
    for x, y in zip(_models(a), _models(b), strict=True):
        assert x.model_fields_set is y.model_fields_set  # one set per shape, not per record
    assert sys.getsizeof(a.model_fields_set) > 1000  # what each record no longer pays for
    assert a.final_value == 0.1 and b.final_value == 1.1 and a.trial_id != b.trial_id
    # a copy with an update gets its own set: the other records' sets are untouched
    before = set(b.model_fields_set)
    c = a.model_copy(update={"not_a_field_name": 500})
    assert "not_a_field_name" in c.model_fields_set and c.model_fields_set is not a.model_fields_set
    assert b.model_fields_set == before and "not_a_field_name" not in a.model_fields_set
    assert TrialRecord.model_validate_json(dumps_record(a)) == a


def test_records_without_gradient_statistics_share_one_empty_read_only_column():
    a, b = _loaded(2)
    empties = [getattr(a.curves, n) for n in GRAD_STAT_COLUMNS]
    assert all(e is getattr(b.curves, n) for e, n in zip(empties, GRAD_STAT_COLUMNS, strict=True))
    assert empties[0] == [] and len(empties[0]) == 0
    try:
        empties[0].append(1.0)
    except TypeError as e:
        assert "read-only" in str(e)
    else:
        raise AssertionError("the shared empty column took a value")
    assert getattr(make_trial().curves, GRAD_STAT_COLUMNS[0]) is empties[0]

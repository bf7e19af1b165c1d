"""Curve columns: compact typed buffers that behave like the lists they were read from."""

from __future__ import annotations

import copy
import json
import math
import pickle
import sys

import numpy as np
import pytest
from pydantic import ValidationError

from reportgen.schema import TrialRecord
from reportgen.schema.columns import Column
from reportgen.schema.trial import Curves
from reportgen.store import dumps_record


def _curves(n: int = 4, **over: object) -> Curves:
    cols = {
        "step": list(range(10, 10 * n + 1, 10)),
        "train_loss": [1.0 / (i + 1) for i in range(n)],
        "valid_loss": [math.nan] + [0.5] * (n - 1),
        "valid_error": [0.3] * n,
        "learning_rate": [1e-3] * n,
        "grad_norm": [math.inf] * n,
    }
    return Curves(**(cols | over))


def test_columns_hold_eight_bytes_per_value_and_numpy_reads_them_without_a_copy():
    c = _curves(1000)
    assert isinstance(c.train_loss, Column) and c.train_loss.typecode == "d"
    assert isinstance(c.step, Column) and c.step.typecode == "q"
    as_list = c.train_loss.tolist()
    list_bytes = sys.getsizeof(as_list) + sum(sys.getsizeof(x) for x in as_list)
    assert c.train_loss.itemsize * len(c.train_loss) == 8000
    assert sys.getsizeof(c.train_loss) < list_bytes / 3
    view = np.asarray(c.train_loss)
    assert view.dtype == np.float64 and np.shares_memory(view, np.frombuffer(c.train_loss))
    assert view[0] == 1.0 and np.isnan(np.asarray(c.valid_loss)[0])


def test_columns_compare_slice_copy_and_pickle_like_lists():
    c = _curves()
    assert c.step == [10, 20, 30, 40] and c.step != [10, 20, 30]
    assert c.step[1:] == [20, 30, 40] and isinstance(c.step[1:], Column)
    assert c.step[-1] == 40 and isinstance(c.step[-1], int)
    assert c.grad_norm[2:] == [math.inf, math.inf]
    for other in (copy.copy(c.step), copy.deepcopy(c.step), pickle.loads(pickle.dumps(c.step))):
        assert isinstance(other, Column) and other == c.step
    again = pickle.loads(pickle.dumps(c))
    assert isinstance(again.train_loss, Column) and again.train_loss == c.train_loss
    assert repr(c.step) == "[10, 20, 30, 40]"


def test_json_round_trip_is_unchanged_lists_with_non_finite_strings():
    c = _curves()
    text = c.model_dump_json()
    data = json.loads(text)
    assert data["step"] == [10, 20, 30, 40]
    assert data["valid_loss"][0] == "NaN" and data["grad_norm"][0] == "Infinity"
    back = Curves.model_validate_json(text)
    assert back.step == c.step and back.train_loss == c.train_loss
    assert math.isnan(back.valid_loss[0])
    assert c.model_dump()["train_loss"] == c.train_loss.tolist()


def test_columns_and_numpy_arrays_validate_like_lists():
    c = _curves()
    again = Curves(**{k: getattr(c, k) for k in ("step", "train_loss", "valid_loss", "valid_error", "learning_rate", "grad_norm")})  # fmt: skip
    assert again.step == c.step and again.train_loss == c.train_loss
    assert isinstance(again.train_loss, Column) and again.train_loss is not c.train_loss
    from_numpy = _curves(step=np.array([10, 20, 30, 40]), train_loss=np.ones(4))
    assert from_numpy.train_loss == [1.0] * 4 and isinstance(from_numpy.step, Column)


def test_bad_columns_name_their_field():
    with pytest.raises(ValidationError) as e:
        _curves(step=[10, 20, 2**70, 40])
    assert "step" in str(e.value) and "64-bit" in str(e.value)
    with pytest.raises(ValidationError) as e:
        _curves(train_loss=[1.0, "fast", 2.0, 3.0])
    assert "train_loss" in str(e.value)
    with pytest.raises(ValidationError, match="steps must be strictly increasing"):
        _curves(step=[10, 20, 20, 40])


def test_a_record_written_from_columns_reads_back_identical(tmp_path):
    from reportgen.store import load_trial

    rec = TrialRecord.model_validate_json(_record_json())
    text = dumps_record(rec)
    path = tmp_path / "t.json"
    path.write_text(text)
    back, problems = load_trial(path)
    assert problems == [] and back is not None
    assert dumps_record(back) == text
    assert isinstance(back.curves.valid_error, Column)


def _record_json() -> str:
    from pathlib import Path

    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    return next(fixtures.rglob("trials/*.json")).read_text()


def test_columns_are_read_only_and_equal_step_columns_are_shared():
    c = _curves()
    for write in (
        lambda: c.train_loss.__setitem__(0, 5.0),
        lambda: c.train_loss.append(1.0),
        lambda: c.step.extend([50]),
        lambda: c.step.pop(),
    ):
        with pytest.raises(TypeError, match="read-only"):
            write()
    with pytest.raises(TypeError, match="read-only"):
        col = c.step
        col += Column("q", [50])
    assert c.step == [10, 20, 30, 40] and c.train_loss[0] == 1.0
    other = _curves()
    assert other.step is c.step  # one buffer for the trials' identical steps
    assert _curves(5).step is not c.step and _curves(5).step == [10, 20, 30, 40, 50]


def test_all_finite_clears_a_column_by_its_sum_and_survives_overflow():
    from reportgen.schema.columns import all_finite

    assert all_finite(Column("d", [0.5, -2.0, 1e300]))
    assert all_finite(Column("d", [1.7e308, 1.7e308]))  # the sum overflows; every value is finite
    for bad in ([1.0, math.nan], [math.inf, 1.0], [math.inf, -math.inf], [-math.inf]):
        assert not all_finite(Column("d", bad))
    assert all_finite(Column("d"))


def test_steps_are_checked_once_per_shared_column_and_bad_steps_always_fail():
    from reportgen.schema import columns

    good = _curves(5).step
    assert columns.strictly_increasing(good) and columns._increasing[0] is good
    assert _curves(5).step is good  # the next trial shares it and skips the loop
    for steps, message in (([10, 10, 20], "strictly increasing"), ([5, -1], "non-negative"),
                           ([-3, 1], "non-negative")):  # fmt: skip
        for _ in range(2):  # a refused column is not remembered as checked
            with pytest.raises(ValidationError, match=message):
                _curves(len(steps), step=steps)
    assert not columns.strictly_increasing([3, 2])

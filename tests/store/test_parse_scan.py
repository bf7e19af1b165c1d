"""The scan before the fast parse: duplicate keys and over-long integers, whatever the arrays hold."""

from __future__ import annotations

import re

import pytest

from reportgen.schema.limits import MAX_INT_DIGITS
from reportgen.store.parse import _long_number_at, json_problems

CURVE = "[" + ", ".join(["0.25", '"NaN"', "1e-05", '"-Infinity"', '"Infinity"'] * 200) + "]"


def dup(raw: str) -> bool:
    return any("duplicate key" in p.message for p in json_problems(raw.encode(), "t.json"))


def test_duplicate_key_after_arrays_with_non_finite_values_is_found():
    curves = f'"train_loss": {CURVE}, "valid_loss": {CURVE}'
    assert dup('{"curves": {' + curves + ', "train_loss": [1]}}')
    assert not dup('{"curves": {' + curves + "}}")


@pytest.mark.parametrize("second", ['"[\\u0031]"', '"\\u005b1]"', '"[1\\u005d"'])
def test_the_same_key_written_with_escapes_is_a_duplicate(second):
    # "[1]" blanked to "[]" must not hide that both keys are "[1]"
    assert dup(f'{{"[1]": {CURVE}, {second}: 2}}')


def test_keys_that_differ_only_inside_brackets_are_not_duplicates():
    assert not dup('{"beta[1]": 0.9, "beta[2]": 0.999, "c": "[1, 2]", "d": "[1, 3]"}')


def test_many_arrays_still_scanned():
    body = ", ".join(f'"k{i}": [{i}]' for i in range(3000))
    assert dup("{" + body + ', "k7": [1]}')
    assert not dup("{" + body + "}")


def test_long_number_at_matches_a_plain_scan():
    naive = re.compile(rb"[0-9]{%d}" % (MAX_INT_DIGITS + 1))
    for length in (MAX_INT_DIGITS - 1, MAX_INT_DIGITS, MAX_INT_DIGITS + 1, 2 * MAX_INT_DIGITS):
        for before in (0, 1, 2149, 2150, 2151, 5000):
            for after in (0, 1, 3000):
                raw = b"a" * before + b"7" * length + b", 0.5" * after
                m = naive.search(raw)
                assert _long_number_at(raw) == (m.start() if m else -1), (length, before, after)

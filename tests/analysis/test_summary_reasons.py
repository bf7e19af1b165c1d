"""Infeasible trials are counted by the kind of their reason, not its exact numbers."""

from reportgen.analysis.summary import reason_kind


def test_reason_kind_masks_numbers():
    assert (
        reason_kind("train loss exploded to 259.9 (limit 50) at step 2")
        == "train loss exploded to N (limit N) at step N"
    )
    assert reason_kind("non-finite train loss at step 1e3") == "non-finite train loss at step N"
    assert reason_kind("out of memory") == "out of memory"

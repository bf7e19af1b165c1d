"""The records of a study are left out of the collector's full passes only while they are used."""

from __future__ import annotations

import gc
import weakref

import pytest

from reportgen.store.long_lived import records_settled


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_objects_from_before_are_frozen_within_and_rejoin_after() -> None:
    kept = [{"trial": i} for i in range(1000)]
    assert gc.get_freeze_count() == 0
    with records_settled():
        inside = gc.get_freeze_count()
        assert inside >= len(kept)  # every object alive on entry, the records among them
    assert gc.get_freeze_count() == 0


def test_the_collector_is_given_back_after_an_error() -> None:
    with pytest.raises(RuntimeError), records_settled():
        raise RuntimeError("a failed analysis")
    assert gc.get_freeze_count() == 0


def test_cycles_made_inside_are_still_collected() -> None:
    with records_settled():
        gc.collect()
        _Node()  # garbage as soon as it is made, kept alive only by its own cycle
        assert gc.collect() >= 1


def test_young_garbage_of_loading_is_collected_not_frozen() -> None:
    gone = weakref.ref(_Node())  # garbage from before the block (the temporaries of loading)
    with records_settled():
        assert gone() is None  # collected on entry, not kept for good by the freeze

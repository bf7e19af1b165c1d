"""Loaded records stay alive while a study is analysed and rendered: keep the collector off them.

A study of 10 000 trials is about a million Python objects (models, dicts, columns). Each full
pass of CPython's cyclic garbage collector walks every one of them, and analysing or rendering
the study allocates enough to set off several such passes (0.3 s each for 10 000 × 1000 on the
2-core machine, a sixth of the analysis). Records hold no reference cycles, so leaving what
exists at the start of the work out of those passes (``gc.freeze``) loses nothing: an object
that is no longer referenced is still freed at once by its reference count. On the way out,
the objects rejoin the collector (``gc.unfreeze``), so a long-lived process (``reportgen
serve``) keeps nothing it would otherwise have collected.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def records_settled() -> Iterator[None]:
    """Within the block, objects that exist on entry are left out of cyclic collections."""
    gc.collect(1)  # the young garbage of loading goes now, not into the frozen set
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()

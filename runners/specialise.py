"""Which regularisers a group's program leaves out: those at 0 in every trial of the group.

Every hyperparameter is traced, so trials with different values share one compiled program. A
regulariser that is 0 everywhere still costs its work in a traced program: dropout at rate 0
draws a random mask per activation per step, which on the digits MLP took more time than the
training itself (`bench/runner_throughput.py`). A group whose trials all set it to 0 gets a
program without it; the numbers are the same (a mask of ones, a clip at infinity, a decay of
0, labels smoothed by 0), and the program is compiled once per such set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

REGULARISERS = ("dropout", "grad_clip", "weight_decay", "label_smoothing")


def compiled_out(traced: Sequence[Mapping[str, float]]) -> frozenset[str]:
    """The regularisers that every trial of ``traced`` sets to 0 (or leaves out)."""
    return frozenset(
        name for name in REGULARISERS if all(float(t.get(name, 0.0)) == 0.0 for t in traced)
    )

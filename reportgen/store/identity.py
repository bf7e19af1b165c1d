"""Who a trial is: its id in the search and its seeds. The one derivation that the runners,
`reportgen suggest` and the trial logger all use, so a point trained by any of them is the
same trial with the same seeds."""

from __future__ import annotations

import numpy as np

from reportgen.schema import Seeds


def derive_seeds(sampler_seed: int, index: int, seed_index: int = 0) -> Seeds:
    """Init, data-order and dropout seeds from (sampler seed, trial index, seed index): the one
    derivation of the runners, `suggest` and the logger."""
    s = np.random.SeedSequence([sampler_seed, index, seed_index]).generate_state(3)
    return Seeds(init=int(s[0]), data_order=int(s[1]), sampler=sampler_seed, dropout=int(s[2]))


def search_trial_id(revision: int, seed: int, index: int) -> str:
    """The id of search trial ``index`` of a revision's sampler seed (runners and `suggest`)."""
    return f"r{revision}-s{seed}-{index:04d}"

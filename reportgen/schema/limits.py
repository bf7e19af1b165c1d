"""Limits on what one study may hold. `reportgen check` enforces them; pages stay small near them.

They bound the memory and time of `check`, `build` and `review` and the size of a study page.
Real studies sit far below them; a record beyond them is almost always a mistake or an attack.
"""

from __future__ import annotations

MAX_RECORD_BYTES = 16 * 1024 * 1024
"""Largest trial file. Checked on the file's size before it is read, then while reading."""

MAX_SPEC_BYTES = 1024 * 1024
"""Largest study.yaml (or revisions/r<N>.yaml): specs are written by hand."""

MAX_HYPERPARAMETERS = 100
"""Hyperparameters in one study's search space."""

MAX_TRIALS_PER_STUDY = 100_000
"""Trial files in one study, every revision and kind together. A loaded trial costs about 3.5 KB
besides its curves (`bench/big_study.py --trials 100000 --points 100` builds in about 2 GB); its
page stays small at any count (dense charts above 200 trials)."""

MAX_EVALUATIONS_PER_STUDY = 20_000_000
"""Curve points of one study, summed over its trials. Curves are held as 8-byte columns
(`schema.columns`): a study of 10 000 trials x 1000 evaluations (10 million) builds in under
1 GB (`bench/big_study.py`)."""

MAX_CURVE_POINTS = 10_000
"""Evaluations per curve (``max_train_steps / eval_every`` points at most)."""

MAX_INT_DIGITS = 4300
"""Digits of one integer in a record (Python refuses to convert longer ones)."""

EARLIEST_TIME = "1970-01-01T00:00:00+00:00"
LATEST_TIME = "2106-02-07T06:28:15+00:00"
"""Trial times must fit the 32-bit unsigned seconds of gzip and zip headers."""

PAGE_TABLE_ROWS = 50
"""Rows a study page lists in one table before it summarises the rest."""

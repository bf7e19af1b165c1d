"""Search: which hyperparameter values each trial of a study gets.

- ``quasi_random``: scrambled Halton (`runners.search.halton`) seeded by the spec's
  ``search.seed``; scientific categorical/discrete values are covered uniformly;
- ``grid`` and ``manual``: `runners.search.grid`;
- ``bayesian``: Optuna's TPE through ask/tell (`runners.search.bayesian`), driven by the
  study runner because each batch depends on the results of the earlier ones.
"""

from runners.search.points import SampledPoint, sample_points

__all__ = ["SampledPoint", "sample_points"]

"""Analysis of a study: pure functions over validated records, returning result models.

``analyze_study`` (in ``study_analysis``) runs every piece in a fixed order; the pieces live in
small modules (``summary``, ``boundaries``, ``stability``, ``infeasible``, ``density``,
``curves``, ``design``, ``isolation``, ``variance``, ``launch``) and can be used on their own.
No I/O happens here, every random draw comes from
``numpy.random.default_rng(policy.random_seed)``, and the order of everything returned is
deterministic.
"""

from reportgen.analysis.study_analysis import analyze_study

__all__ = ["analyze_study"]

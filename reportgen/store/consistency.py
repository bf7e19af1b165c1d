"""Consistency of trial records with their spec, their own curve and their source (pure; no I/O).

- a value written as a float (``2.0``) where the spec lists integers is rejected, with the fix:
  otherwise it passes as "in range" and then matches none of the spec's values on the page;
- ``best`` must be what the curve says: the objective's value at ``best.step``, and no finite
  evaluation better than it (in the study's direction);
- a retrain must not repeat the seeds of the trial it copies, or it measures nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from reportgen.errors import Problem
from reportgen.schema import Direction, Scale, StudySpec, TrialKind, TrialRecord
from reportgen.schema.columns import all_finite


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def trial_consistency(trial: TrialRecord, spec: StudySpec, shown: str) -> list[Problem]:
    """Integer-valued hyperparameters written as floats; ``best`` against the objective curve."""
    out: list[Problem] = []
    for hp in spec.search_space:
        value = trial.hyperparameters.get(hp.name)
        allowed = hp.values if hp.values is not None else [hp.value]
        ints = [v for v in allowed if isinstance(v, int) and not isinstance(v, bool)]
        if (
            isinstance(value, float)
            and value.is_integer()
            and ints
            and len(ints) == len(allowed)
            and hp.scale in (Scale.DISCRETE, Scale.CATEGORICAL, Scale.LINEAR)
        ):
            out.append(
                Problem(
                    shown,
                    None,
                    f"hyperparameters.{hp.name}",
                    f"{value!r} is a float where the spec's values {allowed} are integers; "
                    f"write {int(value)}",
                )
            )
    if trial.best is None:
        return out
    try:
        col = trial.curves.column(spec.objective.metric)
    except KeyError:
        return out  # the analysis reports a missing objective curve by name
    i = trial.curves.index_of(trial.best.step)
    at = None if i is None else col[i]
    if at is not None and not _close(at, trial.best.value):
        out.append(
            Problem(
                shown,
                None,
                "best.value",
                f"{trial.best.value!r} differs from {spec.objective.metric} at step "
                f"{trial.best.step} ({at!r})",
            )
        )
        return out
    # Only the most extreme finite value (at its first step) can be the one to report: when it
    # is close to best, so is every value between them. min/max/index run in C.
    minimize = spec.objective.direction is Direction.MINIMIZE
    finite = col if all_finite(col) else filter(math.isfinite, col)
    v = (min if minimize else max)(finite, default=None)
    if v is None:
        return out
    better = v < trial.best.value if minimize else v > trial.best.value
    if better and not _close(v, trial.best.value):
        s = trial.curves.step[col.index(v)]
        out.append(
            Problem(
                shown,
                None,
                "best.value",
                f"{trial.best.value!r} is not the best of {spec.objective.metric}: step {s} "
                f"has {v!r}",
            )
        )
    return out


def repeated_seed_problems(
    trials: Sequence[TrialRecord], shown_of: Mapping[str, str]
) -> list[Problem]:
    """Retrains whose init, data-order and dropout seeds equal those of their source trial."""
    by_id = {t.trial_id: t for t in trials}
    out = []
    for t in trials:
        if t.kind is not TrialKind.RETRAIN:
            continue
        source = by_id.get(t.group)
        if source is None or source.trial_id == t.trial_id:
            continue
        same = (t.seeds.init, t.seeds.data_order, t.seeds.dropout) == (
            source.seeds.init,
            source.seeds.data_order,
            source.seeds.dropout,
        )
        if same:
            out.append(
                Problem(
                    shown_of.get(t.trial_id, t.trial_id),
                    None,
                    "seeds",
                    f"a retrain of {source.trial_id} repeats its seeds (init {t.seeds.init}, "
                    f"data order {t.seeds.data_order}); a retrain needs new seeds to measure "
                    f"trial variance",
                )
            )
    return out

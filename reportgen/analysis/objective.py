"""The objective value of each trial, and the 'lower is better' score the checks compare.

The value is ``spec.objective.metric`` over the trial's curves, best over training (min or max
by direction) or the final evaluation, per ``spec.objective.mode``. Infeasible trials (diverged or
failed, or a curve with no finite value) have no value. Internally every check works on the score
``sign * value`` with ``sign = +1`` to minimise and ``-1`` to maximise, so that lower is better
and an infeasible trial scores ``+inf``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from reportgen.errors import ReportgenError
from reportgen.schema import Direction, Objective, ObjectiveMode, TrialRecord
from reportgen.schema.study import CompareAt, StudySpec


def direction_sign(direction: Direction) -> float:
    """+1 when lower is better, -1 when higher is better."""
    return 1.0 if direction is Direction.MINIMIZE else -1.0


def curve(trial: TrialRecord, name: str) -> np.ndarray:
    """One curve of a trial as a float array; a missing curve is a clear error naming the trial."""
    try:
        values = np.asarray(trial.curves.column(name), dtype=float)
    except KeyError as e:
        raise ReportgenError(f"trial {trial.trial_id}: {e.args[0]}") from None
    values.flags.writeable = False  # a view of the record's own buffer (schema.columns)
    return values


@dataclass(frozen=True)
class ScoredTrials:
    """Trials with their objective values, in the order given."""

    trials: tuple[TrialRecord, ...]
    values: np.ndarray  # objective in its own units; NaN when infeasible
    scores: np.ndarray  # sign * value: lower is better; +inf when infeasible
    best_steps: tuple[int | None, ...]
    sign: float
    score_curves: tuple[np.ndarray | None, ...]  # sign * objective curve of feasible trials
    finite_curves: tuple[bool, ...]  # whether each score curve is finite throughout (no: None)
    # ``compare_at: equal_examples``: the last step each trial is scored at (`example_limits`)
    limits: Mapping[str, int] = field(default_factory=dict)
    # what checks derive from these trials once and share (``density.eval_std_of``)
    views: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @cached_property  # read per trial in many loops: computed once (the fields are frozen)
    def feasible(self) -> np.ndarray:
        out = np.isfinite(self.scores)
        out.flags.writeable = False
        return out

    def __len__(self) -> int:
        return len(self.trials)

    def subset(self, mask: np.ndarray) -> ScoredTrials:
        idx = np.flatnonzero(mask)
        return ScoredTrials(
            tuple(self.trials[i] for i in idx),
            self.values[idx],
            self.scores[idx],
            tuple(self.best_steps[i] for i in idx),
            self.sign,
            tuple(self.score_curves[i] for i in idx),
            tuple(self.finite_curves[i] for i in idx),
            self.limits,
        )

    def scored_curve(self, i: int) -> np.ndarray | None:
        """Trial ``i``'s score curve up to the last step it is scored at: the whole curve, or
        (``compare_at: equal_examples``) the evaluations within its examples budget. Every
        score derived from a curve (the late-half mean, its noise) reads this, not the whole
        curve that the charts draw."""
        y = self.score_curves[i]
        limit = self.limits.get(self.trials[i].trial_id)
        if y is None or limit is None:
            return y
        return y[: int(np.searchsorted(np.asarray(self.trials[i].curves.step), limit, "right"))]

    def ranking(self) -> np.ndarray:
        """Indices of the feasible trials, best first; ties broken by trial id."""
        return self._ranking.copy()

    @cached_property
    def _ranking(self) -> np.ndarray:
        idx = np.flatnonzero(self.feasible)
        if idx.size == 0:
            return idx.astype(int)
        ids = np.array([self.trials[i].trial_id for i in idx])
        # lexsort: the last key sorts first (score, then trial id: str order, as sorted() has)
        return idx[np.lexsort((ids, self.scores[idx]))].astype(int)


def _batch(trial: TrialRecord) -> int | None:
    b = trial.hyperparameters.get("batch_size")
    return int(b) if isinstance(b, int | float) and not isinstance(b, bool) and b > 0 else None


def examples_budget(spec: StudySpec) -> int | None:
    """``compare_at: equal_examples``: the examples every trial is scored after, the smallest
    budget among the study's batch sizes (max_train_steps × batch size); None otherwise."""
    if spec.objective.compare_at is not CompareAt.EQUAL_EXAMPLES or not spec.batch_sizes:
        return None
    return spec.max_train_steps * spec.batch_sizes[0]


def example_limits(trials: Sequence[TrialRecord], examples: int | None) -> dict[str, int]:
    """The last step each trial is scored at, so that it has seen at most ``examples`` training
    examples (trials without a recorded batch size are not limited)."""
    if examples is None:
        return {}
    return {t.trial_id: examples // b for t in trials if (b := _batch(t)) is not None}


def score_trials(
    trials: Sequence[TrialRecord], objective: Objective, examples: int | None = None
) -> ScoredTrials:
    """Each trial's objective value. With ``examples`` (`examples_budget`) the value is taken
    over the evaluations up to the step where the trial has seen that many examples; the score
    curves stay whole (they are drawn and diagnosed as trained)."""
    sign = direction_sign(objective.direction)
    limits = example_limits(trials, examples)
    n = len(trials)
    values = np.full(n, np.nan)
    best_steps: list[int | None] = []
    score_curves: list[np.ndarray | None] = []
    finite_curves: list[bool] = []
    for i, trial in enumerate(trials):
        if not trial.feasible:
            best_steps.append(trial.best.step if trial.best is not None else None)
            score_curves.append(None)
            finite_curves.append(False)
            continue
        y = curve(trial, objective.metric)  # read-only view of the record's column
        if sign != 1.0:
            y = sign * y  # a copy only when maximising (10 000 × 1000 curves: 80 MB)
            y.flags.writeable = False  # read-only either way
        finite = np.isfinite(y)
        score_curves.append(y)
        finite_curves.append(bool(finite.all()))
        if not finite.any():
            best_steps.append(None)
            continue
        if trial.trial_id in limits:  # evaluations past the equal-examples step do not count
            inside = np.asarray(trial.curves.step) <= limits[trial.trial_id]
            finite = finite & inside
            last = int(np.flatnonzero(inside)[-1]) if inside.any() else -1
        else:
            last = len(y) - 1
        if not finite.any():
            best_steps.append(None)
            continue
        masked = np.where(finite, y, np.inf)
        b = int(np.argmin(masked))
        best_steps.append(trial.curves.step[b])
        if objective.mode is ObjectiveMode.BEST_OVER_TRAINING:
            values[i] = sign * masked[b]
        elif last >= 0 and finite[last]:
            values[i] = sign * y[last]
    scores = np.where(np.isfinite(values), sign * values, np.inf)
    return ScoredTrials(
        tuple(trials), values, scores, tuple(best_steps), sign, tuple(score_curves),
        tuple(finite_curves), limits,
    )  # fmt: skip

"""The objective of a study: which metric, which direction is better, and how a trial is scored
(best over training or final). Shared by the spec (``StudySpec.objective``) and its trade-offs."""

from __future__ import annotations

from enum import StrEnum

from reportgen.schema.common import Model


class Direction(StrEnum):
    MINIMIZE = "minimize"
    MAXIMIZE = "maximize"


class ObjectiveMode(StrEnum):
    BEST_OVER_TRAINING = "best_over_training"
    FINAL = "final"


class CompareAt(StrEnum):
    """Where along training each trial is scored: at its own last step, or (batch-size studies)
    after the examples the smallest-budget batch size saw, so no arm trains on more data."""

    EQUAL_STEPS = "equal_steps"
    EQUAL_EXAMPLES = "equal_examples"


class Objective(Model):
    metric: str = "valid_error"
    direction: Direction = Direction.MINIMIZE
    mode: ObjectiveMode = ObjectiveMode.BEST_OVER_TRAINING
    compare_at: CompareAt = CompareAt.EQUAL_STEPS

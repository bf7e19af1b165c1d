"""A study's request for Orbax checkpoints (``checkpoints:`` in ``study.yaml``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from reportgen.schema.common import Model


class CheckpointKeep(StrEnum):
    """What stays on disk once a group of trials has its records."""

    BEST = "best"  # each trial's best parameters; the group's training states are deleted
    EVERY = "every"  # also every saved training state of the group (whole state, every trial)


class Checkpoints(Model):
    """Orbax checkpoints while the runners train (off unless a study asks for them).

    The group's whole training state (and its curves so far) is saved at every
    ``every_evals``-th eval and at its last one, so ``reportgen run --resume`` continues a killed
    group from there; when the group ends each trial's best parameters (best by the objective
    over every eval: retrospective checkpoint selection) are saved and its record names them."""

    keep: CheckpointKeep = CheckpointKeep.BEST
    every_evals: int = Field(default=1, ge=1, description="save the training state every k-th eval")


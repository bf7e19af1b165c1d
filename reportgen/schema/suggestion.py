"""A point handed out by ``reportgen suggest`` to an external training loop.

Persisted beside the study (``<study>/.suggested/<trial_id>.json``, hidden) until the trial is
written, so the logger and ``reportgen complete`` write exactly the values, index and seeds
that were handed out.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from reportgen.schema.common import SCHEMA_VERSION, HparamName, Model, SafeId, Scalar
from reportgen.schema.trial import Seeds, TrialKind


class Suggestion(Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    study_id: SafeId
    study_revision: int = Field(ge=1)
    trial_id: SafeId
    kind: TrialKind = TrialKind.SEARCH
    group: str = ""
    index: int = Field(ge=0)
    hyperparameters: dict[HparamName, Scalar]
    unit_coords: list[float] | None = None
    seeds: Seeds
    owner: str = Field(min_length=1, description="who holds the claim on this trial")
    handout: int = Field(
        default=1,
        ge=1,
        description="how many times this point has been handed out (more than 1: an earlier "
        "claim ran out and the point went to a new owner, who must name itself to write it)",
    )
    lease_seconds: float = Field(gt=0)
    created_utc: dt.datetime

"""A study that replicates a published result: the paper's claim and setting as the spec states
them, and whether this study's own evidence agrees (the analysis result)."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from reportgen.schema.common import Model


class ReplicationTest(StrEnum):
    """How the study's evidence is held against the claim."""

    # steps to a target fall with the batch size, roughly perfectly at first, then stop falling
    BATCH_SCALING = "batch_scaling"
    # the largest learning rate that trains grows with warmup (the stable range widens)
    WARMUP_STABLE_RANGE = "warmup_stable_range"
    # the more general optimizer (the candidate) is no worse than the one it includes (baseline)
    INCLUSION = "inclusion"


class Replication(Model):
    """In a study spec: the published result this study sets out to reach on its own."""

    paper: str = Field(min_length=1)  # authors, year, title, venue
    url: str = ""
    claim: str = Field(min_length=1)  # the paper's finding, in our words
    setting: str = Field(min_length=1)  # the paper's data, model and budget
    changes: str = Field(min_length=1)  # what this study changed (data, model, budget)
    test: ReplicationTest
    paper_number: str = ""  # the paper's key number, shown beside ours


class ReplicationResult(Model):
    """What the study's own evidence says about the claim."""

    verdict: Literal["agrees", "disagrees", "inconclusive"]
    reason: str
    our_number: str = ""  # this study's key number (e.g. the batch size where scaling stops)

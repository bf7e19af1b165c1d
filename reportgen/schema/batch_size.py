"""Choosing the batch size: the throughput probe's record, the steps-to-result target a study
fixes in advance, and what the analysis makes of both.

- ``StepsToResult`` is part of a study spec: the validation target, fixed before the study runs,
  that every batch size's tuned trials race to (Shallue et al.'s steps-to-result measure);
- ``ThroughputRecord`` is ``logbook/<study>/throughput.json``, written by ``reportgen
  throughput``: the steady-state step time of one trial at each batch size on the device it
  ran on, with the batch gathered from the training set (the input pipeline included) and with
  one fixed batch already on the device (the pipeline left out), and the gather alone;
- ``BatchSizeView`` is the analysis result the page draws.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from reportgen.schema.common import SCHEMA_VERSION, Model, SafeId

THROUGHPUT_FILE = "throughput.json"


class StepsToResult(Model):
    """The target every batch size is raced to, fixed in the spec before the study runs."""

    target: float = Field(description="objective value to reach (on the objective's metric)")
    note: str = ""


class ThroughputPoint(Model):
    """One batch size measured by the throughput probe (times are medians over the repeats)."""

    batch_size: int = Field(gt=0)
    oom: bool = False  # the device ran out of memory: no times
    step_seconds: float | None = Field(default=None, gt=0)  # batch gathered from the train set
    synthetic_step_seconds: float | None = Field(default=None, gt=0)  # one fixed on-device batch
    input_seconds: float | None = Field(default=None, ge=0)  # the gather alone, per step

    @model_validator(mode="after")
    def _times(self) -> ThroughputPoint:
        if not self.oom and self.step_seconds is None:
            raise ValueError("step_seconds: required unless oom is true")
        return self

    @property
    def examples_per_second(self) -> float | None:
        return self.batch_size / self.step_seconds if self.step_seconds else None


class ThroughputRecord(Model):
    """``throughput.json``: one run of the throughput probe."""

    schema_version: Literal[1] = SCHEMA_VERSION
    study_id: SafeId
    measured_at: dt.datetime
    device: str = Field(min_length=1)  # as recorded on trials: "cpu (2 cores)", "gpu:NVIDIA H100"
    device_count: int = Field(default=1, ge=1)
    steps: int = Field(gt=0)  # steps timed per repeat (compile and a warm-up call excluded)
    repeats: int = Field(gt=0)
    command: str = ""
    points: list[ThroughputPoint] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ThroughputRecord:
        sizes = [p.batch_size for p in self.points]
        if sizes != sorted(set(sizes)):
            raise ValueError("points: batch sizes must be distinct and increasing")
        return self


# --------------------------------------------------------------------------- analysis results


class ThroughputRow(Model):
    """One batch size of the throughput table, with what it gains over the previous size."""

    batch_size: int
    oom: bool = False
    step_seconds: float | None = None
    examples_per_second: float | None = None
    synthetic_examples_per_second: float | None = None  # on one fixed batch already on device
    scaling_efficiency: float | None = None  # throughput gain / batch gain from the previous row
    input_share: float | None = None  # (step - synthetic step) / step: the input pipeline's share


class ScalingRow(Model):
    """One batch size of the steps-to-result race."""

    batch_size: int
    trials: int  # feasible trials at this batch size
    steps: int | None = None  # fewest steps at which any of them reached the target
    trial_id: str | None = None  # the trial that got there first
    perfect_steps: float | None = None  # the smallest batch's steps scaled by batch ratio
    efficiency: float | None = None  # step reduction / batch increase from the previous size
    seconds: float | None = None  # steps x step time from the throughput probe, when measured


class BatchSizeView(Model):
    """What the page's batch-size section shows."""

    batch_hyperparameter: str
    throughput: list[ThroughputRow] = Field(default_factory=list)
    throughput_device: str = ""
    throughput_steps: int | None = None
    largest_raising_throughput: int | None = None  # the last size that still raised examples/s
    target: float | None = None
    metric: str = ""
    rows: list[ScalingRow] = Field(default_factory=list)
    perfect_until: int | None = None  # last batch of the perfect-scaling regime (from the smallest)
    largest_scaling: int | None = None  # the largest batch that still cut the steps needed
    fastest: int | None = None  # the batch reaching the target in the least time (when timed)

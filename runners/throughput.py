"""The throughput probe: steady-state training step time of one trial per batch size.

For each batch size, one trial of the study (its fixed values, the middle of each searched
range) is compiled as the runners compile it (``Program.segment``: ``lax.scan`` over the steps,
the batch gathered inside the program) and timed three ways, each after a warm-up call so that
compilation is excluded:

- **step**: batches gathered from the whole training set, as in a real run;
- **synthetic step**: the same program training on one fixed batch already on the device, so no
  batch is gathered (the input pipeline left out: an input-bound run shows a large gap);
- **input**: the gather alone, the same number of times.

The three are timed in turn, round robin over the repeats, so that a slow spell of a shared
machine falls on all three alike; each figure is the median of its repeats.

The validation set is cut to one example for the probe, so the one evaluation at the end of a
timed segment costs next to nothing. A batch size that runs out of device memory is recorded as
``oom`` and the larger ones are not tried.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np

from reportgen.schema import Scale, StudySpec
from reportgen.schema.batch_size import ThroughputPoint, ThroughputRecord
from runners.device_data import device_data
from runners.group_size import device_label
from runners.trial_config import resolve
from runners.vectorised import GroupPlan, Program
from runners.workloads import Dataset, Workload


def middle_values(spec: StudySpec) -> dict[str, object]:
    """One trial's values: the middle of each searched range (geometric on a log scale), the
    first of each list. Step time does not depend on them, only on the shapes."""
    out: dict[str, object] = {}
    for hp in spec.varied:
        if hp.scale is Scale.LOG:
            out[hp.name] = float(np.sqrt(hp.low * hp.high))  # type: ignore[operator]
        elif hp.scale is Scale.LINEAR:
            out[hp.name] = (hp.low + hp.high) / 2  # type: ignore[operator]
        else:
            out[hp.name] = (hp.values or [None])[0]
    return out


def _fixed_batch(key, x_train, y_train, batch_size: int, cfg):  # type: ignore[no-untyped-def]
    """The synthetic input: the first ``batch_size`` rows, the same at every step."""
    return x_train[:batch_size], y_train[:batch_size]


def _median_seconds(runs: Sequence[Callable[[], object]], repeats: int) -> list[float]:
    """Median wall seconds of each of ``runs``, timed in turn (round robin) so that a slow
    spell of the machine falls on all of them alike, after one warm-up call each."""
    for run in runs:
        jax.block_until_ready(run())  # warm-up: compile and first call
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for k, run in enumerate(runs):
            t0 = time.perf_counter()
            jax.block_until_ready(run())
            times[k].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def _is_oom(e: Exception) -> bool:
    text = str(e)
    return "RESOURCE_EXHAUSTED" in text or "out of memory" in text.lower()


class ThroughputProbe:
    """Times one trial's training step at each batch size on the local device."""

    def __init__(self, spec: StudySpec, workload: Workload, data: Dataset, batch_name: str):
        self.spec = spec
        self.workload = workload
        self.batch_name = batch_name
        # the probe's data: the whole training set, a one-example validation and test set
        self.data = dataclasses.replace(
            data, x_valid=data.x_valid[:1], y_valid=data.y_valid[:1],
            x_test=data.x_test[:1], y_test=data.y_test[:1],
        )  # fmt: skip
        self._device: dict[str, jax.Array] | None = None

    def _segment(self, workload: Workload, cfg: Mapping[str, object], optimizer: str, steps: int):
        plan = GroupPlan(workload, cfg, optimizer, steps, steps)
        prog = Program(plan)
        return prog, jax.jit(partial(prog.segment, length=steps))

    def point(self, batch_size: int, steps: int, repeats: int) -> ThroughputPoint:
        values = {**middle_values(self.spec), self.batch_name: batch_size}
        cfg = resolve(self.spec, self.workload, values)
        # the batch size is a shape setting: set it even when the study does not search it
        shape = tuple((n, batch_size if n == "batch_size" else v) for n, v in cfg.shape)
        cfg = dataclasses.replace(cfg, shape=shape)
        if self._device is None:
            self._device = device_data(self.data, int(cfg.cfg["eval_batch_size"]))
        data = self._device
        hp = {k: jnp.asarray(v, jnp.float32) for k, v in cfg.traced.items()}
        seeds = jnp.asarray(np.asarray([0, 1, 2], np.uint32))
        try:
            prog, seg = self._segment(self.workload, cfg.cfg, cfg.optimizer, steps)
            state = jax.jit(prog.init)(hp, seeds)
            fixed = dataclasses.replace(self.workload, sample_batch=_fixed_batch)
            _, seg_fixed = self._segment(fixed, cfg.cfg, cfg.optimizer, steps)
            step_s, synth_s, input_s = _median_seconds(
                [lambda: seg(state, hp, seeds, data)[0]["params"],
                 lambda: seg_fixed(state, hp, seeds, data)[0]["params"],
                 self._gather(cfg.cfg, batch_size, steps, data)],
                repeats,
            )  # fmt: skip
        except Exception as e:  # noqa: BLE001 - only an out-of-memory error is a result
            if _is_oom(e):
                return ThroughputPoint(batch_size=batch_size, oom=True)
            raise
        return ThroughputPoint(
            batch_size=batch_size,
            step_seconds=step_s / steps,
            synthetic_step_seconds=synth_s / steps,
            input_seconds=input_s / steps,
        )

    def _gather(self, cfg: Mapping[str, object], batch_size: int, steps: int, data):  # type: ignore[no-untyped-def]
        sample = self.workload.sample_batch

        @jax.jit
        def gather(x_train, y_train):
            key = jax.random.PRNGKey(1)

            def body(acc, i):
                x, y = sample(jax.random.fold_in(key, i), x_train, y_train, batch_size, cfg)
                return acc + x.sum() + y.sum(), None

            total, _ = jax.lax.scan(body, jnp.asarray(0.0, jnp.float32), jnp.arange(steps))
            return total

        return lambda: gather(data["x_train"], data["y_train"])

    def run(
        self,
        batch_sizes: Sequence[int],
        steps: int,
        repeats: int,
        command: str = "",
        on_point: Callable[[ThroughputPoint], None] | None = None,
    ) -> ThroughputRecord:
        points: list[ThroughputPoint] = []
        for b in sorted(set(batch_sizes)):
            p = self.point(b, steps, repeats)
            points.append(p)
            if on_point is not None:
                on_point(p)
            if p.oom:
                break
        return ThroughputRecord(
            study_id=self.spec.study_id,
            measured_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
            device=device_label(),
            device_count=1,
            steps=steps,
            repeats=repeats,
            command=command,
            points=points,
        )

"""Choosing the batch size: throughput per batch size, and steps-to-result against it.

- **Throughput** (from the probe's record): examples per second at each batch size, the scaling
  efficiency of each step up (throughput gain over batch gain: 1 while the device is not yet
  saturated), the share of a step the input pipeline takes (real step against the synthetic
  one), and the largest batch size that still raised throughput.
- **Steps to result** (from the trials, when the spec fixes a target): for each batch size, the
  fewest steps at which one of its tuned trials reached the target (on the eval grid), the
  perfect-scaling line from the smallest batch size that reached it, the efficiency of each
  step up (step reduction over batch increase: 1 is perfect scaling, 0 no gain), the last batch
  size of the perfect-scaling regime and the largest one that still cut the steps needed; with
  step times from the probe, the time to the target and the batch size that gets there first.

Pure: records in, a ``BatchSizeView`` and findings out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reportgen.analysis.findings import finding
from reportgen.analysis.hyperparameters import leaf
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Role, Severity, StudySpec
from reportgen.schema.batch_size import (
    BatchSizeView,
    ScalingRow,
    ThroughputRecord,
    ThroughputRow,
)

RAISES_THROUGHPUT = 1.1  # a step up "still raises throughput" when examples/s grow by 10 %
EFFICIENT = 0.9  # the playbook tool default: flag a step up below this throughput efficiency
PERFECT = 0.8  # a step up of the steps-to-result race counts as perfect scaling above this
INPUT_BOUND = 0.1  # the playbook tool default: input-bound when the pipeline takes over 10 %


def batch_hyperparameter(spec: StudySpec) -> str | None:
    """The scientific hyperparameter that is the batch size, if the study compares batch sizes."""
    for hp in spec.by_role(Role.SCIENTIFIC):
        if leaf(hp.name) == "batch_size":
            return hp.name
    return None


def throughput_rows(record: ThroughputRecord) -> tuple[list[ThroughputRow], int | None]:
    """The probe's table, and the largest batch size that still raised examples/s by 10 %."""
    rows: list[ThroughputRow] = []
    prev = None
    largest = None
    for p in record.points:
        eps = p.examples_per_second
        eff = None
        if eps is not None and prev is not None and prev.examples_per_second:
            eff = (eps / prev.examples_per_second) / (p.batch_size / prev.batch_size)
            if eps >= RAISES_THROUGHPUT * prev.examples_per_second and largest == prev.batch_size:
                largest = p.batch_size
        elif eps is not None and prev is None:
            largest = p.batch_size
        share = None
        if p.step_seconds and p.synthetic_step_seconds is not None:
            share = max(0.0, (p.step_seconds - p.synthetic_step_seconds) / p.step_seconds)
        rows.append(
            ThroughputRow(
                batch_size=p.batch_size, oom=p.oom, step_seconds=p.step_seconds,
                examples_per_second=eps, scaling_efficiency=eff, input_share=share,
                synthetic_examples_per_second=(p.batch_size / p.synthetic_step_seconds
                                               if p.synthetic_step_seconds else None),
            )
        )  # fmt: skip
        prev = p if not p.oom else prev
    return rows, largest


def steps_to_target(search: ScoredTrials, name: str, target: float) -> list[ScalingRow]:
    """Per batch size (ascending), the fewest steps at which a feasible trial reached ``target``."""
    goal = search.sign * target
    by_batch: dict[int, list[tuple[int | None, str]]] = {}
    for t, y, ok in zip(search.trials, search.score_curves, search.feasible, strict=True):
        b = t.hyperparameters.get(name)
        if isinstance(b, bool) or not isinstance(b, int | float):
            continue
        entry = by_batch.setdefault(int(b), [])
        if not ok or y is None:
            continue
        hit = np.flatnonzero(np.isfinite(y) & (y <= goal))
        entry.append((int(t.curves.step[hit[0]]) if hit.size else None, t.trial_id))
    rows: list[ScalingRow] = []
    for b in sorted(by_batch):
        reached = sorted((s, tid) for s, tid in by_batch[b] if s is not None)
        steps, tid = reached[0] if reached else (None, None)
        rows.append(ScalingRow(batch_size=b, trials=len(by_batch[b]), steps=steps, trial_id=tid))
    return rows


def _regimes(rows: list[ScalingRow]) -> tuple[list[ScalingRow], int | None, int | None]:
    """Perfect-scaling line, each step up's efficiency, the end of perfect scaling and the
    largest batch size that still cut the steps needed (each over the sizes that reached the
    target, from the smallest)."""
    reached = [r for r in rows if r.steps is not None]
    if not reached:
        return rows, None, None
    b0, s0 = reached[0].batch_size, reached[0].steps
    out: list[ScalingRow] = []
    prev: ScalingRow | None = None
    perfect_until: int | None = b0
    largest: int | None = b0
    still_perfect = True
    for r in rows:
        if r.steps is None:
            out.append(r)
            continue
        eff = None
        if prev is not None:
            gain = prev.steps / r.steps  # type: ignore[operator]
            ratio = r.batch_size / prev.batch_size
            eff = (gain - 1) / (ratio - 1) if ratio > 1 else None
            if r.steps < prev.steps and largest == prev.batch_size:  # type: ignore[operator]
                largest = r.batch_size
            if still_perfect and eff is not None and eff >= PERFECT:
                perfect_until = r.batch_size
            else:
                still_perfect = False
        perfect = s0 * b0 / r.batch_size if r.batch_size >= b0 else None  # type: ignore[operator]
        row = r.model_copy(update={"perfect_steps": perfect, "efficiency": eff})
        out.append(row)
        prev = row
    return out, perfect_until, largest


def batch_size_view(
    spec: StudySpec, search: ScoredTrials, throughput: ThroughputRecord | None
) -> BatchSizeView | None:
    """The page's batch-size section; None when the study neither compares batch sizes nor has
    a throughput record."""
    name = batch_hyperparameter(spec)
    if name is None and throughput is None:
        return None
    view = BatchSizeView(batch_hyperparameter=name or "batch_size")
    step_time: dict[int, float] = {}
    if throughput is not None:
        rows, largest = throughput_rows(throughput)
        step_time = {r.batch_size: r.step_seconds for r in rows if r.step_seconds}
        view = view.model_copy(
            update={
                "throughput": rows, "throughput_device": throughput.device,
                "throughput_steps": throughput.steps, "largest_raising_throughput": largest,
            }
        )  # fmt: skip
    if name is not None and spec.steps_to_result is not None:
        target = spec.steps_to_result.target
        rows, perfect_until, largest = _regimes(steps_to_target(search, name, target))
        rows = [
            r.model_copy(update={"seconds": r.steps * step_time[r.batch_size]})
            if r.steps is not None and r.batch_size in step_time
            else r
            for r in rows
        ]
        timed = [r for r in rows if r.seconds is not None]
        fastest = min(timed, key=lambda r: (r.seconds, r.batch_size)).batch_size if timed else None
        view = view.model_copy(
            update={
                "target": target, "metric": spec.objective.metric, "rows": rows,
                "perfect_until": perfect_until, "largest_scaling": largest, "fastest": fastest,
            }
        )  # fmt: skip
    return view


def check_batch_size(view: BatchSizeView | None, spec: StudySpec) -> list[Finding]:
    """Findings of the batch-size chapter: throughput that stops scaling, an input-bound step,
    a target no batch size reached, and where steps-to-result stops falling."""
    if view is None:
        return []
    out: list[Finding] = []
    slow = [r for r in view.throughput if r.scaling_efficiency is not None
            and r.scaling_efficiency < EFFICIENT]  # fmt: skip
    if slow:
        first = slow[0]
        out.append(
            finding(
                "batch_size.throughput_saturated",
                Severity.INFO,
                f"Throughput stops scaling with the batch size from batch {first.batch_size} "
                f"(efficiency {first.scaling_efficiency:.2f}, below {EFFICIENT}): a larger batch "
                f"costs nearly proportionally more time per step on {view.throughput_device}. "
                + (f"The largest batch size that still raised examples per second by "
                   f"{RAISES_THROUGHPUT - 1:.0%} is {view.largest_raising_throughput}."
                   if view.largest_raising_throughput else ""),
                batch_sizes=[r.batch_size for r in slow],
            )
        )  # fmt: skip
    bound = [r for r in view.throughput if r.input_share is not None and r.input_share > INPUT_BOUND]
    if bound:
        worst = max(bound, key=lambda r: r.input_share or 0.0)
        out.append(
            finding(
                "batch_size.input_bound",
                Severity.WARNING,
                f"The input pipeline takes {worst.input_share:.0%} of a training step at batch "
                f"{worst.batch_size} (the step against the same step on one batch already on the "
                f"device): the run waits on its data; profile the pipeline before tuning further.",
                batch_sizes=[r.batch_size for r in bound],
            )
        )  # fmt: skip
    if view.target is not None and view.rows:
        missing = [r.batch_size for r in view.rows if r.steps is None]
        if len(missing) == len(view.rows):
            out.append(
                finding(
                    "batch_size.target_not_reached",
                    Severity.WARNING,
                    f"No batch size reached the target {view.metric} of {view.target} within "
                    f"{spec.max_train_steps} steps: the steps-to-result race has no finisher. "
                    "Train longer or choose a target the study can reach.",
                )
            )
        elif view.largest_scaling is not None:
            beyond = [r.batch_size for r in view.rows
                      if r.batch_size > view.largest_scaling and r.steps is not None]  # fmt: skip
            out.append(
                finding(
                    "batch_size.scaling_limit",
                    Severity.INFO,
                    f"Steps to reach {view.metric} {view.target} fall with the batch size up to "
                    f"batch {view.largest_scaling}"
                    + (f" (perfect scaling up to {view.perfect_until})"
                       if view.perfect_until and view.perfect_until > view.rows[0].batch_size
                       else "")
                    + (f"; larger batches ({', '.join(map(str, beyond))}) did not cut them "
                       "further" if beyond else "")
                    + (f"; never reached by batch {', '.join(map(str, missing))}" if missing else "")
                    + ".",
                    largest_scaling=view.largest_scaling,
                    perfect_until=view.perfect_until,
                )
            )  # fmt: skip
    return out


def retune_after_batch_change(spec: StudySpec) -> list[Finding]:
    """Fixed values tuned at another batch size than the study trains at (checklist item 10)."""
    sizes = spec.batch_sizes
    stale = [hp for hp in spec.search_space
             if hp.tuned_at_batch_size is not None and sizes
             and any(hp.tuned_at_batch_size != b for b in sizes)]  # fmt: skip
    if not stale:
        return []
    names = ", ".join(f"{hp.name}={hp.value} (tuned at batch {hp.tuned_at_batch_size})"
                      for hp in stale)  # fmt: skip
    return [
        finding(
            "batch_size.retune_after_change",
            Severity.WARNING,
            f"{names} reused at batch size {', '.join(map(str, sizes))}: values that "
            "interact with the batch size (learning rate, momentum, regularisation) need "
            "re-tuning after it changes; search them again at this batch size.",
            hyperparameters=[hp.name for hp in stale],
        )
    ]


__all__: Sequence[str] = (
    "batch_hyperparameter", "batch_size_view", "check_batch_size", "retune_after_batch_change",
    "steps_to_target", "throughput_rows",
)  # fmt: skip

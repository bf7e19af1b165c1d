"""Whether a study agrees with the published result it replicates (``spec.replication``).

Each test reads the study's own evidence, never the paper's numbers:

- ``batch_scaling`` (Shallue et al.): the steps-to-result rows (``analysis.batch_scaling``).
  Agrees when steps to the target fall with the batch size, close to perfectly at first, and
  stop falling at a batch size inside the range tried; inconclusive when fewer than three batch
  sizes reached the target or the largest one still cut the steps (the end of scaling was not
  reached); disagrees when a larger batch never cut the steps.
- ``warmup_stable_range``: per value of the scientific warmup hyperparameter, the largest
  learning rate that trained, and whether a diverged trial above it bounds it. Agrees when a
  longer warmup's largest stable rate is above the no-warmup one *and* the no-warmup one is
  bounded by divergence (so the edge was found, not the range's end); disagrees when the edges
  were found and warmup did not move them up; inconclusive otherwise.
- ``inclusion`` (Choi et al.): the study's own launch decision, candidate = the more general
  optimizer, baseline = the one it includes. Agrees when the interval of the candidate's
  effect lies above minus the minimum effect (no worse, within what the study counts as a
  difference), disagrees when it lies below it, inconclusive when it straddles it or there is
  no interval yet.
"""

from __future__ import annotations

import math

import numpy as np

from reportgen.analysis.findings import fmt
from reportgen.analysis.hyperparameters import is_learning_rate, leaf
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Decision, Role, Status, StudySpec
from reportgen.schema.batch_size import BatchSizeView
from reportgen.schema.playbook import PlaybookExtras
from reportgen.schema.replication import ReplicationResult, ReplicationTest


def _batch_scaling(view: BatchSizeView | None) -> ReplicationResult:
    rows = [r for r in (view.rows if view else []) if r.steps is not None]
    if view is None or len(rows) < 3:
        return ReplicationResult(
            verdict="inconclusive",
            reason=f"only {len(rows)} batch size(s) reached the target: three regimes need at "
            "least three points",
        )
    largest, perfect = view.largest_scaling, view.perfect_until
    number = f"steps stop falling after batch {largest}" if largest else ""
    if largest == rows[0].batch_size:
        return ReplicationResult(
            verdict="disagrees", our_number=number,
            reason=f"no batch size above {rows[0].batch_size} reached the target in fewer steps",
        )  # fmt: skip
    if largest == rows[-1].batch_size:
        return ReplicationResult(
            verdict="inconclusive", our_number=f"steps still falling at batch {largest}",
            reason=f"the largest batch tried ({largest}) still cut the steps: the batch size "
            "where scaling stops lies beyond the range",
        )  # fmt: skip
    start = rows[0].batch_size
    if perfect is None or perfect <= start:
        first = rows[1]
        overall = rows[0].steps / next(r.steps for r in rows if r.batch_size == largest)  # type: ignore[operator]
        return ReplicationResult(
            verdict="inconclusive", our_number=number,
            reason=f"steps fell up to batch {largest} and then stopped, but no perfect-scaling "
            f"regime shows: the first step up ({start} to {first.batch_size}) cut them at "
            f"{fmt(first.efficiency)} of the ideal rate (0.8 needed), and from {start} to "
            f"{largest} they fell {overall:.1f}x for a {largest // start}x larger batch",
        )  # fmt: skip
    return ReplicationResult(
        verdict="agrees", our_number=number,
        reason=f"close to perfect scaling from batch {start} to {perfect}, diminishing returns "
        f"to {largest}, no gain beyond",
    )  # fmt: skip


def _edges(spec: StudySpec, search: ScoredTrials) -> tuple[str, dict[float, tuple[float, bool]]]:
    """The warmup hyperparameter and, per warmup value, (largest feasible learning rate,
    whether a diverged trial lies above it)."""
    warm = next((hp.name for hp in spec.by_role(Role.SCIENTIFIC)
                 if "warmup" in leaf(hp.name)), "")  # fmt: skip
    lr_name = next((hp.name for hp in spec.varied if is_learning_rate(hp.name)), "")
    out: dict[float, tuple[float, bool]] = {}
    if not warm or not lr_name:
        return warm, out
    values = sorted({float(v) for t in search.trials
                     if isinstance(v := t.hyperparameters.get(warm), int | float)})  # fmt: skip
    for w in values:
        idx = [i for i, t in enumerate(search.trials) if t.hyperparameters.get(warm) == w]
        lr = np.array([float(search.trials[i].hyperparameters.get(lr_name, math.nan)) for i in idx])
        ok = np.array([bool(search.feasible[i]) for i in idx])
        div = np.array([search.trials[i].status is Status.DIVERGED for i in idx])
        if not ok.any():
            continue
        top = float(lr[ok].max())
        out[w] = (top, bool((div & (lr > top)).any()))
    return warm, out


def _warmup(spec: StudySpec, search: ScoredTrials) -> ReplicationResult:
    warm, edges = _edges(spec, search)
    if len(edges) < 2 or min(edges) != 0:
        return ReplicationResult(
            verdict="inconclusive",
            reason="needs trials without warmup and with it, feasible at some learning rate",
        )
    base, bounded = edges[0.0]
    number = "; ".join(f"{warm}={w:g}: {fmt(top)}" + ("" if b else " (range end)")
                       for w, (top, b) in edges.items())  # fmt: skip
    if not bounded:
        return ReplicationResult(
            verdict="inconclusive", our_number=f"largest stable learning rate: {number}",
            reason="without warmup nothing diverged above the largest learning rate that "
            "trained, so the stable range's edge was not found",
        )  # fmt: skip
    wider = [w for w, (top, _b) in edges.items() if w > 0 and top > base]
    if not wider:
        return ReplicationResult(
            verdict="disagrees", our_number=f"largest stable learning rate: {number}",
            reason=f"no warmup length trained above {fmt(base)}, the largest stable rate "
            "without warmup",
        )  # fmt: skip
    best = max(wider, key=lambda w: edges[w][0])
    return ReplicationResult(
        verdict="agrees", our_number=f"largest stable learning rate: {number}",
        reason=f"{warm}={best:g} trained at {fmt(edges[best][0])}, "
        f"{edges[best][0] / base:.1f}× the largest stable rate without warmup ({fmt(base)})",
    )  # fmt: skip


def _inclusion(spec: StudySpec, decision: Decision | None) -> ReplicationResult:
    margin = spec.policy.min_effect
    if decision is None or decision.ci_low is None or decision.ci_high is None:
        return ReplicationResult(
            verdict="inconclusive",
            reason="the decision has no interval for the general optimizer's effect yet",
        )
    who = f"{decision.candidate_label} against {decision.baseline_label}"
    number = (f"effect of {who}: {fmt(decision.effect)} "
              f"[{fmt(decision.ci_low)}, {fmt(decision.ci_high)}]")  # fmt: skip
    if decision.ci_low > -margin:
        return ReplicationResult(
            verdict="agrees", our_number=number,
            reason=f"the general optimizer is no worse: its effect's interval lies above "
            f"-{fmt(margin)} (the study's minimum effect)",
        )  # fmt: skip
    if decision.ci_high < -margin:
        return ReplicationResult(
            verdict="disagrees", our_number=number,
            reason=f"the general optimizer lost: its effect's interval lies below -{fmt(margin)}",
        )  # fmt: skip
    return ReplicationResult(
        verdict="inconclusive", our_number=number,
        reason=f"the interval straddles -{fmt(margin)}: neither no-worse nor worse is shown",
    )  # fmt: skip


def replicate(
    spec: StudySpec,
    search: ScoredTrials,
    batch: BatchSizeView | None,
    decision: Decision | None = None,
) -> ReplicationResult | None:
    """The study's answer to its paper's claim, or None when it replicates nothing."""
    r = spec.replication
    if r is None:
        return None
    if r.test is ReplicationTest.BATCH_SCALING:
        return _batch_scaling(batch)
    if r.test is ReplicationTest.INCLUSION:
        return _inclusion(spec, decision)
    return _warmup(spec, search)


def with_replication(
    spec: StudySpec, extras: PlaybookExtras, search: ScoredTrials, decision: Decision
) -> PlaybookExtras:
    """``extras`` with the replication verdict (after the decision, which ``inclusion`` reads)."""
    if spec.replication is None:
        return extras
    result = replicate(spec, search, extras.batch_size, decision)
    return extras.model_copy(update={"replication": result})

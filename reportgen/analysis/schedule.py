"""Learning-rate schedules: warmup length against the step budget, the shortest feasible warmup.

Warmup steps and the schedule come from each trial's recorded hyperparameters; the learning
rate actually used is the recorded ``learning_rate`` curve (the chart draws it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reportgen.analysis.curve_matrix import curve_matrices
from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import is_learning_rate
from reportgen.analysis.objective import ScoredTrials, curve
from reportgen.schema import Finding, Policy, Severity, StudySpec, TrialRecord
from reportgen.schema.playbook import WarmupRow

CONSIDER_MORE_STEPS = 0.05  # (playbook) warmup above 5% of the steps: consider raising them


def _num(t: TrialRecord, name: str) -> float | None:
    v = t.hyperparameters.get(name)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def warmup_shares(search: ScoredTrials) -> dict[str, float]:
    out = {}
    for t in search.trials:
        w = _num(t, "warmup_steps")
        if w is not None:
            out[t.trial_id] = w / t.max_train_steps
    return out


def shortest_feasible_warmup(spec: StudySpec, search: ScoredTrials) -> list[WarmupRow]:
    """Per base learning rate (a decade bucket), the shortest warmup with a feasible trial."""
    varied = {hp.name for hp in spec.varied}
    lr = next((n for n in varied if is_learning_rate(n)), None)
    if "warmup_steps" not in varied or lr is None:
        return []
    import math

    buckets: dict[int, list[TrialRecord]] = {}
    for t in search.trials:
        x = _num(t, lr)
        if x is not None and x > 0:
            buckets.setdefault(math.floor(math.log10(x)), []).append(t)
    rows = []
    for decade in sorted(buckets):
        ts = buckets[decade]
        tried = sorted({int(_num(t, "warmup_steps") or 0) for t in ts})
        ok = sorted(int(_num(t, "warmup_steps") or 0) for t in ts if t.feasible)
        rows.append(
            WarmupRow(
                base_learning_rate=f"[{fmt(10.0**decade)}, {fmt(10.0 ** (decade + 1))})",
                shortest_feasible_warmup=ok[0] if ok else None,
                warmups_tried=tried,
            )
        )
    return rows


def check_schedule(
    spec: StudySpec, search: ScoredTrials, policy: Policy
) -> tuple[list[Finding], dict[str, float], list[WarmupRow]]:
    shares = warmup_shares(search)
    out: list[Finding] = []
    by_share: dict[float, list[str]] = {}
    for tid, s in shares.items():
        by_share.setdefault(s, []).append(tid)
    for share, ids in sorted(by_share.items()):
        if share > policy.warmup_max_share:
            out.append(
                finding(
                    "schedule.warmup_long",
                    Severity.WARNING,
                    f"Warmup takes {share:.0%} of the {spec.max_train_steps} steps in "
                    f"{len(ids)} trial(s), above the {policy.warmup_max_share:.0%} limit: look "
                    "for a shorter warmup that still allows the higher learning rate, or raise "
                    "max_train_steps.",
                    subject=f"warmup {share * spec.max_train_steps:.0f} steps",
                    share=share,
                    trials=len(ids),
                )
            )
        elif share > CONSIDER_MORE_STEPS:
            out.append(
                finding(
                    "schedule.warmup_share",
                    Severity.INFO,
                    f"Warmup takes {share:.0%} of the steps in {len(ids)} trial(s): consider "
                    "adding steps so the warmup does not eat the budget.",
                    subject=f"warmup {share * spec.max_train_steps:.0f} steps",
                    share=share,
                    trials=len(ids),
                )
            )
    out += check_hand_edited(search)
    rows = shortest_feasible_warmup(spec, search)
    return out, shares, rows


def _may_rise_again(trials: Sequence[TrialRecord]) -> list[TrialRecord]:
    """The trials ``check_hand_edited`` has to look at: those whose learning rate rises after
    its first peak (the same test on matrices of equal-length curves without NaN), and every
    trial whose curve has a NaN."""
    groups, rest = curve_matrices(trials, "learning_rate", min_length=2)
    keep = set(rest)
    for g in groups:
        lr = g.values
        peak = np.argmax(lr, axis=1)
        after = np.arange(lr.shape[1] - 1) >= peak[:, None]  # pairs (k, k+1) in the tail
        with np.errstate(over="ignore", invalid="ignore"):
            rises = (lr[:, 1:] > lr[:, :-1] * (1 + 1e-6)) & after
        keep.update(g.rows[rises.any(axis=1)].tolist())
    return [trials[i] for i in sorted(keep)]


def check_hand_edited(search: ScoredTrials) -> list[Finding]:
    """A learning rate that rises again after it started to decay: a schedule edited by hand
    mid-run (or resumed with other settings), which no spec can reproduce."""
    out = []
    for t in _may_rise_again(search.trials):
        lr = curve(t, "learning_rate")
        keep = ~np.isnan(lr)
        lr, steps = lr[keep], np.asarray(t.curves.step)[keep]
        if lr.size < 2:
            continue
        peak = int(np.argmax(lr))  # the first peak
        tail = lr[peak:]
        with np.errstate(over="ignore", invalid="ignore"):
            rises = np.flatnonzero(tail[1:] > tail[:-1] * (1 + 1e-6))
        if rises.size:
            step = int(steps[peak + int(rises[0]) + 1])
            out.append(
                finding(
                    "schedule.hand_edited",
                    Severity.WARNING,
                    f"The learning rate rose again at step {step} after decaying from its peak: "
                    "a schedule changed mid-run cannot be reproduced from the spec. Encode the "
                    "rule as an automatic schedule.",
                    subject=t.trial_id,
                    step=step,
                )
            )
    return out

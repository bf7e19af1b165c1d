"""Training-curve diagnostics, on the best trial of each scientific value and on every trial.

Each complete trial's objective curve (as a 'lower is better' score) and training loss are read
for: overfitting (validation worse after its best), late step-to-step noise, still improving at
the end, saturated early, training loss rising, and the best step in the first 10 % or last 25 %
of training. Windows and tolerances come from the policy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.objective import ScoredTrials, curve
from reportgen.schema import Finding, Policy, Severity, TrialRecord

OVERFITTING = "curves.overfitting"
LATE_NOISE = "curves.late_noise"
STILL_IMPROVING = "curves.still_improving"
SATURATED_EARLY = "curves.saturated_early"
TRAIN_LOSS_RISING = "curves.train_loss_rising"
BEST_STEP_EARLY = "curves.best_step_early"
BEST_STEP_LATE = "curves.best_step_late"

# keys checked on every trial (late noise only makes sense against a compared gap)
EVERY_TRIAL = (
    OVERFITTING,
    STILL_IMPROVING,
    SATURATED_EARLY,
    TRAIN_LOSS_RISING,
    BEST_STEP_EARLY,
    BEST_STEP_LATE,
)


@dataclass(frozen=True)
class CurveDiagnosis:
    """What one trial's curves show; numbers are in objective units (positive = worse/better as named)."""

    trial_id: str
    best_step: int
    best_fraction: float  # best step / max_train_steps
    noise: float  # late step-to-step noise of the objective
    rise_after_best: float  # late-window mean minus the best (worse is positive)
    late_improvement: float  # how much the late window beat everything before it
    saturated_step: int  # first step within the noise band of the best
    train_rise: float  # late training loss above its minimum before the late window
    flags: frozenset[str]


def _noise(y: np.ndarray) -> float:
    """Step-to-step noise of a short window: std of successive differences over sqrt 2."""
    if y.size < 3:
        return 0.0
    d = y[1:] - y[:-1]
    e = d - d.sum() / d.size
    return float(math.sqrt(e @ e / d.size) / math.sqrt(2))


def diagnose(trial: TrialRecord, score_curve: np.ndarray, policy: Policy) -> CurveDiagnosis | None:
    """Diagnose one complete trial from its objective curve in score space (lower is better)."""
    keep = np.isfinite(score_curve)
    y = score_curve[keep]
    where = np.flatnonzero(keep)  # position of each kept evaluation in the record's columns
    m = y.size
    if m < 4:
        return None
    w = max(2, math.ceil(policy.late_window_fraction * m))
    early, late = y[: m - w], y[m - w :]
    b = int(np.argmin(y))
    best = float(y[b])
    scale = max(abs(best), 1e-12)
    noise = _noise(late)
    flags: set[str] = set()

    rise = float(late.mean()) - best
    if b < m - w and rise > max(policy.overfit_rise * scale, 2 * noise):
        flags.add(OVERFITTING)

    improvement = float(early.min() - late.min())
    if (
        b >= m - w
        and improvement > policy.still_improving * max(abs(float(early.min())), 1e-12)
        and improvement > noise
    ):
        flags.add(STILL_IMPROVING)

    band = max(noise, policy.still_improving * scale)
    j = int(np.argmax(y <= best + band))
    saturated_step = trial.curves.step[int(where[j])]
    total = trial.max_train_steps
    if (
        saturated_step < policy.saturated_fraction * total
        and OVERFITTING not in flags
        and STILL_IMPROVING not in flags
    ):
        flags.add(SATURATED_EARLY)

    best_step = trial.curves.step[int(where[b])]
    best_fraction = best_step / total
    if best_fraction <= policy.early_best_fraction:
        flags.add(BEST_STEP_EARLY)
    if best_fraction >= 1 - policy.late_best_fraction:
        flags.add(BEST_STEP_LATE)

    tl = curve(trial, "train_loss")
    tl = tl[np.isfinite(tl)]
    train_rise = 0.0
    if tl.size >= 4:
        wt = max(2, math.ceil(policy.late_window_fraction * tl.size))
        earlier = tl[:-wt]
        nb = max(1, earlier.size // wt)
        # smoothed: the best block mean of the earlier evaluations, blocks as long as the window
        before = float(earlier[-nb * wt :].reshape(nb, -1).mean(axis=1).min())
        train_rise = float(tl[-wt:].mean()) - before
        if train_rise > max(policy.overfit_rise * max(abs(before), 1e-12), 2 * _noise(tl[-wt:])):
            flags.add(TRAIN_LOSS_RISING)

    return CurveDiagnosis(
        trial_id=trial.trial_id,
        best_step=best_step,
        best_fraction=best_fraction,
        noise=noise,
        rise_after_best=rise,
        late_improvement=improvement,
        saturated_step=saturated_step,
        train_rise=train_rise,
        flags=frozenset(flags),
    )


def diagnose_all(search: ScoredTrials, policy: Policy) -> list[CurveDiagnosis | None]:
    """A diagnosis per trial of ``search`` (None for infeasible or too-short curves)."""
    return [
        diagnose(t, c, policy) if c is not None and search.feasible[i] else None
        for i, (t, c) in enumerate(zip(search.trials, search.score_curves, strict=True))
    ]


def _message(key: str, d: CurveDiagnosis, who: str, policy: Policy, gap: float | None) -> str:
    if key == OVERFITTING:
        return (
            f"{who}: the objective is {fmt(d.rise_after_best)} worse over the last "
            f"{policy.late_window_fraction:.0%} of evaluations than at its best (step "
            f"{d.best_step}); add or retune regularisation before comparing."
        )
    if key == LATE_NOISE:
        return (
            f"{who}: late step-to-step noise {fmt(d.noise)} is more than "
            f"{policy.noise_ratio:.0%} of the gap {fmt(gap)} between the values compared; a "
            f"lucky or unlucky evaluation could flip the comparison."
        )
    if key == STILL_IMPROVING:
        return (
            f"{who}: still improving at the end (the last {policy.late_window_fraction:.0%} of "
            f"evaluations gained {fmt(d.late_improvement)}); more steps would likely help."
        )
    if key == SATURATED_EARLY:
        return (
            f"{who}: within the noise of its best by step {d.saturated_step}, before "
            f"{policy.saturated_fraction:.0%} of training; fewer steps would do."
        )
    if key == TRAIN_LOSS_RISING:
        return (
            f"{who}: training loss ends {fmt(d.train_rise)} above its minimum; look for a "
            f"pipeline bug or an instability."
        )
    if key == BEST_STEP_EARLY:
        return (
            f"{who}: best step {d.best_step} is in the first "
            f"{policy.early_best_fraction:.0%} of training; the step budget looks too large."
        )
    return (
        f"{who}: best step {d.best_step} is in the last {policy.late_best_fraction:.0%} of "
        f"training; it may gain from training longer."
    )


def _evidence(key: str, d: CurveDiagnosis, gap: float | None) -> dict[str, float | int | None]:
    if key == OVERFITTING:
        return {"best_step": d.best_step, "rise_after_best": d.rise_after_best, "noise": d.noise}
    if key == LATE_NOISE:
        return {"noise": d.noise, "gap": gap}
    if key == STILL_IMPROVING:
        return {"late_improvement": d.late_improvement, "noise": d.noise}
    if key == SATURATED_EARLY:
        return {"saturated_step": d.saturated_step, "noise": d.noise}
    if key == TRAIN_LOSS_RISING:
        return {"train_rise": d.train_rise}
    return {"best_step": d.best_step, "best_fraction": d.best_fraction}


_SEVERITY = {
    OVERFITTING: Severity.WARNING,
    LATE_NOISE: Severity.WARNING,
    STILL_IMPROVING: Severity.WARNING,
    SATURATED_EARLY: Severity.INFO,
    TRAIN_LOSS_RISING: Severity.PROBLEM,
    BEST_STEP_EARLY: Severity.INFO,
    BEST_STEP_LATE: Severity.INFO,
}
_ORDER = (
    TRAIN_LOSS_RISING,
    OVERFITTING,
    LATE_NOISE,
    STILL_IMPROVING,
    SATURATED_EARLY,
    BEST_STEP_EARLY,
    BEST_STEP_LATE,
)


def check_curves(
    diagnoses: Sequence[CurveDiagnosis | None],
    compared: Sequence[tuple[str, int]],
    gap: float | None,
    policy: Policy,
) -> list[Finding]:
    """Findings for the compared best trials (``(label, index)`` pairs), then one per key over
    every trial. ``gap`` is the difference between the two best compared values (for late noise).
    """
    out: list[Finding] = []
    for label, i in compared:
        d = diagnoses[i]
        if d is None:
            continue
        flags = set(d.flags)
        if gap is not None and gap > 0 and d.noise > policy.noise_ratio * gap:
            flags.add(LATE_NOISE)
        who = f"best trial {d.trial_id}" + (f" of {label}" if label else "")
        for key in _ORDER:
            if key in flags:
                out.append(
                    finding(
                        key,
                        _SEVERITY[key],
                        _message(key, d, who, policy, gap),
                        subject=d.trial_id,
                        scope=label or "best trial",
                        **_evidence(key, d, gap),
                    )
                )
    done = [d for d in diagnoses if d is not None]
    for key in _ORDER:
        if key not in EVERY_TRIAL:
            continue
        hit = sorted(d.trial_id for d in done if key in d.flags)
        if not hit:
            continue
        out.append(
            finding(
                key,
                Severity.INFO,
                f"{len(hit)} of {len(done)} complete trials: {_gloss(key, policy)}.",
                subject="all trials",
                scope="all trials",
                n_flagged=len(hit),
                n_trials=len(done),
                trial_ids=hit,
            )
        )
    return out


def _gloss(key: str, policy: Policy) -> str:
    return {
        OVERFITTING: "the objective got worse after its best point (overfitting)",
        STILL_IMPROVING: "still improving when training stopped",
        SATURATED_EARLY: "reached their best level early",
        TRAIN_LOSS_RISING: "training loss rose at the end",
        BEST_STEP_EARLY: f"best step in the first {policy.early_best_fraction:.0%} of training",
        BEST_STEP_LATE: f"best step in the last {policy.late_best_fraction:.0%} of training",
    }[key]

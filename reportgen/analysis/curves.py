"""Training-curve diagnostics, on the best trial of each scientific value and on every trial.

Each complete trial's objective curve (as a 'lower is better' score) and training loss are read
for: overfitting (validation worse after its best), late step-to-step noise, still improving at
the end, saturated early, training loss rising, and the best step in the first 10 % or last 25 %
of training. Windows and tolerances come from the policy; thresholds are in units of the measured
evaluation noise (unbiased on white noise), so they do not move when a constant is added to the
metric.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reportgen.analysis.curve_matrix import ROWS
from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.noise import eval_noise, late_half
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


def _smoothed_min(y: np.ndarray, w: int) -> float:
    """The lowest mean of ``w`` consecutive evaluations (the best level, smoothed)."""
    if y.size < w:
        return float(y.mean())
    c = np.concatenate([[0.0], np.cumsum(y)])
    return float(((c[w:] - c[:-w]) / w).min())


def diagnose(trial: TrialRecord, score_curve: np.ndarray, policy: Policy) -> CurveDiagnosis | None:
    """Diagnose one complete trial from its objective curve in score space (lower is better).

    Every threshold is in noise units (``policy.noise_z`` times the standard error of the
    compared window means, from the evaluation noise ``noise.eval_noise`` of the late half) and,
    for a noise-free curve, a fraction of the curve's range: no threshold depends on the metric's
    level, so adding a constant (accuracy = 1 - error) changes nothing.
    """
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
    span = float(y.max() - y.min())
    noise = eval_noise(late_half(y))
    window_se = noise * math.sqrt(2 / w)  # standard error of a difference of two window means
    flags: set[str] = set()

    rise = float(late.mean()) - _smoothed_min(early, w)
    if b < m - w and rise > max(policy.noise_z * window_se, policy.overfit_rise * span):
        flags.add(OVERFITTING)

    improvement = float(y[max(0, m - 2 * w) : m - w].mean() - late.mean())
    if (
        b >= m - w
        and improvement > policy.noise_z * window_se
        and improvement > policy.still_improving * span
    ):
        flags.add(STILL_IMPROVING)

    band = max(policy.noise_z * noise, policy.still_improving * span)
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
    # late only when the curve first came within its noise of the best in the last part: on a
    # noisy plateau the single lowest evaluation falls late by chance
    if saturated_step / total >= 1 - policy.late_best_fraction:
        flags.add(BEST_STEP_LATE)

    tl = curve(trial, "train_loss")
    tl = tl[np.isfinite(tl)]
    train_rise = 0.0
    if tl.size >= 4:
        wt = max(2, math.ceil(policy.late_window_fraction * tl.size))
        earlier = tl[:-wt]
        train_rise = float(tl[-wt:].mean()) - _smoothed_min(earlier, wt)
        t_se = eval_noise(late_half(tl)) * math.sqrt(2 / wt)
        t_span = float(tl.max() - tl.min())
        if train_rise > max(policy.noise_z * t_se, policy.overfit_rise * t_span):
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
    """A diagnosis per trial of ``search`` (None for infeasible or too-short curves).

    Trials whose objective and training-loss curves are all finite are diagnosed together, one
    matrix per pair of curve lengths (``_diagnose_batch``: the same arithmetic as ``diagnose``,
    row by row, so the same numbers); the others one by one.
    """
    out: list[CurveDiagnosis | None] = [None] * len(search)
    groups: dict[tuple[int, int], list[tuple[int, np.ndarray, np.ndarray]]] = {}
    for i, (t, c) in enumerate(zip(search.trials, search.score_curves, strict=True)):
        if c is None or not search.feasible[i]:
            continue
        tl = curve(t, "train_loss")
        if c.size >= 4 and tl.size >= 4 and search.finite_curves[i] and np.isfinite(tl).all():
            groups.setdefault((c.size, tl.size), []).append((i, c, tl))
        else:
            out[i] = diagnose(t, c, policy)
    for group in groups.values():
        for k in range(0, len(group), ROWS):  # small matrices: bounded temporaries
            members = group[k : k + ROWS]
            rows = _diagnose_batch(
                [search.trials[i] for i, _, _ in members],
                np.stack([c for _, c, _ in members]),
                np.stack([tl for _, _, tl in members]),
                policy,
            )
            for (i, _, _), d in zip(members, rows, strict=True):
                out[i] = d
    return out


def _noise_rows(y: np.ndarray) -> np.ndarray:
    """``eval_noise(late_half(row))`` of each row of an all-finite matrix."""
    half = y[:, -max(3, y.shape[1] // 2) :]
    d2 = half[:, 2:] - 2 * half[:, 1:-1] + half[:, :-2]
    # one dot product per row, as eval_noise computes it (a row sum would round differently)
    return np.sqrt(np.array([r @ r for r in d2]) / (6 * d2.shape[1]))


def _window_min_rows(y: np.ndarray, w: int) -> np.ndarray:
    """``_smoothed_min(row, w)`` of each row."""
    if y.shape[1] < w:
        return y.mean(axis=1)
    c = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(y, axis=1)], axis=1)
    return ((c[:, w:] - c[:, :-w]) / w).min(axis=1)


def _diagnose_batch(
    trials: Sequence[TrialRecord], y: np.ndarray, tl: np.ndarray, policy: Policy
) -> list[CurveDiagnosis]:
    """``diagnose`` of trials whose score curves (rows of ``y``) and training losses (rows of
    ``tl``) are all finite and of one length each: each step of ``diagnose``, on every row."""
    k, m = y.shape
    w = max(2, math.ceil(policy.late_window_fraction * m))
    rows = np.arange(k)
    b = np.argmin(y, axis=1)
    best = y[rows, b]
    span = y.max(axis=1) - y.min(axis=1)
    noise = _noise_rows(y)
    window_se = noise * math.sqrt(2 / w)
    late_mean = y[:, m - w :].mean(axis=1)
    rise = late_mean - _window_min_rows(y[:, : m - w], w)
    overfit = (b < m - w) & (
        rise > np.maximum(policy.noise_z * window_se, policy.overfit_rise * span)
    )
    improvement = y[:, max(0, m - 2 * w) : m - w].mean(axis=1) - late_mean
    improving = (
        (b >= m - w)
        & (improvement > policy.noise_z * window_se)
        & (improvement > policy.still_improving * span)
    )
    band = np.maximum(policy.noise_z * noise, policy.still_improving * span)
    j = np.argmax(y <= (best + band)[:, None], axis=1)

    wt = max(2, math.ceil(policy.late_window_fraction * tl.shape[1]))
    train_rise = tl[:, -wt:].mean(axis=1) - _window_min_rows(tl[:, :-wt], wt)
    t_se = _noise_rows(tl) * math.sqrt(2 / wt)
    t_span = tl.max(axis=1) - tl.min(axis=1)
    rising = train_rise > np.maximum(policy.noise_z * t_se, policy.overfit_rise * t_span)

    out = []
    for r, trial in enumerate(trials):
        flags: set[str] = set()
        if overfit[r]:
            flags.add(OVERFITTING)
        if improving[r]:
            flags.add(STILL_IMPROVING)
        step = trial.curves.step
        saturated_step, best_step = step[int(j[r])], step[int(b[r])]
        total = trial.max_train_steps
        if saturated_step < policy.saturated_fraction * total and not flags:
            flags.add(SATURATED_EARLY)
        best_fraction = best_step / total
        if best_fraction <= policy.early_best_fraction:
            flags.add(BEST_STEP_EARLY)
        if saturated_step / total >= 1 - policy.late_best_fraction:  # as in `diagnose`
            flags.add(BEST_STEP_LATE)
        if rising[r]:
            flags.add(TRAIN_LOSS_RISING)
        out.append(
            CurveDiagnosis(
                trial_id=trial.trial_id,
                best_step=best_step,
                best_fraction=best_fraction,
                noise=float(noise[r]),
                rise_after_best=float(rise[r]),
                late_improvement=float(improvement[r]),
                saturated_step=saturated_step,
                train_rise=float(train_rise[r]),
                flags=frozenset(flags),
            )
        )
    return out


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
        f"{who}: the objective first came within its evaluation noise of its best at step "
        f"{d.saturated_step} (best at step {d.best_step}), in the last "
        f"{policy.late_best_fraction:.0%} of training; it may gain from training longer."
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
        BEST_STEP_LATE: f"reached their best level only in the last {policy.late_best_fraction:.0%} of training",
    }[key]

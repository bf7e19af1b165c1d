"""Gradient-norm statistics per trial, outlier intervals and the clipping check.

Runners record, per eval interval, the mean, max and 90th percentile of the per-step
unclipped gradient norm and the fraction of steps clipped. Older records carry only the mean;
then the statistics fall back to it and the page says so.
"""

from __future__ import annotations

import numpy as np

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Policy, Severity, TrialRecord
from reportgen.schema.playbook import GradNormStats


def _col(t: TrialRecord, name: str) -> np.ndarray | None:
    col = getattr(t.curves, name)
    return np.asarray(col, dtype=float) if col else None


def _around(values: np.ndarray, i: int, width: int = 2) -> float:
    """Median of the finite values within ``width`` intervals of ``i``, without ``i`` itself."""
    near = np.concatenate([values[max(0, i - width) : i], values[i + 1 : i + 1 + width]])
    near = near[np.isfinite(near)]
    return float(np.median(near)) if near.size else float("inf")


def grad_norm_stats(t: TrialRecord, policy: Policy) -> GradNormStats:
    mean = np.asarray(t.curves.grad_norm, dtype=float)
    mx = _col(t, "grad_norm_max")
    p90 = _col(t, "grad_norm_p90")
    clipped = _col(t, "clipped_fraction")
    ok = np.isfinite(mean)
    clip = t.hyperparameters.get("grad_clip", 0.0)
    clip_f = float(clip) if isinstance(clip, int | float) and not isinstance(clip, bool) else 0.0
    if not ok.any():
        return GradNormStats(trial_id=t.trial_id, mean=None, max=None, p90=None, clip=clip_f,
                             clipped_fraction=None, suggested_clip=None)
    m = mean[ok]
    top = mx[ok] if mx is not None else m
    p = p90[ok] if p90 is not None else m
    steps = np.asarray(t.curves.step)[ok]
    # the clip threshold the playbook starts from is the 90th percentile of every step's norm.
    # A record keeps every step's norm only when it evaluated every step (intervals of one
    # step); otherwise it keeps per-interval summaries, from which that percentile cannot be
    # computed: no suggestion then, and the per-interval 90th percentiles are shown as a range
    every_step = steps.size >= 2 and bool(np.all(np.diff(np.asarray(t.curves.step)) == 1))
    suggested = float(np.percentile(m, 90)) if every_step else None
    low = float(np.nanmin(p)) if p90 is not None else None
    high = float(np.nanmax(p)) if p90 is not None else None
    # early training has large norms by nature (the loss falls fastest there), and norms shrink
    # by orders of magnitude as training converges: an outlier is a spike above its own
    # neighbours (the median of the two intervals either side), after the first
    # ``policy.early_best_fraction`` of the steps; a smoothly falling norm raises nothing
    late = steps > policy.early_best_fraction * max(t.max_train_steps, 1)
    outliers = [
        int(steps[i])
        for i in range(top.size)
        if late[i] and np.isfinite(top[i]) and top[i] > policy.grad_outlier_ratio * _around(top, i)
    ]
    frac = None
    if clipped is not None:
        c = clipped[ok]
        frac = float(np.mean(c[np.isfinite(c)])) if np.isfinite(c).any() else None
    return GradNormStats(
        trial_id=t.trial_id,
        mean=float(np.mean(m)),
        max=float(np.nanmax(top)),
        p90=float(np.nanmean(p)) if p90 is not None else None,
        clip=clip_f,
        clipped_fraction=frac,
        suggested_clip=suggested,
        outlier_steps=outliers,
        interval_stats=mx is not None,
        interval_p90_low=low,
        interval_p90_high=high,
    )


def clip_advice(s: GradNormStats) -> str:
    """Where to start a clip threshold, from what the record keeps."""
    if s.suggested_clip is not None:
        return f"about {fmt(s.suggested_clip)} (the 90th percentile of its step norms)"
    if s.interval_p90_low is not None and s.interval_p90_high is not None:
        return (
            f"between {fmt(s.interval_p90_low)} and {fmt(s.interval_p90_high)} (the range of "
            "its per-interval 90th percentiles; the record does not keep every step's norm)"
        )
    return "a threshold read from a run that records per-step norms (this record has only means)"


def check_grad_norms(
    search: ScoredTrials, policy: Policy
) -> tuple[list[Finding], list[GradNormStats]]:
    """Stats of the top trials (best first, up to ``policy.top_k``) and their findings."""
    ranking = [int(i) for i in search.ranking()[: policy.top_k]]
    stats = [grad_norm_stats(search.trials[i], policy) for i in ranking]
    out: list[Finding] = []
    for s in stats:
        if s.clipped_fraction is not None and s.clip > 0 and s.clipped_fraction > policy.clip_aggressive:
            out.append(
                finding(
                    "gradients.clip_aggressive",
                    Severity.WARNING,
                    f"{s.clipped_fraction:.0%} of the updates were clipped at {fmt(s.clip)}: "
                    "clipping this often acts as a hidden learning-rate cut. Lower the learning "
                    f"rate instead, or raise the threshold to {clip_advice(s)}.",
                    subject=s.trial_id,
                    clipped_fraction=s.clipped_fraction,
                    clip=s.clip,
                    suggested_clip=s.suggested_clip,
                )
            )
        if s.outlier_steps:
            out.append(
                finding(
                    "gradients.outliers",
                    Severity.INFO,
                    f"The gradient norm jumped above {policy.grad_outlier_ratio:g}× its typical "
                    f"interval value in "
                    f"{len(s.outlier_steps)} interval(s); clipping at {clip_advice(s)} would "
                    "cap those updates.",
                    subject=s.trial_id,
                    outlier_steps=s.outlier_steps,
                    suggested_clip=s.suggested_clip,
                    max=s.max,
                )
            )
    return out, stats

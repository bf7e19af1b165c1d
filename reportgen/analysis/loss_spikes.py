"""Instability: loss-spike episodes, the learning rates just above the best, the fix menu.

A spike episode is a stretch where the smoothed training loss stays above its running minimum
by more than ``policy.spike_rise`` of the loss scale (the larger of the running minimum and the
first smoothed value, so that wiggles of a loss near zero do not count) for at least
``policy.spike_min_fraction`` of the steps (tool defaults). Episodes that start in the first tenth of training are "early"
(warmup fixes those best), later ones "mid-training" (clipping first).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from reportgen.analysis.commands import EXTERNAL
from reportgen.analysis.curve_matrix import curve_matrices
from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import is_learning_rate
from reportgen.analysis.objective import ScoredTrials, curve
from reportgen.schema import Finding, Policy, Severity, Status, StudySpec, TrialRecord
from reportgen.schema.playbook import SpikeEpisode, early_probe_steps

EARLY_FRACTION = 0.1

FIXES_EARLY = (
    "Learning-rate warmup: ramp up from a small rate over the first steps.",
    "Gradient clipping at about the 90th percentile of the gradient norm.",
    "Another optimizer (Adam often survives where momentum does not).",
    "Architecture: residual connections with normalisation inside the branch, x + f(Norm(x)); "
    "zero-initialised residual branches.",
    "Lower the learning rate, last, because it gives up speed.",
)
FIXES_MID = (
    "Gradient clipping at about the 90th percentile of the gradient norm.",
    "Learning-rate warmup, longer than now.",
    "Another optimizer (Adam often survives where momentum does not).",
    "Architecture: residual connections with normalisation inside the branch, x + f(Norm(x)); "
    "zero-initialised residual branches.",
    "Lower the learning rate, last, because it gives up speed.",
)



def _smooth(y: np.ndarray) -> np.ndarray:
    """A centred 3-point running median (a single noisy eval is not an episode); ``y`` is finite.
    Along the last axis: a matrix is smoothed row by row."""
    if y.shape[-1] < 3:
        return y
    # the median of three, elementwise: max(min(a, b), min(max(a, b), c)) with a, b, c the
    # previous, this and the next evaluation; at either end two of the three are the same
    # evaluation, whose median is that evaluation itself, so the ends are kept as they are
    a, b, c = y[..., :-2], y[..., 1:-1], y[..., 2:]
    out = y.copy()
    low = np.minimum(a, b)
    high = np.maximum(a, b, out=out[..., 1:-1])
    np.minimum(high, c, out=high)
    np.maximum(low, high, out=high)
    return out


def _may_spike(trials: Sequence[TrialRecord], policy: Policy) -> list[TrialRecord]:
    """The trials ``spike_episodes`` has to look at: those whose finite training loss ever rises
    above its running minimum by the spike threshold (the same test, on matrices of equal-length
    curves), and every trial with a non-finite or short curve."""
    groups, rest = curve_matrices(trials, "train_loss", min_length=4)
    keep = set(rest)
    for g in groups:
        s = _smooth(g.values)
        run_min = np.minimum.accumulate(s, axis=1)
        scale = np.maximum(run_min, s[:, :1])
        rises = (s - run_min > policy.spike_rise * scale + 1e-12).any(axis=1)
        keep.update(g.rows[rises].tolist())
    return [trials[i] for i in sorted(keep)]


def spike_episodes(trial: TrialRecord, policy: Policy) -> list[SpikeEpisode]:
    y = curve(trial, "train_loss")
    steps = np.asarray(trial.curves.step)
    keep = np.isfinite(y)
    y, steps = y[keep], steps[keep]
    if y.size < 4:
        return []
    s = _smooth(y)
    run_min = np.minimum.accumulate(s)
    scale = np.maximum(run_min, s[0])
    above = np.flatnonzero(s - run_min > policy.spike_rise * scale + 1e-12)
    if above.size == 0:
        return []
    min_len = max(1, math.ceil(policy.spike_min_fraction * trial.max_train_steps))
    # runs of consecutive positions above the running minimum: [first[k], last[k]]
    breaks = np.flatnonzero(np.diff(above) > 1)
    firsts = above[np.concatenate([[0], breaks + 1])]
    lasts = above[np.concatenate([breaks, [above.size - 1]])]
    out: list[SpikeEpisode] = []
    for i, j in zip(firsts.tolist(), lasts.tolist(), strict=True):
        start = int(steps[i - 1]) if i > 0 else int(steps[i])
        end = int(steps[j])
        if end - start >= min_len:
            peak = float(np.max(s[i : j + 1] / np.maximum(run_min[i : j + 1], 1e-12)))
            phase = "early" if start <= EARLY_FRACTION * trial.max_train_steps else "mid-training"
            out.append(SpikeEpisode(trial_id=trial.trial_id, start_step=start, end_step=end,
                                    peak_ratio=round(peak, 4), phase=phase))
    return out


def _lr_name(spec: StudySpec) -> str | None:
    for hp in spec.varied:
        if is_learning_rate(hp.name):
            return hp.name
    return None


def lrs_above_best(spec: StudySpec, search: ScoredTrials, n: int = 3) -> list[TrialRecord]:
    """The trials with the next ``n`` learning rates above the best trial's (the stability probe)."""
    name = _lr_name(spec)
    ranking = search.ranking()
    if name is None or len(ranking) == 0:
        return []
    best = search.trials[int(ranking[0])]
    lr_best = best.hyperparameters.get(name)
    if not isinstance(lr_best, int | float):
        return []
    above = [t for t in search.trials
             if isinstance(t.hyperparameters.get(name), int | float)
             and float(t.hyperparameters[name]) > float(lr_best)]  # type: ignore[arg-type]
    above.sort(key=lambda t: float(t.hyperparameters[name]))  # type: ignore[arg-type]
    return above[:n]


LISTED_SPIKES = 5  # spiking trials named one by one before the rest are only counted


def check_instability(
    spec: StudySpec, search: ScoredTrials, policy: Policy, probed: bool = False
) -> tuple[list[Finding], list[SpikeEpisode], list[str], list[str]]:
    """Findings, spike episodes, the ids of the trials just above the best LR, and the fix menu.
    ``probed``: an early-instability probe has run (`early_probe` reports what it showed, so the
    probe is not suggested again)."""
    out: list[Finding] = []
    episodes: list[SpikeEpisode] = []
    for t in _may_spike(search.trials, policy):
        episodes += spike_episodes(t, policy)
    by_trial: dict[str, list[SpikeEpisode]] = {}
    for e in episodes:
        by_trial.setdefault(e.trial_id, []).append(e)
    # one finding per spiking trial while they are few; beyond that the worst ones, the best
    # trial if it spiked, and one count (a 1000-trial search at wide learning rates spikes often)
    listed = sorted(by_trial, key=lambda tid: -max(e.peak_ratio for e in by_trial[tid]))
    ranking = search.ranking()
    best_id = search.trials[int(ranking[0])].trial_id if len(ranking) else None
    if len(listed) > LISTED_SPIKES:
        keep = listed[:LISTED_SPIKES]
        if best_id in by_trial and best_id not in keep:
            keep.append(best_id)
        out.append(
            finding(
                "instability.loss_spike",
                Severity.WARNING,
                f"Training loss spiked in {len(by_trial)} of {len(search.trials)} search trials "
                f"({len(episodes)} episodes); the {len(keep)} listed next are the worst"
                + (" and the best trial" if best_id in keep[LISTED_SPIKES:] else "")
                + ", and every episode is in the spike table.",
                subject=f"{len(by_trial)} trials",
                trials=len(by_trial),
                episodes=len(episodes),
            )
        )
        listed = keep
    for tid in listed:
        eps = by_trial[tid]
        worst = max(eps, key=lambda e: e.peak_ratio)
        out.append(
            finding(
                "instability.loss_spike",
                Severity.WARNING,
                f"Training loss rose {worst.peak_ratio:.2f}× above its running minimum between "
                f"steps {worst.start_step} and {worst.end_step} ({worst.phase}); "
                f"{len(eps)} episode(s) in this trial.",
                subject=tid,
                episodes=len(eps),
                peak_ratio=worst.peak_ratio,
                start_step=worst.start_step,
                end_step=worst.end_step,
            )
        )
    above = lrs_above_best(spec, search)
    unstable = [t for t in above if t.status is Status.DIVERGED or t.trial_id in by_trial]
    name = _lr_name(spec)
    if unstable and name:
        lrs = [float(t.hyperparameters[name]) for t in unstable]  # type: ignore[arg-type]
        out.append(
            finding(
                "instability.above_best_lr",
                Severity.WARNING,
                f"{len(unstable)} of the {len(above)} learning rates just above the best one "
                f"({', '.join(fmt(x) for x in lrs)}) diverged or spiked: instability caps the "
                "learning rate, and fixing it will probably improve the result.",
                subject=name,
                learning_rates=lrs,
            )
        )
    menu: list[str] = []
    if out:
        early = any(e.phase == "early" for e in episodes) or any(
            t.status is Status.DIVERGED and len(t.curves) <= 2 for t in unstable
        )
        pattern = "early" if early or not episodes else "mid-training"
        menu = list(FIXES_EARLY if pattern == "early" else FIXES_MID)
        out.append(
            finding(
                "instability.fix_menu",
                Severity.INFO,
                "Fix the optimisation before comparing anything else. In order: "
                + " ".join(f"({i}) {m}" for i, m in enumerate(menu, 1)),
                pattern=pattern,
            )
        )
        if spec.eval_every > 1 and not probed:
            ranking = search.ranking()
            best_lr = (
                search.trials[int(ranking[0])].hyperparameters.get(name) if name and len(ranking)
                else None
            )
            lr_txt = (f"{name} = {fmt(2 * float(best_lr))}" if isinstance(best_lr, int | float)
                      else "twice the best learning rate")
            probe_steps = early_probe_steps(spec.max_train_steps)
            out.append(
                finding(
                    "instability.early_probe",
                    Severity.INFO,
                    f"Evaluations every {spec.eval_every} steps can hide a blow-up in the first "
                    f"steps. Run a probe of the first {probe_steps} of the study's "
                    f"{spec.max_train_steps} steps at {lr_txt}, evaluated every step: "
                    + (f"`reportgen run {spec.study_id} --probe early`."
                       if spec.workload.name != EXTERNAL else
                       "log it as a trial of kind probe, with the source trial as its group."),
                    eval_every=spec.eval_every,
                    probe_steps=probe_steps,
                )
            )
    return out, episodes, [t.trial_id for t in above], menu

"""Trial variance from retrain groups, study variance from reruns (no number without them)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from reportgen.analysis.commands import rerun_command
from reportgen.analysis.distributions import t_isf
from reportgen.analysis.findings import finding
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import (
    ExpectedBest,
    Policy,
    RetrainGroup,
    Severity,
    StudyVariance,
    TrialKind,
    Variance,
)


def t_interval(values: np.ndarray, alpha: float) -> tuple[float, float] | None:
    """Two-sided (1 - 2 alpha) t-interval of the mean: the pair of one-sided alpha bounds."""

    n = values.size
    if n < 2:
        return None
    half = t_isf(alpha, n - 1) * values.std(ddof=1) / math.sqrt(n)
    m = float(values.mean())
    return m - float(half), m + float(half)


def groups_of(scored: ScoredTrials, kind: TrialKind) -> dict[str, list[int]]:
    """Indices of the trials of one kind, by group, in group order."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, t in enumerate(scored.trials):
        if t.kind is kind:
            out[t.group].append(i)
    return dict(sorted(out.items()))


def retrain_group(
    scored: ScoredTrials, group: str, members: list[int], label: str, alpha: float
) -> RetrainGroup:
    members = sorted(members, key=lambda i: scored.trials[i].trial_id)
    ok = [i for i in members if scored.feasible[i]]
    values = scored.values[ok]
    ci = t_interval(values, alpha)
    return RetrainGroup(
        group=group,
        label=label,
        trial_ids=[scored.trials[i].trial_id for i in ok],
        values=[float(v) for v in values],
        n=len(ok),
        n_infeasible=len(members) - len(ok),
        mean=float(values.mean()) if len(ok) else None,
        std=float(values.std(ddof=1)) if len(ok) >= 2 else None,
        ci_low=ci[0] if ci else None,
        ci_high=ci[1] if ci else None,
    )


def retrain_groups(
    scored: ScoredTrials, policy: Policy, label_of: Callable[[str, list[int]], str]
) -> list[RetrainGroup]:
    """Every retrain group (kind ``retrain``, ``group`` = source trial id), in group order."""
    return [
        retrain_group(scored, g, members, label_of(g, members), policy.false_adopt_rate)
        for g, members in groups_of(scored, TrialKind.RETRAIN).items()
    ]


def pooled_std(groups: list[RetrainGroup]) -> float | None:
    num = sum((g.n - 1) * g.std**2 for g in groups if g.std is not None)
    dof = sum(g.n - 1 for g in groups if g.std is not None)
    return math.sqrt(num / dof) if dof > 0 else None


def study_variance(
    search: ScoredTrials, reruns: ScoredTrials, alpha: float = 0.05
) -> StudyVariance | None:
    """Best-of-study spread over this search and its reruns (one value per sampler seed).

    Without reruns there is no number: the bootstrap over this study's own trials measured about
    half the true spread of the best of a study, so nothing is shown beside the trial variance
    and a ``variance.no_reruns`` finding asks for reruns instead.
    """
    bests = []
    if search.feasible.any():
        bests.append(float(search.scores[search.feasible].min()))
    for members in groups_of(reruns, TrialKind.RERUN).values():
        s = reruns.scores[members]
        if np.isfinite(s).any():
            bests.append(float(s[np.isfinite(s)].min()))
    if len(bests) < 2:
        return None
    values = [search.sign * b for b in bests]
    n_reruns = len(values) - 1
    return StudyVariance(
        source="reruns",
        n=len(values),
        values=values,
        mean=float(np.mean(values)),
        std=float(np.std(values, ddof=1)),
        **_central(values, alpha),
        label=f"best of study over {len(values)} sampler seeds (this search and {n_reruns} "
        f"rerun{'s' if n_reruns != 1 else ''})",
    )


def _central(values: object, alpha: float) -> dict[str, float]:
    """The central ``1 - 2 * alpha`` range of ``values`` (the study variance's interval)."""
    lo, hi = np.quantile(np.asarray(values, dtype=float), [alpha, 1 - alpha])
    return {"low": float(lo), "high": float(hi)}


def check_study_variance(
    study: StudyVariance | None, study_id: str, policy: Policy, external: bool = False
) -> list:
    """``variance.no_reruns`` when study variance is not measured."""
    if study is not None:
        return []
    return [
        finding(
            "variance.no_reruns",
            Severity.INFO,
            "Study variance is not measured: no reruns with other sampler seeds. Nuisance-tuning "
            "luck (which nuisance points the sampler happened to draw) is not covered by any "
            f"verdict here. Run {rerun_command(study_id, policy.nuisance_reruns, external)} "
            "to measure it.",
        )
    ]


def variance(
    groups: list[RetrainGroup],
    study: StudyVariance | None,
    expected_best: list[ExpectedBest],
) -> Variance:
    return Variance(
        trial=groups, study=study, expected_best=expected_best, pooled_trial_std=pooled_std(groups)
    )

"""Sampling density: trials near the best, best-so-far by trial index, expected best of k trials,
and even coverage of the scientific values."""

from __future__ import annotations

from collections import Counter

import numpy as np

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import coordinates
from reportgen.analysis.noise import eval_noise, late_half
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import (
    ExpectedBest,
    Finding,
    Policy,
    Role,
    Scale,
    Severity,
    StudySpec,
)


def eval_std_of(search: ScoredTrials) -> float:
    """Median evaluation noise of the feasible trials' curves (a lower bound of trial noise).

    Worked out once per ``search`` (two checks read it)."""
    if "eval_std" not in search.views:
        search.views["eval_std"] = _eval_std(search)
    return search.views["eval_std"]  # type: ignore[no-any-return]


def _eval_std(search: ScoredTrials) -> float:
    noise = [
        eval_noise(late_half(y))
        for y, ok in zip(search.score_curves, search.feasible, strict=True)
        if ok and y is not None
    ]
    return float(np.median(noise)) if noise else 0.0


def near_best_tolerance(
    scores: np.ndarray,
    policy: Policy,
    trial_std: float | None = None,
    eval_std: float | None = None,
) -> float:
    """How close to the best counts as 'near': ``policy.near_best_sds`` trial standard
    deviations when retrains measured it, else as many times the median evaluation noise of the
    curves, else (noise-free curves) ``policy.near_best_tolerance`` of the range of the feasible
    values. None of these moves when a constant is added to the metric.

    Three standard deviations, not two: among a dozen equally good trials the best is often more
    than two standard deviations below the third by luck alone (about 3 % of studies of 12 such
    trials, and about 20 % of the calibration bench's calm studies, whose flat basin adds a
    little real spread), so two deviations called a lucky but well-sampled best sparse
    (``bench/finding_calibration.py``)."""
    k = policy.near_best_sds
    if trial_std is not None and trial_std > 0:
        return k * trial_std
    if eval_std is not None and eval_std > 0:
        return k * eval_std
    finite = scores[np.isfinite(scores)]
    span = float(finite.max() - finite.min()) if finite.size else 0.0
    return policy.near_best_tolerance * max(span, 1e-12)


def check_near_best(
    search: ScoredTrials, policy: Policy, trial_std: float | None = None
) -> list[Finding]:
    feasible = search.scores[search.feasible]
    if feasible.size == 0:
        return []
    best = float(feasible.min())
    eval_std = eval_std_of(search)
    tol = near_best_tolerance(feasible, policy, trial_std, eval_std)
    n_near = int((feasible <= best + tol).sum())
    if n_near >= policy.min_trials_near_best:
        return []
    return [
        finding(
            "density.near_best",
            Severity.WARNING,
            f"Only {n_near} of {feasible.size} feasible trials are within {fmt(tol)} of the "
            f"best value {fmt(search.sign * best)} "
            + (
                f"({policy.near_best_sds:g} trial standard deviations) "
                if trial_std
                else f"({policy.near_best_sds:g} times the evaluation noise) "
                if eval_std
                else f"({policy.near_best_tolerance:.0%} of the range of values) "
            )
            + f"(at least {policy.min_trials_near_best} wanted); the best may be a lucky draw.",
            n_near=n_near,
            n_feasible=int(feasible.size),
            tolerance=tol,
            best=search.sign * best,
            wanted=policy.min_trials_near_best,
        )
    ]


def check_best_so_far(search: ScoredTrials, policy: Policy) -> list[Finding]:
    """Whether the best trial came in the last part of the sampler's sequence, by a real margin."""
    n = len(search)
    if n < 4 or not search.feasible.any():
        return []
    order = sorted(range(n), key=lambda i: (search.trials[i].index, search.trials[i].trial_id))
    scores = search.scores[order]
    pos = int(np.argmin(scores))
    first_late = int(np.ceil((1 - policy.late_best_so_far_fraction) * n))
    if pos < first_late:
        return []
    before = float(scores[:first_late].min())
    best = float(scores[pos])
    if np.isfinite(before) and before - best <= near_best_tolerance(
        scores, policy, eval_std=eval_std_of(search)
    ):
        return []
    trial = search.trials[order[pos]]
    return [
        finding(
            "density.best_so_far_late",
            Severity.INFO,
            f"The best trial {trial.trial_id} is number {pos + 1} of {n} in sampler order, in the "
            f"last {policy.late_best_so_far_fraction:.0%}, and improved on the earlier best "
            f"{fmt(search.sign * before)}; the search had not levelled off.",
            subject=trial.trial_id,
            position=pos + 1,
            n_trials=n,
            best=search.sign * best,
            best_before=search.sign * before if np.isfinite(before) else None,
        )
    ]


def check_coverage(spec: StudySpec, search: ScoredTrials, policy: Policy) -> list[Finding]:
    """Trials per value of each scientific hyperparameter (per isolation bucket when continuous)."""
    out: list[Finding] = []
    for hp in spec.by_role(Role.SCIENTIFIC):
        if hp.scale in (Scale.CATEGORICAL, Scale.DISCRETE):
            counts = Counter(
                repr(t.hyperparameters[hp.name])
                for t in search.trials
                if hp.name in t.hyperparameters
            )
            labels: list = list(hp.values or [])
            per_value = [counts.get(repr(v), 0) for v in labels]
        else:
            n = policy.isolation_buckets
            u = coordinates(hp, search.trials)
            u = u[np.isfinite(u)]
            per_value = np.bincount(np.clip((u * n).astype(int), 0, n - 1), minlength=n).tolist()
            labels = [f"bucket {b + 1}" for b in range(n)]
        lo, hi = min(per_value), max(per_value)
        if hi == 0 or (lo > 0 and hi / lo <= policy.coverage_ratio):
            continue
        out.append(
            finding(
                "density.uneven_coverage",
                Severity.WARNING,
                f"{hp.name}: trials per value range from {lo} to {hi} "
                f"({', '.join(f'{v}: {c}' for v, c in zip(labels, per_value, strict=True))}); "
                f"each value should get a similar tuning budget.",
                subject=hp.name,
                values=labels,
                counts=per_value,
                ratio_limit=policy.coverage_ratio,
            )
        )
    return out


def budgets(n: int, count: int = 12) -> list[int]:
    """Trial budgets k at which to report the expected best: roughly geometric from 1 to n."""
    if n <= count:
        return list(range(1, n + 1))
    return sorted({int(round(k)) for k in np.geomspace(1, n, count)} | {n})


def expected_best_of_k(
    search: ScoredTrials, levels: tuple[float, float] = (0.05, 0.95)
) -> list[ExpectedBest]:
    """Distribution of the best of k trials drawn without replacement from this study's trials.

    This is the bootstrap of the playbook's trial-budget figure computed exactly (the limit of
    infinitely many resamples): with scores sorted best first, the best of a random k-subset is
    the i-th score with probability C(n-i, k-1) / C(n, k). Infeasible trials count as the worst
    feasible value. Returns the mean and a (5 %, 95 %) interval per budget k.
    """
    from scipy.special import gammaln  # lazily: slow to import

    feasible = search.scores[search.feasible]
    if feasible.size == 0:
        return []
    s = np.sort(np.where(search.feasible, search.scores, feasible.max()))
    n = s.size
    i = np.arange(1, n + 1)
    out = []
    for k in budgets(n):
        # log C(n-i, k-1) - log C(n, k), zero where n-i < k-1
        valid = n - i >= k - 1
        logp = np.full(n, -np.inf)
        a, b = n - i[valid], k - 1
        logp[valid] = (
            gammaln(a + 1)
            - gammaln(b + 1)
            - gammaln(a - b + 1)
            - (gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1))
        )
        p = np.exp(logp)
        p /= p.sum()
        cdf = np.cumsum(p)
        q_lo = s[min(int(np.searchsorted(cdf, levels[0])), n - 1)]
        q_hi = s[min(int(np.searchsorted(cdf, levels[1])), n - 1)]
        mean = float((p * s).sum())
        lo, hi = sorted((search.sign * q_lo, search.sign * q_hi))
        out.append(ExpectedBest(k=k, mean=search.sign * mean, low=float(lo), high=float(hi)))
    return out

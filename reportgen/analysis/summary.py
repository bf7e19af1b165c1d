"""Study summary: trials by status and reason, infeasible fraction, best trial and top k.

It covers the study's search trials (retrains and reruns are summarised by the variance step).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Policy, Status, Summary, TrialPoint


def trial_points(scored: ScoredTrials) -> list[TrialPoint]:
    """One point per trial, in the given order, with its rank among the feasible ones."""
    ranks = {int(i): r + 1 for r, i in enumerate(scored.ranking())}
    points = []
    for i, t in enumerate(scored.trials):
        value = scored.values[i]
        points.append(
            TrialPoint(
                trial_id=t.trial_id,
                kind=t.kind,
                group=t.group,
                status=t.status,
                status_reason=t.status_reason,
                hyperparameters=t.hyperparameters,
                value=float(value) if np.isfinite(value) else None,
                best_step=scored.best_steps[i],
                rank=ranks.get(i),
                index=t.index,
            )
        )
    return points


def best_so_far(scored: ScoredTrials) -> list[float | None]:
    """The best objective after each trial in sampler order (None until one is feasible)."""
    order = sorted(
        range(len(scored)), key=lambda i: (scored.trials[i].index, scored.trials[i].trial_id)
    )
    running = np.minimum.accumulate(scored.scores[order]) if order else np.array([])
    return [float(scored.sign * s) if np.isfinite(s) else None for s in running]


def summarize(
    search: ScoredTrials, policy: Policy, resolution: float | None = None
) -> Summary:
    points = trial_points(search)
    ranked = sorted((p for p in points if p.rank is not None), key=lambda p: p.rank or 0)
    by_status = Counter(str(t.status) for t in search.trials)
    # a trial stopped on purpose (pruned) is neither ranked nor a failure
    failed = [
        not search.feasible[i] and t.status is not Status.STOPPED
        for i, t in enumerate(search.trials)
    ]
    by_reason = Counter(
        reason_kind(t.status_reason) or "no finite objective value"
        for i, t in enumerate(search.trials)
        if failed[i]
    )
    n = len(search)
    n_infeasible = sum(failed)
    return Summary(
        n_trials=n,
        by_status=dict(sorted(by_status.items())),
        by_reason=dict(sorted(by_reason.items())),
        infeasible_fraction=n_infeasible / n if n else 0.0,
        best=ranked[0] if ranked else None,
        top=ranked[: policy.top_k],
        points=points,
        best_so_far=best_so_far(search),
        resolution=resolution,
    )


_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def reason_kind(reason: str) -> str:
    """A status reason with its numbers masked, so trials that failed the same way count together.

    ``"train loss exploded to 259.9 (limit 50) at step 2"`` → ``"train loss exploded to N (limit N) at step N"``.
    """
    return _NUMBER.sub("N", reason).strip()


def reason_examples(points: Sequence[TrialPoint]) -> dict[str, TrialPoint]:
    """The first infeasible trial of each kind of reason (``reason_kind``), by kind: a real
    reason to show where the kind's numbers read "N"."""
    example: dict[str, TrialPoint] = {}
    for p in points:
        if p.value is None and p.status_reason:
            example.setdefault(reason_kind(p.status_reason), p)
    return example

"""What each question of the "before you conclude" checklist looked at, and whether it could fail.

A study page ticks a question only where its check ran on something it could have judged wrong;
these scopes say what that was (counts of trials, curves, ranges and retrains), what was left
unjudged (a range edge explained by the stability edge, gradient norms not recorded) and when the
check ran but its answer is not yet yes (an inconclusive comparison). Pure: counts only.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from reportgen.analysis.curves import CurveDiagnosis
from reportgen.analysis.findings import fmt
from reportgen.analysis.hyperparameters import is_ordered
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import (
    CheckScope,
    Decision,
    Isolation,
    Policy,
    Role,
    Scale,
    StudySpec,
    Summary,
    Verdict,
)


def _n(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _finite_points(col: Sequence[float]) -> int:
    a = np.asarray(col, dtype=float)
    return int(np.isfinite(a).sum())


def _stability(search: ScoredTrials, policy: Policy) -> CheckScope:
    with_loss = sum(_finite_points(t.curves.train_loss) >= 4 for t in search.trials)
    ranked = [search.trials[int(i)] for i in search.ranking()[: policy.top_k]]
    with_norms = sum(_finite_points(t.curves.grad_norm) > 0 for t in ranked)
    if with_loss == 0:
        return CheckScope(
            topic="stability",
            looked_at=f"{_n(len(search), 'search trial')}: no training-loss curve of 4 or more "
            "evaluations recorded",
            state="not_run",
        )
    looked = f"training-loss curves of {with_loss} of {_n(len(search), 'search trial')}, for spikes"
    if ranked and with_norms == 0:
        return CheckScope(
            topic="stability",
            looked_at=looked,
            state="partial",
            not_judged="gradient norms not recorded, so clipping and norm outliers were not checked",
        )
    return CheckScope(
        topic="stability",
        looked_at=looked + f"; gradient norms of the best {with_norms}",
    )


def _boundaries(
    spec: StudySpec, search: ScoredTrials, policy: Policy, skip_upper: Collection[str]
) -> CheckScope:
    checked = [
        hp
        for hp in spec.search_space
        if is_ordered(hp) and not (hp.role is Role.SCIENTIFIC and hp.scale is Scale.DISCRETE)
    ]
    n_feasible = int(np.sum(search.feasible))
    if not checked:
        return CheckScope(topic="boundaries", looked_at="no ordered range was searched",
                          state="not_run")
    if n_feasible < 2:
        return CheckScope(topic="boundaries", looked_at=f"{_n(n_feasible, 'feasible trial')}: "
                          "too few to place against the edges", state="not_run")
    names = ", ".join(hp.name for hp in checked)
    looked = (
        f"where the best {min(policy.top_k, n_feasible)} of {n_feasible} feasible trials sit "
        f"against both edges of {names}"
    )
    skipped = sorted(hp.name for hp in checked if hp.name in skip_upper)
    if skipped:
        return CheckScope(
            topic="boundaries",
            looked_at=looked,
            state="partial",
            not_judged=f"upper edge of {', '.join(skipped)} not judged: the stability edge "
            "(trials above it diverge) explains it",
        )
    return CheckScope(topic="boundaries", looked_at=looked)


def _curves(search: ScoredTrials, diagnoses: Sequence[CurveDiagnosis | None]) -> CheckScope:
    n = sum(d is not None for d in diagnoses)
    feasible = int(np.sum(search.feasible))
    if n == 0:
        return CheckScope(
            topic="curves",
            looked_at=f"{_n(feasible, 'feasible trial')}: no objective curve of 4 or more "
            "evaluations to read",
            state="not_run",
        )
    return CheckScope(
        topic="curves",
        looked_at=f"curves of {n} of {_n(feasible, 'feasible trial')} (overfitting, late noise, "
        "still improving, saturated, training loss rising, best step)",
    )


def _isolation(spec: StudySpec, iso: Sequence[Isolation], policy: Policy) -> CheckScope:
    if not iso:
        return CheckScope(topic="isolation", looked_at="no scientific hyperparameter to isolate",
                          state="not_run")
    need = policy.isolation_min_feasible if spec.by_role(Role.NUISANCE) else 1
    parts = []
    for i in iso:
        counts = sorted(p.n_feasible for p in i.points)
        parts.append(
            f"{_n(len(i.points), 'value')} of {i.hyperparameter} "
            f"({counts[0]} to {counts[-1]} feasible trials each)"
        )
    return CheckScope(
        topic="isolation",
        looked_at="feasible trials behind the best of " + "; ".join(parts)
        + f", against the {need} each needs",
    )


def _variance(d: Decision, policy: Policy) -> CheckScope:
    least = policy.min_retrains
    if d.candidate is None or d.baseline is None or min(d.candidate.n, d.baseline.n) < least:
        have = [g.n for g in (d.candidate, d.baseline) if g is not None]
        return CheckScope(
            topic="variance",
            looked_at=f"fewer than {least} retrains per compared arm"
            + (f" ({' and '.join(map(str, have))})" if have else " (none yet)")
            + ": trial variance is not known",
            state="not_run",
        )
    looked = f"{d.candidate.n} against {d.baseline.n} retrains of the compared arms"
    if d.verdict is Verdict.INCONCLUSIVE:
        interval = (
            f"interval [{fmt(d.ci_low)}, {fmt(d.ci_high)}]"
            if d.ci_low is not None and d.ci_high is not None
            else "no interval"
        )
        return CheckScope(
            topic="variance",
            looked_at=looked,
            state="open",
            not_judged=f"the difference is not yet told from the noise (effect {fmt(d.effect)}, "
            f"{interval})",
        )
    return CheckScope(topic="variance", looked_at=looked + f": the verdict is {d.verdict}")


def check_scopes(
    spec: StudySpec,
    search: ScoredTrials,
    summary: Summary,
    diagnoses: Sequence[CurveDiagnosis | None],
    iso: Sequence[Isolation],
    decision: Decision,
    skip_upper: Collection[str],
) -> list[CheckScope]:
    """One scope per checklist topic, in the checklist's order."""
    policy = spec.policy
    n = summary.n_trials
    feasible = int(np.sum(search.feasible))
    infeasible = sum(summary.by_reason.values())
    stopped = summary.by_status.get("stopped", 0)
    status = (
        f"status of {_n(n, 'search trial')}: {infeasible} infeasible "
        f"(fraction {fmt(summary.infeasible_fraction)})"
        + (f"; {stopped} stopped early on purpose, not counted as infeasible" if stopped else "")
    )
    n_records = len(search)
    return [
        _stability(search, policy),
        CheckScope(
            topic="design",
            looked_at=f"roles of {_n(len(spec.search_space), 'hyperparameter')}; optimizer "
            f"record, step budget and eval cadence of {_n(n_records, 'search record')}",
        ),
        _boundaries(spec, search, policy, skip_upper),
        CheckScope(
            topic="density",
            looked_at=f"trials near the best of {feasible} feasible, the best-so-far curve and "
            "trials per scientific value",
        )
        if feasible
        else CheckScope(topic="density", looked_at="no feasible trial", state="not_run"),
        CheckScope(topic="infeasible", looked_at=status)
        if n
        else CheckScope(topic="infeasible", looked_at="no search trial", state="not_run"),
        _curves(search, diagnoses),
        _isolation(spec, iso, policy),
        _variance(decision, policy),
    ]

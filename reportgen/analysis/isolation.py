"""Isolation: the best trial per scientific value (or bucket), nuisance hyperparameters optimised away."""

from __future__ import annotations

import math

import numpy as np

from reportgen.analysis.findings import finding
from reportgen.analysis.hyperparameters import coordinate
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import (
    Finding,
    Hyperparameter,
    Isolation,
    IsolationPoint,
    Policy,
    Role,
    Scale,
    Severity,
    StudySpec,
)


def _best(search: ScoredTrials, members: list[int]) -> tuple[float | None, str | None, int]:
    feasible = [i for i in members if search.feasible[i]]
    if not feasible:
        return None, None, 0
    i = min(feasible, key=lambda j: (search.scores[j], search.trials[j].trial_id))
    return float(search.values[i]), search.trials[i].trial_id, len(feasible)


def _bucket_edges(hp: Hyperparameter, n: int) -> list[float]:
    u = np.linspace(0.0, 1.0, n + 1)
    low, high = float(hp.low), float(hp.high)  # type: ignore[arg-type]
    if hp.scale is Scale.LOG:
        return [float(math.exp(math.log(low) + x * (math.log(high) - math.log(low)))) for x in u]
    return [float(low + x * (high - low)) for x in u]


def isolate(hp: Hyperparameter, search: ScoredTrials, policy: Policy) -> Isolation:
    points: list[IsolationPoint] = []
    if hp.scale in (Scale.CATEGORICAL, Scale.DISCRETE):
        values = list(hp.values or [])
        if hp.scale is Scale.DISCRETE:
            values.sort(key=float)  # type: ignore[arg-type]
        for v in values:
            members = [
                i
                for i, t in enumerate(search.trials)
                if hp.name in t.hyperparameters and repr(t.hyperparameters[hp.name]) == repr(v)
            ]
            best, best_id, n_feasible = _best(search, members)
            points.append(
                IsolationPoint(
                    label=f"{hp.name}={v}",
                    value=v,
                    best_value=best,
                    best_trial_id=best_id,
                    n_trials=len(members),
                    n_feasible=n_feasible,
                )
            )
        return Isolation(hyperparameter=hp.name, bucketed=False, points=points)
    n = policy.isolation_buckets
    edges = _bucket_edges(hp, n)
    members_of: list[list[int]] = [[] for _ in range(n)]
    for i, t in enumerate(search.trials):
        v = t.hyperparameters.get(hp.name)
        if v is None or isinstance(v, bool | str):
            continue
        members_of[min(n - 1, max(0, int(coordinate(hp, v) * n)))].append(i)
    for b, members in enumerate(members_of):
        best, best_id, n_feasible = _best(search, members)
        points.append(
            IsolationPoint(
                label=f"{hp.name} in [{edges[b]:.3g}, {edges[b + 1]:.3g}"
                + ("]" if b == n - 1 else ")"),
                low=edges[b],
                high=edges[b + 1],
                best_value=best,
                best_trial_id=best_id,
                n_trials=len(members),
                n_feasible=n_feasible,
            )
        )
    return Isolation(hyperparameter=hp.name, bucketed=True, points=points)


def isolation(spec: StudySpec, search: ScoredTrials, policy: Policy) -> list[Isolation]:
    """One isolation per scientific hyperparameter, in spec order."""
    return [isolate(hp, search, policy) for hp in spec.by_role(Role.SCIENTIFIC)]


def check_isolation(spec: StudySpec, iso: list[Isolation], policy: Policy) -> list[Finding]:
    """Each scientific value compared at its best needs its nuisance hyperparameters tuned: a
    value (or bucket) with no feasible trial is not compared at all, and one with fewer than
    ``policy.isolation_min_feasible`` feasible trials had its nuisance hyperparameters barely
    searched. Without nuisance hyperparameters one feasible trial per value is the design."""
    need = policy.isolation_min_feasible if spec.by_role(Role.NUISANCE) else 1
    out: list[Finding] = []
    for i in iso:
        thin = [p for p in i.points if p.n_feasible < need and (p.n_trials or not i.bucketed)]
        if not thin:
            continue
        shown = ", ".join(f"{p.label}: {p.n_feasible} of {p.n_trials}" for p in thin[:6])
        more = f" and {len(thin) - 6} more" if len(thin) > 6 else ""
        out.append(
            finding(
                "isolation.undertuned",
                Severity.WARNING,
                f"{len(thin)} of {len(i.points)} values of {i.hyperparameter} have fewer than "
                f"{need} feasible trial{'s' if need > 1 else ''} ({shown}{more}): "
                "their best is not a tuned best, so the isolation compares them unfairly. Run "
                "more trials at those values.",
                subject=i.hyperparameter,
                values=[p.label for p in thin],
                feasible=[p.n_feasible for p in thin],
                needed=need,
            )
        )
    return out

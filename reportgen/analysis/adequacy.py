"""Tuning adequacy: was every scientific value tuned about as well as the others?

An isolation compares each scientific value at its best over the nuisance hyperparameters. That
is fair only when each value's nuisance hyperparameters got a comparable search. Per value of a
listed scientific hyperparameter this reads, from the searched trials, the feasible trials, how
much of each numeric nuisance range they covered (on the range's own scale, 0 to 1) and whether
the value's best trials crowd one edge of a nuisance range. A value is thinly tuned when it has
under half the median feasible trials of the other values, or covered under half their median
share of a nuisance range, or when its top trials all sit in the outer tenth of a nuisance range
(its optimum may lie outside what was searched for it). Values with too few feasible trials to
be compared at all are `isolation.undertuned`'s, not this check's.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import coordinate
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Hyperparameter, Policy, Role, Scale, Severity, StudySpec

KEY = "isolation.tuning_uneven"
THIN = 0.5  # under this share of the other values' median counts as thin
EDGE = 0.1  # the outer tenth of a nuisance range
TOP = 3  # a value's best trials that must all crowd one edge


@dataclass(frozen=True)
class ValueTuning:
    label: str
    n_feasible: int
    coverage: dict[str, float]  # nuisance name -> share of its range the feasible trials span
    # (only the nuisance hyperparameters that apply to this value: a conditional one, such as
    # the momentum of one optimizer, is compared only across the values it applies to)
    edge: dict[str, str]  # nuisance name -> "low" / "high" where the top trials all sit


def _numeric(hp: Hyperparameter) -> bool:
    return hp.scale in (Scale.LINEAR, Scale.LOG) and hp.low is not None and hp.high is not None


def tuning_of(
    spec: StudySpec, search: ScoredTrials, scientific: Hyperparameter
) -> list[ValueTuning]:
    """How each listed value of ``scientific`` was tuned (feasible trials, nuisance coverage,
    edges its top trials crowd)."""
    nuisance = [h for h in spec.by_role(Role.NUISANCE) if _numeric(h)]
    out = []
    for v in scientific.values or []:
        members = [
            i for i, t in enumerate(search.trials)
            if search.feasible[i] and repr(t.hyperparameters.get(scientific.name)) == repr(v)
        ]
        best = sorted(members, key=lambda i: (search.scores[i], search.trials[i].trial_id))[:TOP]
        coverage: dict[str, float] = {}
        edge: dict[str, str] = {}
        for h in nuisance:
            at = [coordinate(h, search.trials[i].hyperparameters[h.name]) for i in members
                  if isinstance(search.trials[i].hyperparameters.get(h.name), int | float)]
            if not at:
                continue  # conditional: this nuisance hyperparameter does not apply to ``v``
            coverage[h.name] = (max(at) - min(at)) if len(at) >= 2 else 0.0
            top = [coordinate(h, search.trials[i].hyperparameters[h.name]) for i in best
                   if isinstance(search.trials[i].hyperparameters.get(h.name), int | float)]
            if len(top) == TOP and all(c <= EDGE for c in top):
                edge[h.name] = "low"
            elif len(top) == TOP and all(c >= 1 - EDGE for c in top):
                edge[h.name] = "high"
        out.append(ValueTuning(f"{scientific.name}={v}", len(members), coverage, edge))
    return out


def _reasons(v: ValueTuning, others: list[ValueTuning]) -> list[str]:
    reasons = []
    median_n = statistics.median(o.n_feasible for o in others)
    if v.n_feasible < THIN * median_n:
        reasons.append(f"{v.n_feasible} feasible trials against a median of {fmt(median_n)}")
    for name, share in v.coverage.items():
        alike = [o.coverage[name] for o in others if name in o.coverage]  # where it applies
        if not alike:
            continue
        median_share = statistics.median(alike)
        if median_share > 0 and share < THIN * median_share:
            reasons.append(
                f"{name} searched over {share:.0%} of its range against a median of "
                f"{median_share:.0%}"
            )
    for name, side in v.edge.items():
        if not any(o.edge.get(name) == side for o in others):
            reasons.append(f"its top {TOP} trials all in the {side} tenth of {name}'s range")
    return reasons


def check_tuning_adequacy(
    spec: StudySpec, search: ScoredTrials, policy: Policy
) -> list[Finding]:
    """One finding per listed scientific hyperparameter whose values were not tuned alike."""
    if not any(_numeric(h) for h in spec.by_role(Role.NUISANCE)):
        return []
    need = policy.isolation_min_feasible
    out = []
    for hp in spec.by_role(Role.SCIENTIFIC):
        if hp.scale not in (Scale.CATEGORICAL, Scale.DISCRETE):
            continue
        tuned = [v for v in tuning_of(spec, search, hp) if v.n_feasible >= need]
        if len(tuned) < 2:
            continue
        thin = {}
        for v in tuned:
            reasons = _reasons(v, [o for o in tuned if o is not v])
            if reasons:
                thin[v.label] = reasons
        if not thin:
            continue
        shown = "; ".join(f"{label}: {', '.join(r)}" for label, r in thin.items())
        out.append(
            finding(
                KEY,
                Severity.WARNING,
                f"{len(thin)} of {len(tuned)} values of {hp.name} "
                f"{'was' if len(thin) == 1 else 'were'} tuned less than the rest ({shown}). A "
                "worse-tuned best can make a comparison reflect the tuning rather than the "
                "value; search those values more.",
                subject=hp.name,
                values=list(thin),
                feasible=[v.n_feasible for v in tuned if v.label in thin],
            )
        )
    return out


def uneven_caveat(findings: list[Finding], compared: tuple[str, ...]) -> list[str]:
    """The decision's caveat when a value it compares was tuned less than the others."""
    named = sorted({v for f in findings if f.key == KEY for v in f.evidence.get("values", [])
                    if v in compared})
    if not named:
        return []
    return [
        f"{', '.join(named)} {'was' if len(named) == 1 else 'were'} tuned less than the other "
        "values (see the tuning adequacy finding): the effect may reflect the tuning, not the "
        "value."
    ]

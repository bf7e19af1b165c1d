"""Infeasible-trial check: too large a share of diverged or failed trials."""

from __future__ import annotations

from reportgen.analysis.findings import finding
from reportgen.schema import Finding, Policy, Severity, Summary


def check_infeasible(summary: Summary, policy: Policy) -> list[Finding]:
    n = summary.n_trials
    if n == 0:
        return []
    frac = summary.infeasible_fraction
    n_bad = round(frac * n)
    reasons = ", ".join(f"{r or 'no reason'}: {c}" for r, c in summary.by_reason.items())
    if summary.best is None:
        return [
            finding(
                "infeasible.fraction",
                Severity.PROBLEM,
                f"No trial of {n} is feasible ({reasons}); nothing can be concluded from this study.",
                n_trials=n,
                n_infeasible=n_bad,
                fraction=frac,
                alarm=policy.infeasible_alarm,
            )
        ]
    if frac <= policy.infeasible_alarm:
        return []
    return [
        finding(
            "infeasible.fraction",
            Severity.WARNING,
            f"{n_bad} of {n} trials ({frac:.0%}) are infeasible ({reasons}), above the "
            f"{policy.infeasible_alarm:.0%} alarm; adjust the search space or look for a bug.",
            n_trials=n,
            n_infeasible=n_bad,
            fraction=frac,
            alarm=policy.infeasible_alarm,
        )
    ]

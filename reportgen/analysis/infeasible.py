"""Infeasible-trial check: too large a share of diverged or failed trials."""

from __future__ import annotations

from reportgen.analysis.findings import finding
from reportgen.schema import Finding, Policy, Severity, Summary


def _reasons(summary: Summary) -> str:
    """Each kind of reason by its count and one real reason of that kind (never the masked
    kind, whose numbers read "N")."""
    from reportgen.analysis.summary import reason_examples

    example = reason_examples(summary.points)
    parts = []
    for kind, c in summary.by_reason.items():
        real = example[kind].status_reason if kind in example else kind
        if real == kind:  # no number was masked: the kind reads as it is
            parts.append(f"{kind or 'no reason given'}: {c}")
        else:
            parts.append(f"{c} like \"{real}\"")
    return "; ".join(parts)


def check_infeasible(summary: Summary, policy: Policy) -> list[Finding]:
    n = summary.n_trials
    if n == 0:
        return []
    frac = summary.infeasible_fraction
    n_bad = round(frac * n)
    reasons = _reasons(summary)
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

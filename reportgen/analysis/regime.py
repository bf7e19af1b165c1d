"""Compute-bound or not, the rounds view and the transfer risk of short-run results.

The regime is a study-level label read from the curve diagnoses of the search trials: when
most trials were still improving at the end, the step budget is what limits the result
(compute-bound); when most reached their best level early, more steps would not help.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportgen.analysis.curves import SATURATED_EARLY, STILL_IMPROVING, CurveDiagnosis
from reportgen.analysis.findings import finding
from reportgen.schema import Finding, Policy, Severity, StudySpec
from reportgen.schema.playbook import Regime, RoundsView

COMPUTE_BOUND = "compute-bound"
NOT_COMPUTE_BOUND = "not compute-bound"
UNCLEAR = "unclear"

# (name fragment, likelihood that a value found in a short run carries over to a long one)
_TRANSFER = (
    ("warmup", "very likely"),
    ("init", "very likely"),
    ("depth", "likely"),
    ("width", "likely"),
    ("layers", "likely"),
    ("activation", "likely"),
    ("schedule", "unlikely"),
    ("decay_steps", "unlikely"),
    ("learning_rate", "might"),
    ("momentum", "might"),
    ("beta", "might"),
    ("eps", "might"),
    ("optimizer", "might"),
    ("weight_decay", "might"),
    ("dropout", "might"),
    ("label_smoothing", "might"),
    ("augment", "might"),
)


def transfer_likelihood(name: str) -> str:
    """How likely a value tuned in a short run transfers to the long run (playbook, round 1)."""
    low = name.lower()
    for fragment, label in _TRANSFER:
        if fragment in low:
            return label
    return "might"


def training_regime(diagnoses: Sequence[CurveDiagnosis | None], policy: Policy) -> Regime:
    done = [d for d in diagnoses if d is not None]
    n = len(done)
    improving = sum(STILL_IMPROVING in d.flags for d in done)
    saturated = sum(SATURATED_EARLY in d.flags for d in done)
    if n == 0:
        return Regime(label=UNCLEAR, n_diagnosed=0, n_improving=0, n_saturated=0,
                      reason="No complete trial has a curve long enough to judge.")
    if improving / n >= policy.compute_bound_share:
        label = COMPUTE_BOUND
        reason = (f"{improving} of {n} trials were still improving when training stopped: the "
                  "step budget, not the configuration, limits the result.")
    elif saturated / n >= policy.compute_bound_share:
        label = NOT_COMPUTE_BOUND
        reason = (f"{saturated} of {n} trials reached their best level before "
                  f"{policy.saturated_fraction:.0%} of training: more steps would buy little.")
    else:
        label = UNCLEAR
        reason = (f"{improving} of {n} trials still improving and {saturated} saturated early: "
                  "neither pattern dominates.")
    return Regime(label=label, n_diagnosed=n, n_improving=improving, n_saturated=saturated,
                  reason=reason)


def rounds_view(spec: StudySpec, regime: Regime) -> RoundsView:
    """The study's place in a multi-round plan and the step budget proposed for the next round.

    Round lengths grow geometrically from this round's fraction to the production budget, so a
    2-round plan jumps straight to production and a 3-round plan stops half-way (in log steps).
    """
    r = spec.round
    index, planned, fraction = (r.index, r.planned_rounds, r.fraction) if r else (1, 1, 1.0)
    production = int(round(spec.max_train_steps / fraction))
    left = planned - index
    if fraction >= 1.0 or left <= 0:
        proposed = None
        proposal = ("This is the production-length round: no longer round is planned.")
    else:
        grow = (1.0 / fraction) ** (1.0 / left)
        proposed = min(production, int(math.ceil(spec.max_train_steps * grow)))
        proposal = (
            f"Round {index + 1} of {planned}: train the few best configurations for "
            f"{proposed} steps ({proposed / production:.0%} of production)."
        )
        if regime.label == NOT_COMPUTE_BOUND:
            proposal += (" The curves saturate early, so check that longer runs are needed at "
                         "all before spending them.")
        proposal += (" Extend the schedule so the extra steps run at a high learning rate "
                     "(keep the decay length for linear decay; keep the base rate and stretch "
                     "cosine).")
    varied = [hp.name for hp in spec.varied]
    return RoundsView(
        index=index,
        planned_rounds=planned,
        fraction=fraction,
        max_train_steps=spec.max_train_steps,
        production_steps=production,
        proposed_next_steps=proposed,
        proposal=proposal,
        transfer=[(name, transfer_likelihood(name)) for name in varied],
    )


def check_regime(spec: StudySpec, regime: Regime) -> list[Finding]:
    out: list[Finding] = []
    ev = dict(n_diagnosed=regime.n_diagnosed, n_improving=regime.n_improving,
              n_saturated=regime.n_saturated)
    if regime.label == COMPUTE_BOUND:
        out.append(finding("regime.compute_bound", Severity.INFO,
                           regime.reason + " Train longer or retune the decay schedule.", **ev))
    elif regime.label == NOT_COMPUTE_BOUND:
        out.append(finding("regime.not_compute_bound", Severity.INFO,
                           regime.reason + " A shorter budget would iterate faster.", **ev))
    r = spec.round
    short = r is not None and r.fraction < 1.0
    if short or regime.label == COMPUTE_BOUND:
        frac = f"{r.fraction:.0%} of the production budget" if short and r else "a short budget"
        out.append(
            finding(
                "regime.short_run_transfer",
                Severity.WARNING,
                f"These trials ran for {frac} ({spec.max_train_steps} steps): a verdict reached "
                "here may not hold for longer runs. Schedule choices transfer least; warmup and "
                "architecture choices transfer best. Confirm the winner at full length.",
                fraction=r.fraction if r else None,
                max_train_steps=spec.max_train_steps,
            )
        )
    return out

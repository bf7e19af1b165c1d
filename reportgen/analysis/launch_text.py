"""Words of the launch decision: the rule in one paragraph, the plan's cost, the evidence line."""

from __future__ import annotations

import math

from reportgen.analysis.commands import rerun_command, retrain_command
from reportgen.analysis.findings import fmt
from reportgen.analysis.launch import Arm, Compared, Setting
from reportgen.analysis.sequential import plan_levels
from reportgen.schema import PlanCost, Policy

SPENDING_WORDS = {"obrien_fleming": "O'Brien–Fleming", "pocock": "Pocock"}


def procedure(policy: Policy) -> str:
    looks = policy.looks()
    levels = plan_levels(looks, policy.false_adopt_rate, policy.spending)
    at = ", ".join(f"{n} ({lv:.2%})" for n, lv in zip(looks, levels, strict=True))
    return (
        f"Every arm is scored the same way everywhere (the estimand named with the effect). "
        f"The verdict is computed only at the planned looks of {at} retrains per arm (one-sided "
        f"level of each look in brackets: Lan–DeMets {SPENDING_WORDS[policy.spending]}-type "
        f"spending of {policy.false_adopt_rate:.0%} over a plan that ends at "
        f"{looks[-1]} retrains), from the first retrains of each arm up to the last look "
        f"reached. Without nuisance hyperparameters the retrains are compared by Welch's t. With "
        f"them, no verdict is given (neither adopt nor reject) before the plan's "
        f"{policy.nuisance_reruns} reruns with other sampler seeds exist; the effect is then the "
        f"mean over the {policy.nuisance_reruns + 1} sampler seeds of the arms' difference (this "
        f"search's from its retrains, each rerun's from the arms' best trials) with a t interval "
        f"from their spread ({policy.nuisance_reruns} degrees of freedom), or, when the arms' "
        f"evaluation noise differs, the retrains' difference with the reruns' spread added to its "
        f"variance. Several values against one baseline are tested with Holm's step-down "
        f"(family-wise {policy.false_adopt_rate:.0%}). Diverged or failed retrains count "
        f"against their arm; the standard error is never below that of the gap's examples on "
        f"the validation set; adopt when the lower bound exceeds the minimum effect "
        f"{fmt(policy.min_effect)}, reject when the upper bound is below it (the same level "
        f"both ways)."
    )


def plan_cost(arms: list[Arm], policy: Policy, setting: Setting, reruns_have: int) -> PlanCost:
    """The most the rest of the plan can ask for: every arm brought to the last planned look,
    and (with nuisance hyperparameters) the plan's reruns, each a whole search."""
    last = policy.looks()[-1]
    retrains = sum(max(0, last - len(a.draws)) for a in arms)
    reruns = max(0, policy.nuisance_reruns - reruns_have) if setting.has_nuisance else 0
    trials = retrains + reruns * setting.trial_budget
    sec = setting.seconds_per_trial
    hours = trials * sec / 3600 if sec is not None else None
    return PlanCost(
        retrains=retrains, reruns=reruns, trials=trials, accelerator_hours=hours,
        seconds_per_trial=sec,
    )  # fmt: skip


def cost_sentence(cost: PlanCost) -> str:
    if cost.trials == 0:
        return "The plan asks for no more trials."
    parts = []
    if cost.retrains:
        parts.append(f"{cost.retrains} retrains")
    if cost.reruns:
        parts.append(f"{cost.reruns} reruns of the search")
    time = ""
    if cost.accelerator_hours is not None and cost.seconds_per_trial is not None:
        time = (
            f", about {_hours(cost.accelerator_hours)} of accelerator time at this study's "
            f"median {fmt(cost.seconds_per_trial)} s per trial"
        )
    return (
        f"The whole plan can still ask for at most {cost.trials} trials "
        f"({' and '.join(parts)}){time}."
    )


def _hours(h: float) -> str:
    if h < 1 / 60:
        return f"{h * 3600:.0f} s"
    if h < 1:
        return f"{h * 60:.0f} min"
    return f"{h:.1f} h"


def retrain_all(arms: list[Arm], n: int, setting: Setting) -> str:
    """Commands bringing each arm to ``n`` retrains (arms already there are left out). An arm of
    this study with no feasible search trial has nothing to retrain (``best`` would retrain the
    other arm): it is told to search more first."""
    cmds = []
    for a in arms:
        if len(a.draws) >= n:
            continue
        if a.source_trial is None and not a.study_id:
            cmds.append(
                f"more of the search at {a.label} (it has no feasible trial to retrain yet: "
                "extend trial_budget, or narrow the nuisance ranges that diverged)"
            )
            continue
        study = a.study_id or setting.study_id
        cmds.append(retrain_command(study, a.source_trial or "best", n, setting.external))
    return " and ".join(cmds)


def rerun_all(policy: Policy, setting: Setting) -> str:
    return rerun_command(setting.study_id, policy.nuisance_reruns, setting.external)


def evidence_line(x: Compared, estimand_label: str, family: int) -> str:
    level = f"one-sided level {x.level:.2%}" + (
        f" after Holm over {family} comparisons" if family > 1 else " of the plan's look"
    )
    seeds = (
        f", {x.reruns_used + 1} sampler seeds (this search and {x.reruns_used} reruns)"
        if x.reruns_used
        else ""
    )
    return (
        f"effect {fmt(x.effect)} in {estimand_label} (positive = candidate better), interval "
        f"[{fmt(x.low)}, {fmt(x.high)}] at the look of {x.n} retrains per arm ({x.n_c} vs "
        f"{x.n_b} feasible{seeds}, {level})"
    )


def seeds_dominate(x: Compared) -> bool:
    """Whether the spread across sampler seeds makes up most of the effect's variance, so that
    more retrains cannot narrow the interval much."""
    if not x.reruns_used or x.se is None:
        return False
    return x.seed_var > 0 and x.retrain_var < 0.5 * x.seed_var


def infeasible_line(x: Compared, baseline: Arm) -> str:
    if not (x.bad_c or x.bad_b):
        return ""
    ids = lambda bad: f" ({', '.join(d.trial_id for d in bad)})" if bad else ""  # noqa: E731
    return (
        f" Infeasible retrains: {x.candidate.label} {len(x.bad_c)} of {x.n}{ids(x.bad_c)}, "
        f"{baseline.label} {len(x.bad_b)} of {x.n}{ids(x.bad_b)}."
    )


def finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)

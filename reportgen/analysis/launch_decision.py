"""The launch decision of a study: which compared value (if any) beats the baseline.

``decide`` takes every compared scientific value (``Arm``) and the baseline, finds the planned
look reached, gathers each comparison's evidence (``launch.evidence``), applies Holm's step-down
over the family, and says which comparison it decided and what to do next, with the plan's cost
up front. ``launch`` holds the statistics of one comparison, ``launch_text`` the words.
"""

from __future__ import annotations

from reportgen.analysis import launch_text as tx
from reportgen.analysis.findings import fmt
from reportgen.analysis.launch import (
    Arm,
    Compared,
    Setting,
    evidence,
    levelled,
    rerun_seeds,
    verdict_of,
)
from reportgen.analysis.sequential import look_reached, plan_levels
from reportgen.schema import Decision, Estimand, Override, Policy, Verdict


def _pick(compared: list[Compared]) -> Compared:
    """The comparison the verdict is about: the adopted one with the largest effect; else the
    one closest to being adopted (largest lower bound, then effect)."""
    adopted = [x for x in compared if x.verdict is Verdict.ADOPT]
    if adopted:
        return max(adopted, key=lambda x: (x.effect or 0.0, x.candidate.label))
    scored = [x for x in compared if x.low is not None]
    if scored:
        return max(scored, key=lambda x: (x.low, x.effect, x.candidate.label))  # type: ignore[arg-type, return-value]
    return compared[0]


def decide(
    candidates: list[Arm],
    baseline: Arm | None,
    sign: float,
    policy: Policy,
    setting: Setting,
    override: Override | None,
    estimand: Estimand | None = None,
) -> Decision:
    """The verdict over every candidate (the values with retrains; the best searched one when
    none has any) against the baseline."""
    rule = tx.procedure(policy)
    label = estimand.label if estimand is not None else setting.metric
    looks = policy.looks()
    levels = plan_levels(looks, policy.false_adopt_rate, policy.spending)

    def result(verdict: Verdict, reason: str, next_step: str, **kw: object) -> Decision:
        return Decision(
            verdict=verdict,
            reason=reason,
            next_step=next_step,
            override=override,
            policy=policy,
            procedure=rule,
            estimand=estimand,
            **kw,  # type: ignore[arg-type]
        )

    if baseline is None:
        return result(
            Verdict.INCONCLUSIVE,
            "The study names no baseline to compare against.",
            "Name the incumbent in study.yaml: 'baseline' with a scientific value, or another study.",
            candidate_label="none",
            baseline_label="none",
        )
    if not candidates:
        return result(
            Verdict.INCONCLUSIVE,
            f"No feasible candidate other than the baseline ({baseline.label}).",
            "Run trials of the scientific values to compare with the baseline.",
            candidate_label="none",
            baseline_label=baseline.label,
            baseline=baseline.group,
        )
    family = [c for c in candidates if c.draws] or [candidates[0]]
    arms = [*family, baseline]
    reruns_have = min(len(rerun_seeds(c, baseline)) for c in family)
    cost = tx.plan_cost(arms, policy, setting, reruns_have)
    cost_line = tx.cost_sentence(cost)
    n_have = min(len(a.draws) for a in arms)
    k = look_reached(n_have, looks)
    need_reruns = setting.has_nuisance and reruns_have < policy.nuisance_reruns
    reruns = 0 if need_reruns else policy.nuisance_reruns
    n = looks[k] if k is not None else n_have
    compared = [evidence(c, baseline, n, sign, setting, reruns) for c in family]
    level = levels[k] if k is not None else levels[0]
    levelled(compared, level, policy.min_effect)
    m = len(compared)

    caveats: list[str] = []
    if estimand is not None and estimand.reason:
        caveats.append(estimand.reason)
    waiting = sum(max(0, len(a.draws) - n) for a in arms) if k is not None else 0
    if waiting:
        caveats.append(
            f"{waiting} retrain(s) beyond the look at {n} per arm wait for the next planned look "
            f"({looks[k + 1]} per arm)."  # type: ignore[operator]
            if k is not None and k + 1 < len(looks)
            else f"{waiting} retrain(s) beyond the plan's last look ({n} per arm) are not used."
        )
    extra = reruns_have - policy.nuisance_reruns
    if setting.has_nuisance and extra > 0:
        caveats.append(
            f"{extra} rerun(s) beyond the plan's {policy.nuisance_reruns} are not used: the plan "
            "fixed its reruns before their results were seen."
        )
    if not setting.has_nuisance:
        caveats.append(
            "The study has no nuisance hyperparameters: no tuning luck to average over, so the "
            "retrains alone measure the effect (trial variance)."
        )

    for y in compared:
        if y.floor is not None and y.se == y.floor:
            caveats.append(
                f"The interval of {y.candidate.label} is set by the validation set's resolution: "
                f"a gap of {fmt(abs(y.effect or 0))} over {setting.eval_examples} examples has a "
                f"standard error of at least {fmt(y.floor)} however many retrains agree."
            )

    def fields(x: Compared) -> dict[str, object]:
        ordered = [x, *[y for y in compared if y is not x]]
        return {
            "candidate_label": x.candidate.label,
            "baseline_label": baseline.label,
            "candidate": x.candidate.group,
            "baseline": baseline.group,
            "effect": x.effect,
            "ci_low": x.low,
            "ci_high": x.high,
            "comparisons": [y.comparison() for y in ordered],
            "family": m,
            "plan": cost,
            "caveats": caveats,
        }

    if k is None:
        x = max(compared, key=lambda y: (y.effect is not None, y.effect or 0.0))
        wants = ", ".join(f"{a.label} ({len(a.draws)} retrain(s))" for a in arms)
        return result(
            Verdict.INCONCLUSIVE,
            f"Trial variance is not characterised: fewer than {looks[0]} retrains (the first "
            f"planned look) for {wants}.",
            f"Run {tx.retrain_all(arms, looks[0], setting)}, then analyse again. {cost_line}",
            retrains_needed=looks[0] - n_have,
            **{**fields(x), "ci_low": x.low if x.n_c >= 2 else None},
        )
    if need_reruns:
        x = max(compared, key=lambda y: (y.effect is not None, y.effect or 0.0))
        for y in compared:
            y.verdict = Verdict.INCONCLUSIVE
        caveats.append(
            "The interval shown counts the seed noise of the retrained configurations only: "
            "either arm's nuisance hyperparameters may have landed nearer their optimum by "
            "chance, which only reruns with other sampler seeds measure."
        )
        return result(
            Verdict.INCONCLUSIVE,
            f"Nuisance-tuning luck is not measured yet: {reruns_have} of the plan's "
            f"{policy.nuisance_reruns} reruns with other sampler seeds exist, and neither adopt "
            f"nor reject is given without them. So far: {tx.evidence_line(x, label, m)}."
            + tx.infeasible_line(x, baseline),
            f"Run {tx.rerun_all(policy, setting)} to repeat the search with other sampler seeds, "
            f"then analyse again. {cost_line}",
            **fields(x),
        )
    for y in compared:
        verdict_of(y, policy.min_effect, policy.coverage_ratio, baseline)
    x = _pick(compared)
    if x.constant:
        return result(
            Verdict.INCONCLUSIVE,
            "All retrain values are identical: there is no spread to measure noise with, and "
            "the validation set size is not recorded." + tx.infeasible_line(x, baseline),
            "Check that the retrains really use new seeds, and record `eval_examples` so the "
            "validation set's resolution bounds the interval.",
            **fields(x),
        )
    if x.effect is None:
        return result(
            Verdict.REJECT if x.verdict is Verdict.REJECT else Verdict.INCONCLUSIVE,
            f"Fewer than 2 feasible retrains in an arm at the look of {n} per arm."
            + tx.infeasible_line(x, baseline),
            "Find out why the retrains fail before comparing; the trial ids are listed above.",
            **fields(x),
        )
    line = tx.evidence_line(x, label, m)
    infeasible = tx.infeasible_line(x, baseline)
    others = [y.candidate.label for y in compared if y is not x and y.verdict is Verdict.ADOPT]
    if x.verdict is Verdict.ADOPT:
        also = (
            f" {', '.join(others)} also beat{'s' if len(others) == 1 else ''} it; {x.candidate.label} "
            "has the largest effect (the adopted values are not ranked against each other)."
            if others
            else ""
        )
        best = "the best of the compared values: " if m > 1 else ""
        return result(
            Verdict.ADOPT,
            f"{x.candidate.label} beats {baseline.label} ({best}comparison decided: "
            f"{x.candidate.label} vs {baseline.label}): {line}; the lower bound clears the minimum "
            f"effect {fmt(policy.min_effect)}.{also}{infeasible}",
            f"Adopt {x.candidate.label} as the new baseline and record the decision.",
            **fields(x),
        )
    if all(y.verdict is Verdict.REJECT for y in compared):
        fail = x.fail_p < x.level
        why = (
            f"{x.candidate.label} diverged or failed in {len(x.bad_c)} of {n} retrains against "
            f"{len(x.bad_b)} of {n}, beyond chance at the look's level"
            if fail
            else "the upper bound is below the minimum effect"
            + (" for every compared value" if m > 1 else "")
        )
        none = (
            f"No compared value beats {baseline.label}"
            if m > 1
            else (f"{x.candidate.label} does not pay off against {baseline.label}")
        )
        return result(
            Verdict.REJECT,
            f"{none} (comparison shown: {x.candidate.label} vs {baseline.label}): {line}; "
            f"{why}.{infeasible}",
            f"Keep {baseline.label}; drop the change or rethink it.",
            **fields(x),
        )
    blocked = "; ".join(y.blocked for y in compared if y.blocked)
    if blocked:
        withheld = any("diverged" in y.blocked for y in compared if y.blocked)
        return result(
            Verdict.INCONCLUSIVE,
            f"The verdict on {x.candidate.label} vs {baseline.label} is withheld although its "
            f"interval supports one ({line}): {blocked}.{infeasible}",
            "Find out why the candidate's retrains fail (the trial ids are listed) before "
            "comparing again."
            if withheld
            else "Give the arms the same search budget (or compare values searched with equal "
            "budgets), then retrain and analyse again.",
            **fields(x),
        )
    reason = (
        f"Cannot tell {x.candidate.label} from {baseline.label} yet (comparison decided: "
        f"{x.candidate.label} vs {baseline.label}): {line}; the interval straddles the minimum "
        f"effect.{infeasible}"
    )
    if k + 1 >= len(looks) or tx.seeds_dominate(x):
        why = []
        if k + 1 >= len(looks):
            why.append(f"the plan is spent at {n} retrains per arm")
        if tx.seeds_dominate(x):
            why.append(
                "the spread across sampler seeds makes up most of the interval, so more retrains "
                "would not narrow it: more reruns, not retrains"
            )
        return result(
            Verdict.INCONCLUSIVE,
            reason,
            f"Stop here and keep {baseline.label}: {'; '.join(why)}. A new revision with more "
            f"reruns (policy.nuisance_reruns) or another minimum effect is a new plan with its "
            f"own error rate; more trials under this one would not keep the stated rate.",
            **fields(x),
        )
    target = looks[k + 1]
    return result(
        Verdict.INCONCLUSIVE,
        reason,
        f"Bring every compared arm to the planned look of {target} retrains per arm "
        f"({target - n} more each): {tx.retrain_all(arms, target, setting)}, then analyse "
        f"again. {cost_line}",
        retrains_needed=target - n,
        **fields(x),
    )

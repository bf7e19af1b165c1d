"""Analysis of a study: pure functions over validated records, returning result models.

``analyze_study`` runs every piece in a fixed order; the pieces live in small modules
(``summary``, ``boundaries``, ``stability``, ``infeasible``, ``density``, ``curves``, ``design``,
``isolation``, ``variance``, ``launch``) and can be used on their own. No I/O happens here, every
random draw comes from ``numpy.random.default_rng(policy.random_seed)``, and the order of
everything returned is deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from reportgen.analysis.boundaries import check_boundaries
from reportgen.analysis.curves import check_curves, diagnose_all
from reportgen.analysis.density import (
    check_best_so_far,
    check_coverage,
    check_near_best,
    expected_best_of_k,
)
from reportgen.analysis.design import check_design
from reportgen.analysis.findings import finding
from reportgen.analysis.infeasible import check_infeasible
from reportgen.analysis.isolation import isolation
from reportgen.analysis.launch import Arm, decide
from reportgen.analysis.objective import ScoredTrials, score_trials
from reportgen.analysis.playbook_extras import playbook_extras
from reportgen.analysis.stability import check_stability_edge
from reportgen.analysis.summary import summarize
from reportgen.analysis.variance import retrain_groups, study_variance, variance
from reportgen.schema import (
    Finding,
    Isolation,
    RetrainGroup,
    Role,
    Scalar,
    Severity,
    StudyAnalysis,
    StudySpec,
    TrialKind,
    TrialRecord,
)

__all__ = ["analyze_study"]

Hparams = dict[str, Scalar]


def _same(a: Scalar | None, b: Scalar | None) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, bool) or isinstance(b, bool):
            return a is b
        return float(a) == float(b)
    return a == b


def _of_kind(scored: ScoredTrials, kind: TrialKind) -> ScoredTrials:
    return scored.subset(np.array([t.kind is kind for t in scored.trials], dtype=bool))


def _best_index(search: ScoredTrials, pred: Callable[[Hparams], bool]) -> int | None:
    ok = [i for i in search.ranking() if pred(search.trials[i].hyperparameters)]
    return int(ok[0]) if ok else None


def _group_for(
    source: str | None,
    pred: Callable[[Hparams], bool],
    groups: list[RetrainGroup],
    retrains: ScoredTrials,
) -> RetrainGroup | None:
    """The retrain group of ``source``, else the largest group whose configuration matches."""
    if source is not None:
        for g in groups:
            if g.group == source:
                return g
    first = {}
    for t in retrains.trials:
        first.setdefault(t.group, t.hyperparameters)
    matching = [g for g in groups if g.group in first and pred(first[g.group])]
    return max(matching, key=lambda g: (g.n, g.group), default=None)


def _arms(
    spec: StudySpec,
    search: ScoredTrials,
    retrains: ScoredTrials,
    groups: list[RetrainGroup],
    baseline_trials: Sequence[TrialRecord] | None,
) -> tuple[Arm | None, Arm | None]:
    base = spec.baseline
    if base is None:
        return None, None
    scientific = spec.by_role(Role.SCIENTIFIC)
    if base.hyperparameter is not None:
        h, v = base.hyperparameter, base.value

        def is_base(hps: Hparams) -> bool:
            return h in hps and _same(hps[h], v)

        b = _best_index(search, is_base)
        b_id = search.trials[b].trial_id if b is not None else None
        baseline = Arm(f"{h}={v}", b_id, _group_for(b_id, is_base, groups, retrains))
        if spec.candidate is not None:
            c_value: Scalar | None = spec.candidate
            c = _best_index(search, lambda hps: h in hps and _same(hps[h], c_value))
        else:
            c = _best_index(search, lambda hps: h in hps and not is_base(hps))
            c_value = search.trials[c].hyperparameters[h] if c is not None else None
        if c_value is None:
            return None, baseline
        c_id = search.trials[c].trial_id if c is not None else None

        def is_cand(hps: Hparams) -> bool:
            return h in hps and _same(hps[h], c_value)

        return Arm(f"{h}={c_value}", c_id, _group_for(c_id, is_cand, groups, retrains)), baseline

    # the baseline is another study: its best trial's retrain group
    baseline = Arm(f"study {base.study}", None, None)
    if baseline_trials is not None:
        other = score_trials(baseline_trials, spec.objective)
        o_search = _of_kind(other, TrialKind.SEARCH)
        o_retrains = _of_kind(other, TrialKind.RETRAIN)
        o_groups = retrain_groups(o_retrains, spec.policy, lambda g, _m: f"retrain of {g}")
        b = _best_index(o_search, lambda _h: True)
        b_id = o_search.trials[b].trial_id if b is not None else None
        baseline = Arm(
            f"study {base.study}", b_id, _group_for(b_id, lambda _h: True, o_groups, o_retrains)
        )
    if spec.candidate is not None and scientific:
        h = scientific[0].name

        def pred(hps: Hparams) -> bool:
            return h in hps and _same(hps[h], spec.candidate)

        label = f"{h}={spec.candidate}"
    else:

        def pred(hps: Hparams) -> bool:
            return True

        label = f"study {spec.study_id}"
    c = _best_index(search, pred)
    if c is None:
        return None, baseline
    c_id = search.trials[c].trial_id
    return Arm(label, c_id, _group_for(c_id, pred, groups, retrains)), baseline


def _compared(
    iso: list[Isolation], search: ScoredTrials
) -> tuple[list[tuple[str, int]], float | None]:
    """Best trial of each scientific value (or the study's best), and the gap between the top two."""
    index = {t.trial_id: i for i, t in enumerate(search.trials)}
    if iso:
        pts = [p for p in iso[0].points if p.best_trial_id is not None]
        compared = [(p.label, index[p.best_trial_id]) for p in pts]  # type: ignore[index]
        scores = sorted(search.scores[i] for _, i in compared)
        gap = float(scores[1] - scores[0]) if len(scores) >= 2 else None
        return compared, gap
    ranking = search.ranking()
    return ([("", int(ranking[0]))] if len(ranking) else []), None


def analyze_study(
    spec: StudySpec,
    trials: Sequence[TrialRecord],
    *,
    baseline_trials: Sequence[TrialRecord] | None = None,
) -> StudyAnalysis:
    """Everything the report says about one revision of a study.

    ``trials`` are the revision's trials (search, retrain and rerun kinds); ``baseline_trials``
    are the other study's trials when ``spec.baseline.study`` names one.
    """
    policy = spec.policy
    rng = np.random.default_rng(policy.random_seed)
    ordered = sorted(trials, key=lambda t: t.trial_id)
    scored = score_trials(ordered, spec.objective)
    search = _of_kind(scored, TrialKind.SEARCH)
    retrains = _of_kind(scored, TrialKind.RETRAIN)
    reruns = _of_kind(scored, TrialKind.RERUN)

    summary = summarize(search, policy)
    iso = isolation(spec, search, policy)
    scientific = [hp.name for hp in spec.by_role(Role.SCIENTIFIC)]

    def label_of(group: str, members: list[int]) -> str:
        hps = retrains.trials[members[0]].hyperparameters
        values = ", ".join(f"{h}={hps[h]}" for h in scientific if h in hps)
        return f"retrain of {group}" + (f" ({values})" if values else "")

    groups = retrain_groups(retrains, policy, label_of)

    findings: list[Finding] = []
    findings += check_design(spec, policy)
    findings += check_infeasible(summary, policy)
    edges = check_stability_edge(spec, search, policy)
    findings += check_boundaries(
        spec, search, policy, skip_upper={f.subject.split(" (")[0] for f in edges}
    )
    findings += edges
    findings += check_near_best(search, policy)
    findings += check_best_so_far(search, policy)
    findings += check_coverage(spec, search, policy)
    compared, gap = _compared(iso, search)
    diagnoses = diagnose_all(search, policy)
    findings += check_curves(diagnoses, compared, gap, policy)
    lead, more, extras = playbook_extras(
        spec, ordered, search, diagnoses, findings, iso, baseline_trials
    )
    findings = lead + findings + more  # instability first: fix optimisation before anything else
    if not groups:
        findings.append(
            finding(
                "variance.no_retrains",
                Severity.WARNING,
                "No retrain groups: trial variance is not characterised, so no difference can be "
                f"told from seed noise. Run `reportgen retrain {spec.study_id} --trial best "
                f"--seeds {policy.min_retrains + 2}`.",
            )
        )

    candidate, baseline = _arms(spec, search, retrains, groups, baseline_trials)
    decision = decide(candidate, baseline, scored.sign, policy, spec.study_id, spec.override)
    return StudyAnalysis(
        study_id=spec.study_id,
        revision=spec.revision,
        objective=spec.objective,
        summary=summary,
        findings=findings,
        isolation=iso,
        variance=variance(
            groups, study_variance(search, reruns, policy, rng), expected_best_of_k(search)
        ),
        decision=decision,
        policy=policy,
        extras=extras,
    )

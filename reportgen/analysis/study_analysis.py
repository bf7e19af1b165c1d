"""The analysis pipeline of one study: ``analyze_study`` runs every check in a fixed order and
assembles the arms of the launch decision from the search, its retrains and its reruns."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from reportgen.analysis.adequacy import check_tuning_adequacy, uneven_caveat
from reportgen.analysis.boundaries import check_boundaries
from reportgen.analysis.budget import device_seconds
from reportgen.analysis.check_scope import check_scopes
from reportgen.analysis.commands import EXTERNAL, retrain_command
from reportgen.analysis.curves import check_curves, diagnose_all
from reportgen.analysis.density import (
    check_best_so_far,
    check_coverage,
    check_near_best,
    expected_best_of_k,
)
from reportgen.analysis.design import batch_caveat, check_design
from reportgen.analysis.estimand import choose as choose_estimand
from reportgen.analysis.estimand import rescored
from reportgen.analysis.findings import finding
from reportgen.analysis.infeasible import check_infeasible
from reportgen.analysis.isolation import check_isolation, isolation
from reportgen.analysis.launch import Arm, Draw, Setting
from reportgen.analysis.launch_decision import decide
from reportgen.analysis.noise import check_noise_floor, eval_examples_of, resolution_of
from reportgen.analysis.objective import ScoredTrials, examples_budget, score_trials
from reportgen.analysis.playbook_extras import playbook_extras
from reportgen.analysis.replication import with_replication
from reportgen.analysis.stability import check_stability_edge
from reportgen.analysis.summary import summarize
from reportgen.analysis.transfer import check_transfer, round_transfer
from reportgen.analysis.variance import (
    check_study_variance,
    pooled_std,
    retrain_groups,
    study_variance,
    variance,
)
from reportgen.schema import (
    Decision,
    Estimand,
    Finding,
    Isolation,
    RetrainGroup,
    Role,
    Scalar,
    Severity,
    StudyAnalysis,
    StudySpec,
    ThroughputRecord,
    TrialKind,
    TrialRecord,
)

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
    ranked = search.ranking()
    return next((int(i) for i in ranked if pred(search.trials[i].hyperparameters)), None)


def _group_for(
    source: str | None,
    pred: Callable[[Hparams], bool],
    groups: list[RetrainGroup],
    retrains: ScoredTrials,
) -> RetrainGroup | None:
    """The retrain group of ``source``, else the largest group whose configuration matches."""
    if source is not None and (named := next((g for g in groups if g.group == source), None)):
        return named
    first = {}
    for t in retrains.trials:
        first.setdefault(t.group, t.hyperparameters)
    matching = [g for g in groups if g.group in first and pred(first[g.group])]
    return max(matching, key=lambda g: (g.n, g.group), default=None)


def _natural(trial_id: str) -> tuple[str, int]:
    """Retrain order: ``src-rt10`` after ``src-rt9``."""
    head = trial_id.rstrip("0123456789")
    tail = trial_id[len(head) :]
    return head, int(tail) if tail else -1


def _draws(retrains: ScoredTrials, group: RetrainGroup | None) -> tuple[Draw, ...]:
    """Every retrain of ``group`` (feasible or not), in retrain order, on the decision's score."""
    if group is None:
        return ()
    idx = [i for i, t in enumerate(retrains.trials) if t.group == group.group]
    idx.sort(key=lambda i: _natural(retrains.trials[i].trial_id))
    out = []
    for i in idx:
        t = retrains.trials[i]
        if not retrains.feasible[i]:
            out.append(Draw(t.trial_id, float("nan"), reason=t.status_reason))
        else:
            out.append(Draw(t.trial_id, float(retrains.values[i])))
    return tuple(out)


def _seed_bests(
    search: ScoredTrials, reruns: ScoredTrials, pred: Callable[[Hparams], bool]
) -> dict[str, float]:
    """Best value among the trials ``pred`` accepts, for this search and each rerun group."""
    out: dict[str, float] = {}
    for name, part in (("", search), *_rerun_parts(reruns)):
        s = [part.scores[i] for i, t in enumerate(part.trials) if pred(t.hyperparameters)]
        s = [x for x in s if np.isfinite(x)]
        if s:
            out[name] = float(part.sign * min(s))
    return out


def _rerun_parts(reruns: ScoredTrials) -> list[tuple[str, ScoredTrials]]:
    groups = sorted({t.group for t in reruns.trials})
    return [
        (g, reruns.subset(np.array([t.group == g for t in reruns.trials], dtype=bool)))
        for g in groups
    ]


def _with_evidence(
    arm: Arm,
    pred: Callable[[Hparams], bool] | None,
    search: ScoredTrials,
    retrains: ScoredTrials,
    reruns: ScoredTrials | None,
    study_id: str = "",
) -> Arm:
    n_search = sum(1 for t in search.trials if pred is None or pred(t.hyperparameters))
    bests = _seed_bests(search, reruns, pred) if reruns is not None and pred is not None else {}
    draws = _draws(retrains, arm.group)
    return Arm(arm.label, arm.source_trial, arm.group, draws, n_search, bests, study_id)


def _value_arm(
    h: str,
    value: Scalar,
    search: ScoredTrials,
    retrains: ScoredTrials,
    groups: list[RetrainGroup],
    reruns: ScoredTrials,
) -> Arm:
    def pred(hps: Hparams) -> bool:
        return h in hps and _same(hps[h], value)

    i = _best_index(search, pred)
    source = search.trials[i].trial_id if i is not None else None
    arm = Arm(f"{h}={value}", source, _group_for(source, pred, groups, retrains))
    return _with_evidence(arm, pred, search, retrains, reruns)


def _arms(
    spec: StudySpec,
    search: ScoredTrials,
    retrains: ScoredTrials,
    groups: list[RetrainGroup],
    baseline_trials: Sequence[TrialRecord] | None,
    reruns: ScoredTrials,
    estimand: Estimand,
) -> tuple[list[Arm], Arm | None]:
    """The compared values (best searched first) and the baseline arm."""
    base = spec.baseline
    if base is None:
        return [], None
    scientific = spec.by_role(Role.SCIENTIFIC)
    if base.hyperparameter is not None:
        h, v = base.hyperparameter, base.value
        baseline = _value_arm(h, v, search, retrains, groups, reruns)  # type: ignore[arg-type]
        if spec.candidate is not None:
            values: list[Scalar] = [spec.candidate]
        else:
            values = []
            for i in search.ranking():
                hps = search.trials[i].hyperparameters
                if h in hps and not _same(hps[h], v) and not any(_same(hps[h], x) for x in values):
                    values.append(hps[h])
        arms = [_value_arm(h, x, search, retrains, groups, reruns) for x in values]
        return [a for a in arms if a.source_trial is not None or a.draws], baseline

    # the baseline is another study: its best trial's retrain group, on the same score
    baseline = Arm(f"study {base.study}", None, None, study_id=base.study or "")
    if baseline_trials is not None:
        other = rescored(score_trials(baseline_trials, spec.objective), estimand)
        o_search = _of_kind(other, TrialKind.SEARCH)
        o_retrains = _of_kind(other, TrialKind.RETRAIN)
        o_groups = retrain_groups(o_retrains, spec.policy, lambda g, _m: f"retrain of {g}")
        b = _best_index(o_search, lambda _h: True)
        b_id = o_search.trials[b].trial_id if b is not None else None
        baseline = _with_evidence(
            Arm(
                f"study {base.study}",
                b_id,
                _group_for(b_id, lambda _h: True, o_groups, o_retrains),
            ),
            None,
            o_search,
            o_retrains,
            None,
            base.study or "",
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
        return [], baseline
    c_id = search.trials[c].trial_id
    cand = Arm(label, c_id, _group_for(c_id, pred, groups, retrains))
    return [_with_evidence(cand, pred, search, retrains, None)], baseline


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


def _decision(
    spec: StudySpec,
    scored: ScoredTrials,
    candidates: list[Arm],
    baseline: Arm | None,
    estimand: Estimand,
    n_reruns: int,
) -> Decision:
    # each trial's own share of device time: a vectorised group's wall time is shared by its
    # trials (the record's wall_seconds is the whole group's)
    walls = [s for s in (device_seconds(t)[0] for t in scored.trials) if s > 0]
    setting = Setting(
        study_id=spec.study_id,
        metric=spec.objective.metric,
        eval_examples=eval_examples_of(scored.trials),
        has_nuisance=bool(spec.by_role(Role.NUISANCE)),
        late_score=estimand.score == "late_half_mean",
        baseline_study=spec.baseline.study if spec.baseline is not None else None,
        external=spec.workload.name == EXTERNAL,
        trial_budget=spec.trial_budget,
        reruns_done=n_reruns,
        seconds_per_trial=float(np.median(walls)) if walls else None,
    )
    return decide(candidates, baseline, scored.sign, spec.policy, setting, spec.override, estimand)


def analyze_study(
    spec: StudySpec,
    trials: Sequence[TrialRecord],
    *,
    baseline_trials: Sequence[TrialRecord] | None = None,
    previous_round_trials: Sequence[TrialRecord] | None = None,
    throughput: ThroughputRecord | None = None,
    importance: bool = True,
) -> StudyAnalysis:
    """Everything the report says about one revision of a study.

    ``trials`` are the revision's trials (search, retrain, rerun and probe kinds);
    ``baseline_trials`` are the other study's trials when ``spec.baseline.study`` names one;
    ``previous_round_trials`` the previous round's when ``spec.round.previous`` names one;
    ``throughput`` the study's throughput probe (``throughput.json``) when it was run;
    ``importance=False`` leaves out the hyperparameter importance only a page draws."""
    policy = spec.policy
    external = spec.workload.name == EXTERNAL
    probes = [t for t in trials if t.kind is TrialKind.PROBE]  # never scored: see loss_spikes
    ordered = sorted((t for t in trials if t.kind is not TrialKind.PROBE), key=lambda t: t.trial_id)
    scored = score_trials(ordered, spec.objective, examples_budget(spec))
    search = _of_kind(scored, TrialKind.SEARCH)
    retrains = _of_kind(scored, TrialKind.RETRAIN)
    reruns = _of_kind(scored, TrialKind.RERUN)

    summary = summarize(search, policy, resolution_of(spec.objective.metric, ordered))
    scientific = [hp.name for hp in spec.by_role(Role.SCIENTIFIC)]

    def label_of(group: str, members: list[int]) -> str:
        hps = retrains.trials[members[0]].hyperparameters
        values = ", ".join(f"{h}={hps[h]}" for h in scientific if h in hps)
        return f"retrain of {group}" + (f" ({values})" if values else "")

    # one score for every number beside the decision (retrain table, isolation, variance)
    labels = {
        g: label_of(g, [i for i, t in enumerate(retrains.trials) if t.group == g])
        for g in sorted({t.group for t in retrains.trials})
    }
    estimand = choose_estimand(spec.objective, retrains, policy, labels)
    d_scored = rescored(scored, estimand)
    d_search = _of_kind(d_scored, TrialKind.SEARCH)
    d_retrains = _of_kind(d_scored, TrialKind.RETRAIN)
    d_reruns = _of_kind(d_scored, TrialKind.RERUN)
    iso = isolation(spec, d_search, policy)
    groups = retrain_groups(d_retrains, policy, label_of)

    findings: list[Finding] = []
    findings += check_design(spec, policy)
    findings += check_infeasible(summary, policy)
    edges = check_stability_edge(spec, search, policy)
    edge_names = {f.subject.split(" (")[0] for f in edges}
    findings += check_boundaries(spec, search, policy, skip_upper=edge_names)
    findings += edges
    findings += check_near_best(search, policy, pooled_std(groups))
    findings += check_best_so_far(search, policy)
    findings += check_coverage(spec, search, policy)
    findings += check_isolation(spec, iso, policy)
    adequacy = check_tuning_adequacy(spec, d_search, policy)
    findings += adequacy
    compared, gap = _compared(iso, d_search)
    diagnoses = diagnose_all(search, policy)
    findings += check_curves(diagnoses, compared, gap, policy)
    lead, more, extras = playbook_extras(
        spec, ordered, search, diagnoses, findings, iso, baseline_trials, throughput, probes,
        importance,
    )
    findings = lead + findings + more  # instability first: fix optimisation before anything else
    if not groups:
        findings.append(
            finding(
                "variance.no_retrains",
                Severity.WARNING,
                "No retrain groups: trial variance is not characterised, so no difference can be "
                "told from seed noise. Run "
                f"{retrain_command(spec.study_id, 'best', policy.min_retrains + 2, external)}.",
            )
        )

    study_var = study_variance(d_search, d_reruns, policy.false_adopt_rate)
    findings += check_study_variance(study_var, spec.study_id, policy, external)
    candidates, baseline = _arms(spec, d_search, d_retrains, groups, baseline_trials, d_reruns,
                                 estimand)  # fmt: skip
    n_reruns = len({t.group for t in reruns.trials})
    decision = _decision(spec, scored, candidates, baseline, estimand, n_reruns)
    compared_labels = (decision.candidate_label, decision.baseline_label)
    caveats = uneven_caveat(adequacy, compared_labels) + batch_caveat(findings, compared_labels, spec)
    if caveats:
        decision = decision.model_copy(update={"caveats": [*decision.caveats, *caveats]})
    extras = with_replication(spec, extras, search, decision)
    gaps = {"gap between the best compared values": gap, "decision effect": decision.effect}
    findings += check_noise_floor(spec.objective.metric, gaps, eval_examples_of(ordered))
    if previous_round_trials is not None:
        before = [t for t in previous_round_trials if t.kind is TrialKind.SEARCH]
        transfer = round_transfer(
            spec,
            search,
            score_trials(sorted(before, key=lambda t: t.trial_id), spec.objective),
            max((t.max_train_steps for t in before), default=0),
        )
        findings += check_transfer(transfer)
        extras = extras.model_copy(update={"transfer": transfer})
    return StudyAnalysis(
        study_id=spec.study_id,
        revision=spec.revision,
        objective=spec.objective,
        summary=summary,
        findings=findings,
        isolation=iso,
        variance=variance(groups, study_var, expected_best_of_k(search)),
        decision=decision,
        policy=policy,
        extras=extras,
        scopes=check_scopes(spec, search, summary, diagnoses, iso, decision, edge_names),
    )

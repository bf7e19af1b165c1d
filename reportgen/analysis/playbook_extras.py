"""The playbook chapters beyond the core checks, run as one step of ``analyze_study``.

Each piece lives in its own module (``regime``, ``loss_spikes``, ``gradient_norms``,
``schedule``, ``budget``, ``importance``, ``sanity``, ``trade_offs``); this module only calls
them in a fixed order and gathers their findings and results.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportgen.analysis.batch_scaling import (
    batch_size_view,
    check_batch_size,
    retune_after_batch_change,
)
from reportgen.analysis.budget import budget_card, check_records, check_search_design, resources
from reportgen.analysis.curves import CurveDiagnosis
from reportgen.analysis.early_probe import check_early_probes, read_probes
from reportgen.analysis.findings import finding
from reportgen.analysis.gradient_norms import check_grad_norms
from reportgen.analysis.hyperparameters import coordinate_on
from reportgen.analysis.importance import METHOD, hyperparameter_importance, interaction_cells
from reportgen.analysis.initial_steps import check_initial_steps, initial_steps
from reportgen.analysis.loss_spikes import check_instability
from reportgen.analysis.objective import ScoredTrials
from reportgen.analysis.regime import check_regime, rounds_view, training_regime
from reportgen.analysis.sanity import (
    check_optimizer_record,
    check_sanity,
    check_splits,
    provenance,
    sanity_card,
)
from reportgen.analysis.schedule import check_schedule
from reportgen.analysis.schedule_extension import extend_schedule
from reportgen.analysis.trade_offs import check_trade_offs, trade_off_views
from reportgen.schema import Finding, Isolation, Scale, Severity, StudySpec, TrialRecord
from reportgen.schema.batch_size import ThroughputRecord
from reportgen.schema.playbook import Checkpoint, Importance, ParallelPoint, PlaybookExtras


def _checkpoints(search: ScoredTrials, k: int) -> list[Checkpoint]:
    out = []
    for i in search.ranking()[:k]:
        t = search.trials[int(i)]
        best = float(search.values[int(i)])
        final = t.final_value
        gap = search.sign * (final - best) if final is not None else None
        out.append(Checkpoint(trial_id=t.trial_id, best_step=search.best_steps[int(i)],
                              best_value=best, final_value=final, gap=gap))
    return out


def _eval_settings(spec: StudySpec, trials: Sequence[TrialRecord]) -> list[tuple[str, str]]:
    out = [(m, f"periodic: every {spec.eval_every} steps during training")
           for m in ("train_loss", "valid_loss", "valid_error")]
    tests = sorted({k for t in trials for k in t.test_metrics})
    out += [(m, "offline: held-out test set, best checkpoint, after training") for m in tests]
    return out


def _parallel(spec: StudySpec, search: ScoredTrials) -> list[ParallelPoint]:
    ranks = {int(i): r for r, i in enumerate(search.ranking(), 1)}
    out = []
    for hp in spec.varied:
        at = coordinate_on(hp)
        for i, t in enumerate(search.trials):
            v = t.hyperparameters.get(hp.name)
            if v is None:
                continue
            if hp.scale is Scale.CATEGORICAL:
                vals = list(hp.values or [])
                c = vals.index(v) / max(len(vals) - 1, 1) if v in vals else 0.5
            elif isinstance(v, bool | str):
                continue
            else:
                c = at(v)
            value = float(search.values[i]) if search.feasible[i] else None
            out.append(ParallelPoint(trial_id=t.trial_id, hyperparameter=hp.name,
                                     coordinate=round(c, 6), value=value, rank=ranks.get(i)))
    return out


def playbook_extras(
    spec: StudySpec,
    trials: Sequence[TrialRecord],
    search: ScoredTrials,
    diagnoses: Sequence[CurveDiagnosis | None],
    findings_so_far: Sequence[Finding],
    iso: Sequence[Isolation],
    baseline_trials: Sequence[TrialRecord] | None = None,
    throughput: ThroughputRecord | None = None,
    probes: Sequence[TrialRecord] = (),
    importance: bool = True,
) -> tuple[list[Finding], list[Finding], PlaybookExtras]:
    """(instability findings that lead the page, other findings, the extra results);
    ``probes``: the revision's early-instability probe trials."""
    policy = spec.policy
    lead, rest = [], []
    unstable, episodes, above, menu = check_instability(spec, search, policy, bool(probes))
    lead += unstable
    early = read_probes(probes, policy)
    lead += check_early_probes(spec, early)
    grad, grad_stats = check_grad_norms(search, policy)
    lead += grad
    regime = training_regime(diagnoses, policy)
    rest += check_regime(spec, regime)
    steps_from_sweep = initial_steps(spec, search, policy)
    rest += check_initial_steps(spec, steps_from_sweep)
    sched, shares, warmup_rows = check_schedule(spec, search, policy)
    rest += sched
    rest += check_records(spec, trials)
    rest += check_optimizer_record(trials)
    rest += check_search_design(spec, findings_so_far)
    batch = batch_size_view(spec, search, throughput)
    rest += check_batch_size(batch, spec)
    rest += retune_after_batch_change(spec)
    trade_offs = trade_off_views(spec.trade_offs, spec.workload.settings, search)
    rest += check_trade_offs(trade_offs, spec.objective)
    card = sanity_card(spec, search)
    rest += check_sanity(card)
    rest += check_splits(trials, baseline_trials)
    if any(f.key == "search_space.stability_edge" for f in findings_so_far):
        rest.append(
            finding(
                "instability.warmup_protocol",
                Severity.INFO,
                "To confirm the edge, train once at 5× or 10× the best learning rate and look "
                "for a sudden jump in the loss. Then study warmup: base learning rate 10× the "
                "unstable one, warmup_steps swept over orders of magnitude (10, 1000, 10000), "
                "a constant stretch of twice the warmup after it, and keep the shortest warmup "
                "that trains (at most 10% of max_train_steps).",
            )
        )
    ranked = (  # scikit-learn's forest: only where a page draws it (not `reportgen analyze`)
        hyperparameter_importance(spec, search, policy.random_seed) if importance
        else Importance(method=METHOD, available=False, message="not computed here")
    )
    best_per_value = {
        p.label: p.best_trial_id for i in iso[:1] for p in i.points if p.best_trial_id
    }
    fractions = {
        t.trial_id: s / t.max_train_steps
        for t, s, ok in zip(search.trials, search.best_steps, search.feasible, strict=True)
        if ok and s is not None
    }
    rounds = rounds_view(spec, regime)
    ranking = search.ranking()
    extension = (
        extend_schedule(search.trials[int(ranking[0])], rounds.proposed_next_steps)
        if rounds.proposed_next_steps and len(ranking)
        else None
    )
    extras = PlaybookExtras(
        regime=regime,
        rounds=rounds,
        schedule_extension=extension,
        grad_norms=grad_stats,
        spikes=episodes,
        unstable_trials=above,
        fix_menu=menu,
        warmup=warmup_rows,
        warmup_share=shares,
        importance=ranked,
        budget=budget_card(spec, search),
        sanity=card,
        resources=resources(trials),
        provenance=provenance(spec, trials),
        best_per_value=best_per_value,
        interaction=interaction_cells(spec, search, ranked.top_pair),
        parallel=_parallel(spec, search),
        best_step_fractions=fractions,
        checkpoints=_checkpoints(search, policy.top_k),
        eval_settings=_eval_settings(spec, trials),
        batch_size=batch,
        trade_offs=trade_offs,
        early_probes=early,
        initial_steps=steps_from_sweep,
    )
    return lead, rest, extras

"""Context of the playbook-coverage sections of a study page (stability, steps and rounds,
schedule, gradient norms, insight, budget, resources, starting point, provenance)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reportgen.guidance import GUIDANCE
from reportgen.pages import notes
from reportgen.pages.context import Chart, KeyValue, Note
from reportgen.pages.escape import chart_html
from reportgen.pages.format import fmt, fmt_measured
from reportgen.pages.icons import badge
from reportgen.pages.sweep_sections import (
    early_probe_rows,
    initial_steps_rows,
    initial_steps_summary,
)
from reportgen.schema import StudyAnalysis, StudySpec
from reportgen.schema.playbook import GradNormStats

SHOWN_ROWS = 10  # rows of a long table shown before the rest is collapsed


@dataclass(frozen=True)
class CheckRun:
    """One check of the registry, whether it fired on this study, and its playbook link."""

    key: str
    title: str
    status: Markup  # a warning badge with the count when it fired; "no finding" (no tick) else
    url: Markup


@dataclass(frozen=True)
class PlaybookSections:
    scope: Note
    stability_note: Note
    fix_menu: tuple[str, ...]
    spikes: tuple[KeyValue, ...]  # the largest episodes first, at most SHOWN_ROWS
    above_best_chart: Chart | None
    steps_note: Note
    regime: str
    regime_reason: str
    best_step_chart: Chart | None
    rounds_note: Note
    rounds: tuple[KeyValue, ...]
    proposal: str
    transfer: tuple[KeyValue, ...]
    verdict_warning: str
    extension: str
    extension_chart: Chart | None
    schedule_note: Note
    lr_chart: Chart | None
    warmup: tuple[KeyValue, ...]
    gradients_note: Note
    grad_chart: Chart | None
    grad_rows: tuple[KeyValue, ...]
    insight_note: Note
    importance_message: str
    importance: tuple[KeyValue, ...]
    parallel_chart: Chart | None
    interaction_chart: Chart | None
    best_so_far_chart: Chart | None
    budget_note: Note
    budget: tuple[KeyValue, ...]
    resources_note: Note
    resources: tuple[KeyValue, ...]
    start_note: Note
    start: tuple[KeyValue, ...]
    provenance_note: Note
    provenance: tuple[KeyValue, ...]
    best_per_value_chart: Chart | None
    checkpoints_note: Note
    checkpoints: tuple[KeyValue, ...]
    eval_note: Note
    eval_settings: tuple[KeyValue, ...]
    checks_run: tuple[CheckRun, ...]
    rules_note: Note
    rules: tuple[KeyValue, ...]
    convention: str
    # the previous round's configurations trained again here (round.previous)
    round_transfer_summary: str = ""
    round_transfer_columns: tuple[str, str] = ("", "")
    round_transfer: tuple[KeyValue, ...] = ()
    spikes_more: tuple[KeyValue, ...] = ()  # the rest, in a collapsed block
    spikes_more_label: str = ""
    # the early-instability probes run on this revision (`reportgen run --probe early`)
    early_probe_note: Note | None = None
    early_probes: tuple[KeyValue, ...] = ()
    early_probe_chart: Chart | None = None
    # a learning-rate sweep's initial step budget (item 42)
    initial_steps_note: Note | None = None
    initial_steps_summary: str = ""
    initial_steps: tuple[KeyValue, ...] = ()


def _note(name: str) -> Note:
    g = notes.section(name)
    return Note(g.title, g.note, notes.playbook_url(g.anchor))


def _chart(charts: dict[str, Any], name: str) -> Chart | None:
    spec = charts.get(name)
    return Chart(name, chart_html(spec, f"pb-{name.replace('_', '-')}")) if spec else None


def _checks_run(analysis: StudyAnalysis) -> tuple[CheckRun, ...]:
    """Every check in the registry with its outcome here: a check that stays silent shows too."""
    fired: dict[str, int] = {}
    for f in analysis.findings:
        fired[f.key] = fired.get(f.key, 0) + 1
    return tuple(
        CheckRun(
            key=key,
            title=g.title,
            # silence is not a pass: a check that found nothing may not have applied here
            status=(
                badge("warning") + Markup(f" fired ({fired[key]})")
                if key in fired
                else Markup("no finding")
            ),
            url=notes.playbook_url(g.anchor),
        )
        for key, g in sorted(GUIDANCE.items())
        if not key.startswith("section.")
    )


def _clip_text(g: GradNormStats) -> str:
    """The clip start the record supports: the 90th percentile of every step's norm where the
    record keeps each step, else the range of its per-interval 90th percentiles, so named."""
    if g.suggested_clip is not None:
        return f"suggested clip {fmt(g.suggested_clip)} (p90 of step norms)"
    if g.interval_p90_low is not None and g.interval_p90_high is not None:
        return (
            f"per-interval p90 {fmt(g.interval_p90_low)} to {fmt(g.interval_p90_high)} "
            "(p90 of all step norms not recorded)"
        )
    return "p90 of step norms not recorded"


def playbook_sections(
    spec: StudySpec, analysis: StudyAnalysis, charts: dict[str, Any]
) -> PlaybookSections:
    e = analysis.extras
    unit = analysis.summary.resolution
    spikes = tuple(
        KeyValue(s.trial_id, f"steps {s.start_step}–{s.end_step}",
                 f"{s.peak_ratio:.2f}× running minimum, {s.phase}")
        for s in sorted(e.spikes, key=lambda s: (-s.peak_ratio, s.trial_id, s.start_step))
    )
    r = e.rounds
    rounds = ()
    if r is not None:
        rounds = (
            KeyValue("round", f"{r.index} of {r.planned_rounds}"),
            KeyValue("steps this round", f"{r.max_train_steps} ({r.fraction:.0%} of production)"),
            KeyValue("production step budget", str(r.production_steps)),
            KeyValue("proposed next round", str(r.proposed_next_steps or "—")),
        )
    warning = ""
    if any(f.key == "regime.short_run_transfer" for f in analysis.findings):
        warning = next(f.message for f in analysis.findings if f.key == "regime.short_run_transfer")
    imp = e.importance
    budget = ()
    if e.budget is not None:
        b = e.budget
        budget = (
            KeyValue("scientific values", str(b.n_scientific_values)),
            *(KeyValue(f"trials at {k}", str(v)) for k, v in b.trials_per_value.items()),
            *(KeyValue(f"range of {k}", v) for k, v in b.nuisance_widths.items()),
            KeyValue("search trials / budget", f"{b.n_search_trials} / {b.trial_budget}"),
            KeyValue("sampler", b.sampler),
        )
    res = ()
    if e.resources is not None:
        x = e.resources
        res = (
            KeyValue("device", x.device),
            KeyValue("devices per group", x.devices or "not recorded"),
            KeyValue("device-hours (study, times devices)", fmt(x.total_accelerator_hours)),
            KeyValue("device-hours per trial", fmt(x.per_trial_hours)),
            KeyValue("mean seconds per step", fmt(x.mean_step_seconds)),
            KeyValue("compile seconds", fmt(x.compile_seconds)),
        )
    start = ()
    if e.sanity is not None:
        c = e.sanity
        start = (
            KeyValue("chance level", fmt(c.chance_level) if c.chance_level is not None
                     else "not recorded (set chance_level in the spec)"),
            KeyValue("best value", fmt_measured(c.best_value, unit)),
            KeyValue("margin over chance", fmt_measured(c.margin, unit)),
            *(KeyValue(k, v) for k, v in c.simple_start),
        )
    prov = ()
    rules = ()
    if e.provenance is not None:
        p = e.provenance
        prov = (
            KeyValue("task", p.task),
            KeyValue("model family", p.model_family or "not recorded"),
            KeyValue("reference", p.model_reference or "not recorded"),
            *(KeyValue(k, v) for k, v in p.setup),
            *(KeyValue(k, v) for k, v in p.variance_sources),
            KeyValue("data splits", "; ".join(p.data_splits) or "not recorded"),
        )
        rules = tuple(KeyValue(o, rule) for o, rule in p.optimizer_rules)
    return PlaybookSections(
        scope=_note("scope"),
        stability_note=_note("stability"),
        fix_menu=tuple(e.fix_menu),
        spikes=spikes[:SHOWN_ROWS],
        spikes_more=spikes[SHOWN_ROWS:],
        spikes_more_label=(
            f"{len(spikes) - SHOWN_ROWS} smaller loss-spike episodes"
            if len(spikes) > SHOWN_ROWS else ""
        ),
        above_best_chart=_chart(charts, "above_best"),
        early_probe_note=_note("early_probe") if e.early_probes else None,
        early_probes=early_probe_rows(e.early_probes),
        early_probe_chart=_chart(charts, "early_probe"),
        initial_steps_note=_note("initial_steps") if e.initial_steps else None,
        initial_steps_summary=initial_steps_summary(e.initial_steps),
        initial_steps=initial_steps_rows(e.initial_steps),
        steps_note=_note("steps"),
        regime=e.regime.label if e.regime else "unclear",
        regime_reason=e.regime.reason if e.regime else "",
        best_step_chart=_chart(charts, "best_step"),
        rounds_note=_note("rounds"),
        rounds=rounds,
        proposal=r.proposal if r else "",
        transfer=tuple(KeyValue(n, lk) for n, lk in (r.transfer if r else [])),
        verdict_warning=warning,
        extension=(
            f"Extending {e.schedule_extension.trial_id}'s {e.schedule_extension.family} schedule: "
            f"{e.schedule_extension.how}. Steps at half the peak rate or more: "
            f"{e.schedule_extension.old_share_high:.0%} now, "
            f"{e.schedule_extension.new_share_high:.0%} extended this way"
            + (f", {e.schedule_extension.stretched_share_high:.0%} if simply stretched"
               if e.schedule_extension.family == "linear" else "")
            + "."
            if e.schedule_extension
            else ""
        ),
        extension_chart=_chart(charts, "schedule_extension"),
        schedule_note=_note("schedule"),
        lr_chart=_chart(charts, "learning_rate"),
        warmup=tuple(
            KeyValue(w.base_learning_rate, str(w.shortest_feasible_warmup)
                     if w.shortest_feasible_warmup is not None else "none feasible",
                     ", ".join(map(str, w.warmups_tried)))
            for w in e.warmup
        ),
        gradients_note=_note("gradients"),
        grad_chart=_chart(charts, "grad_norm"),
        grad_rows=tuple(
            KeyValue(g.trial_id,
                     f"mean {fmt(g.mean)} · p90 {fmt(g.p90)} · max {fmt(g.max)}"
                     if g.interval_stats else
                     f"mean {fmt(g.mean)} · max of interval means {fmt(g.max)} (older record: "
                     "no per-step max, p90 or clipped fraction)",
                     f"clip {fmt(g.clip) if g.clip else 'off'}; clipped "
                     f"{'—' if g.clipped_fraction is None else f'{g.clipped_fraction:.0%}'}; "
                     + _clip_text(g))
            for g in e.grad_norms
        ),
        insight_note=_note("insight"),
        importance_message=("" if imp is None or imp.available else imp.message)
        + (f" Method: {imp.method}." if imp else ""),
        importance=tuple(KeyValue(k, f"{v:.0%}") for k, v in (imp.values.items() if imp else [])),
        parallel_chart=_chart(charts, "parallel"),
        interaction_chart=_chart(charts, "interaction"),
        best_so_far_chart=_chart(charts, "best_so_far"),
        budget_note=_note("budget"),
        budget=budget,
        resources_note=_note("resources"),
        resources=res,
        start_note=_note("start"),
        start=start,
        provenance_note=_note("provenance"),
        provenance=prov,
        best_per_value_chart=_chart(charts, "best_per_value"),
        round_transfer_summary=next(
            (f.message for f in analysis.findings if f.key == "rounds.transfer"), ""
        ),
        round_transfer_columns=(
            (
                f"{e.transfer.previous_study} ({e.transfer.previous_steps} steps)",
                f"this round ({e.transfer.steps} steps)",
            )
            if e.transfer
            else ("", "")
        ),
        round_transfer=tuple(
            KeyValue(
                row.label,
                f"{fmt(row.previous_value)} (rank {row.previous_rank}, {row.previous_trial})",
                f"{fmt(row.value)} (rank {row.rank}, {row.trial})",
            )
            for row in (e.transfer.rows if e.transfer else [])
        ),
        checkpoints_note=_note("checkpoints"),
        checkpoints=tuple(
            KeyValue(c.trial_id, f"best {fmt_measured(c.best_value, unit)} at step {c.best_step}",
                     f"final {fmt_measured(c.final_value, unit)}; gap {fmt_measured(c.gap, unit)}")
            for c in e.checkpoints
        ),
        eval_note=_note("eval_settings"),
        eval_settings=tuple(KeyValue(m, s) for m, s in e.eval_settings),
        checks_run=_checks_run(analysis),
        rules_note=_note("update_rules"),
        rules=rules,
        convention=e.provenance.convention if e.provenance else "",
    )

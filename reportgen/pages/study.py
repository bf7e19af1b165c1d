"""Build the context of a study page from its spec, analysis, chart specs and record metadata."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from reportgen.guidance import Guidance
from reportgen.pages import notes
from reportgen.pages.batch_size import batch_size_section
from reportgen.pages.checklist import OPEN, checklist
from reportgen.pages.checkpoints import checkpoints_line
from reportgen.pages.context import (
    Chart,
    CheckItem,
    ComparisonLine,
    DecisionCard,
    HparamRow,
    KeyValue,
    Link,
    Note,
    RetrainRow,
    RevisionPointer,
    StudyPage,
    SummaryCard,
)
from reportgen.pages.escape import chart_html, html_block_text, md_text_code
from reportgen.pages.format import fmt, fmt_interval, fmt_measured, fmt_scalar
from reportgen.pages.playbook_sections import playbook_sections
from reportgen.pages.replication import replication_section
from reportgen.pages.reproduce import reproduce_line
from reportgen.pages.revisions import (
    Lineage,
    RevisionSummary,
    history_rows,
    lineage_lines,
)
from reportgen.pages.trade_offs import trade_off_section
from reportgen.pages.trials import TABLE_ROWS_MAX, download_name, trial_rows
from reportgen.schema import Hyperparameter, Role, Scale, StudyAnalysis, StudySpec, TrialPoint

VERDICT_ADMONITION = {"adopt": "success", "reject": "failure", "inconclusive": "warning"}


@dataclass(frozen=True)
class RecordMeta:
    """Facts about the records behind a page that the analysis does not carry."""

    digest: str
    code_versions: tuple[str, ...]
    first_date: str
    last_date: str
    latest_revision: int
    history: tuple[RevisionSummary, ...]
    generator: str
    checkpointed: int = 0  # trials whose records name their best checkpoints
    commands: tuple[str, ...] = ()  # the commands the trials record, oldest first
    trial_count: int = 0
    lineage: Lineage = field(default_factory=Lineage)  # records_from, both ways


@dataclass(frozen=True)
class StudyCharts:
    """Vega-Lite specs of one page, in page order; ``curves_caption`` explains the downsampling."""

    axis: tuple[tuple[str, dict[str, Any]], ...] = ()
    curves: tuple[tuple[str, dict[str, Any]], ...] = ()
    isolation: tuple[tuple[str, dict[str, Any]], ...] = ()
    variance: dict[str, Any] | None = None
    expected_best: dict[str, Any] | None = None
    curves_caption: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    trade_offs: tuple[tuple[str, dict[str, Any]], ...] = ()  # (metric, spec) per trade-off


def _note(g: Guidance) -> Note:
    return Note(g.title, g.note, notes.playbook_url(g.anchor))


def _range(hp: Hyperparameter) -> str:
    if hp.role is Role.FIXED:
        return f"= {fmt_scalar(hp.value)}"
    if hp.scale in (Scale.LINEAR, Scale.LOG):
        return f"[{fmt(hp.low)}, {fmt(hp.high)}]"
    return "{" + ", ".join(fmt_scalar(v) for v in hp.values or []) + "}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def infeasible_rows(points: list[TrialPoint], by_reason: dict[str, int]) -> tuple[KeyValue, ...]:
    """One row per kind of infeasible reason: the count, and one real reason as the example."""
    # imported here: the analysis package (scipy) is not needed to render the studies index
    from reportgen.analysis.summary import reason_examples

    example = reason_examples(points)
    rows = []
    for kind, n in sorted(by_reason.items()):
        p = example.get(kind)
        shown = f"{p.status_reason} (e.g. {p.trial_id})" if p else (kind or "no reason given")
        rows.append(KeyValue(f"infeasible ({_plural(n, 'trial')})", shown))
    return tuple(rows)


def _charts(prefix: str, specs: tuple[tuple[str, dict[str, Any]], ...]) -> tuple[Chart, ...]:
    return tuple(
        Chart(title, chart_html(spec, f"{prefix}-{i}")) for i, (title, spec) in enumerate(specs)
    )


def _front_title(title: str, revision: int, latest: bool) -> Markup:
    """The page title in the front matter (the nav label): the study's own title, HTML-escaped
    (MkDocs puts titles into its pages unescaped) and written as a JSON string (valid YAML, so
    no record text can break the front matter)."""
    suffix = "" if latest else f" (r{revision})"
    text = html.escape(" ".join(f"{title}{suffix}".split()), quote=True)
    return Markup(json.dumps(text, ensure_ascii=True))


def _decision(a: StudyAnalysis) -> DecisionCard:
    d = a.decision
    p = d.policy
    policy = tuple(
        KeyValue(name, fmt_scalar(getattr(p, name)), info.description or "")
        for name, info in type(p).model_fields.items()
    )
    o = d.override
    comparisons = tuple(
        ComparisonLine(
            c.candidate_label,
            (
                fmt(c.effect),
                fmt_interval(c.ci_low, c.ci_high),
                f"{c.level:.2%}" if c.level is not None else "n/a",
                f"{c.n_candidate} / {c.n_baseline}",
                str(c.verdict),
            ),
        )
        for c in d.comparisons
    )
    seeds = tuple(
        ComparisonLine(r.seed, (fmt(r.candidate), fmt(r.baseline), fmt(r.difference), r.source))
        for r in (d.comparisons[0].seeds if d.comparisons else [])
    )
    return DecisionCard(
        score=d.estimand.label if d.estimand is not None else a.objective.metric,
        comparisons=comparisons if len(comparisons) > 1 else (),
        seeds=seeds,
        verdict=str(d.verdict),
        admonition=VERDICT_ADMONITION.get(str(d.verdict), "note"),
        candidate=d.candidate_label,
        baseline=d.baseline_label,
        effect=fmt(d.effect),
        interval=fmt_interval(d.ci_low, d.ci_high),
        retrains_needed="" if d.retrains_needed is None else str(d.retrains_needed),
        reason=md_text_code(d.reason),
        next_step=md_text_code(d.next_step),
        override_verdict=str(o.verdict) if o else "",
        override_reason=o.reason if o else "",
        override_by=(o.by + (f", {o.date.isoformat()}" if o.date else "")) if o else "",
        policy=policy,
        procedure=d.procedure,
    )


def summary_card(
    spec: StudySpec, a: StudyAnalysis, items: tuple[CheckItem, ...], records: tuple[str, ...] = ()
) -> SummaryCard:
    """The card at the top of the page: the answer before any chart."""
    d = a.decision
    o = d.override
    verdict = str(o.verdict) if o else str(d.verdict)
    open_checks = tuple(
        Link(f"{i.title} ({i.status})", Markup(f"#{i.anchor}")) for i in items if i.status in OPEN
    )
    n = len(open_checks)
    headline = verdict + (f" — {_plural(n, 'check')} open" if n else "")
    score = d.estimand.label if d.estimand is not None else a.objective.metric
    if d.effect is None:
        effect = (
            f"no effect estimate yet on {score} ({d.candidate_label} against "
            f"{d.baseline_label}; positive will mean candidate better)"
        )
    else:
        level = 1 - 2 * d.policy.false_adopt_rate
        effect = f"{d.effect:+.4g}"
        if d.ci_low is not None and d.ci_high is not None:
            effect += f", {level:.0%} interval {fmt_interval(d.ci_low, d.ci_high)}"
        effect += (
            f" in {score} ({d.candidate_label} against {d.baseline_label}; positive = candidate "
            "better)"
        )
    return SummaryCard(
        question=md_text_code(spec.goal),
        verdict=verdict,
        next_step=md_text_code(d.next_step),
        headline=headline,
        css=f"logbook-verdict-{verdict}",
        computed_verdict=str(d.verdict) if o else "",
        override_reason=o.reason if o else "",
        override_by=(o.by + (f", {o.date.isoformat()}" if o.date else "")) if o else "",
        effect=effect,
        open_checks=open_checks,
        caveats=tuple(md_text_code(c) for c in d.caveats),
        procedure=d.procedure,
        records=records,
    )


def study_page(
    spec: StudySpec, analysis: StudyAnalysis, charts: StudyCharts, meta: RecordMeta
) -> StudyPage:
    """The context of the page of ``spec.revision`` of a study."""
    a = analysis
    s = a.summary
    latest = spec.revision == meta.latest_revision
    fixed = spec.by_role(Role.FIXED)
    caveats = tuple(
        f"Every conclusion holds for {hp.name} = {fmt_scalar(hp.value)} only; another value may change it."
        for hp in fixed
    )
    overview = [
        KeyValue("trials", str(s.n_trials)),
        *(KeyValue(f"status: {k}", str(v)) for k, v in sorted(s.by_status.items())),
        *infeasible_rows(s.points, s.by_reason),
        KeyValue("infeasible fraction", fmt(s.infeasible_fraction)),
    ]
    varied = [hp.name for hp in spec.varied]  # the defaults every trial shares say nothing
    top = tuple(
        KeyValue(
            f"#{p.rank} {p.trial_id}",
            fmt_measured(p.value, s.resolution),
            ", ".join(
                f"{name} = {fmt_scalar(p.hyperparameters[name])}"
                for name in varied
                if name in p.hyperparameters
            ),
        )
        for p in s.top
    )
    v = a.variance
    retrains = tuple(
        RetrainRow(
            label=g.label,
            n=str(g.n),
            mean=fmt_measured(g.mean, s.resolution),
            std=fmt_measured(g.std, s.resolution),
            interval=fmt_interval(g.ci_low, g.ci_high),
            infeasible=str(g.n_infeasible),
        )
        for g in v.trial
    )
    study_var = ""
    if v.study is not None:
        study_var = (
            f"{v.study.label[:1].upper()}{v.study.label[1:]}: "
            f"mean {fmt_measured(v.study.mean, s.resolution)}, standard deviation "
            f"{fmt_measured(v.study.std, s.resolution)}"
            + (f" (to the {1 / s.resolution:.0f} validation examples' resolution)."
               if s.resolution else ".")
        )
    ws = ", ".join(f"{k} = {fmt_scalar(x)}" for k, x in sorted(spec.workload.settings.items()))
    items = checklist(a.findings, a.scopes)
    search = (f"{spec.search.kind}, seed {spec.search.seed}" if spec.sampler_recorded
              else "sampler not recorded (imported)")  # fmt: skip
    return StudyPage(
        front_title=_front_title(spec.title, spec.revision, latest),
        study_id=spec.study_id,
        title=spec.title,
        goal=md_text_code(spec.goal),
        summary=summary_card(spec, a, items, lineage_lines(spec.revision, meta.lineage)),
        phase=str(spec.phase),
        revision=str(spec.revision),
        latest_revision=str(meta.latest_revision),
        is_latest=latest,
        latest_link=Link(f"r{meta.latest_revision} (latest)", Markup("index.md")),
        digest=meta.digest[:12],
        code_versions=", ".join(meta.code_versions) or "unknown",
        reproduce=reproduce_line(meta.commands),
        checkpoints=checkpoints_line(
            spec.study_id, spec.checkpoints is not None, meta.checkpointed, meta.trial_count
        ),
        first_date=meta.first_date or "—",
        last_date=meta.last_date or "—",
        workload=f"{spec.workload.label} ({ws})" if ws else spec.workload.label,
        objective=f"{a.objective.metric}, {a.objective.direction}, {a.objective.mode}"
        + (", scored at equal examples" if a.objective.compare_at == "equal_examples" else ""),
        search=search,
        budget=f"{spec.trial_budget} trials × {spec.max_train_steps} steps, eval every {spec.eval_every}",
        notes=html_block_text(spec.notes),
        has_notes=bool(spec.notes.strip()),
        design_note=_note(notes.section("design")),
        search_space=tuple(
            HparamRow(
                name=hp.name,
                role=str(hp.role),
                scale="—" if hp.role is Role.FIXED else str(hp.scale),
                range=_range(hp),
                condition=(
                    f"{hp.condition.parent} in {{{', '.join(fmt_scalar(x) for x in hp.condition.values)}}}"
                    if hp.condition
                    else ""
                ),
                description=hp.description,
            )
            for hp in spec.search_space
        ),
        caveats=caveats,
        overview=tuple(overview),
        top_trials=top,
        trials=trial_rows(list(s.points), varied)[:TABLE_ROWS_MAX],
        trials_total=len(s.points),
        trials_csv=Markup(download_name(spec.revision, "csv")),
        trials_json=Markup(download_name(spec.revision, "json")),
        checklist_note=_note(notes.section("checklist")),
        checklist=items,
        axis_note=_note(notes.section("axis_plots")),
        axis_charts=_charts("axis", charts.axis),
        curves_note=_note(notes.section("curves")),
        curve_charts=_charts("curves", charts.curves),
        curves_caption=charts.curves_caption,
        isolation_note=_note(notes.section("isolation")),
        isolation_charts=_charts("isolation", charts.isolation),
        variance_note=_note(notes.section("variance")),
        variance_chart=Chart("variance", chart_html(charts.variance, "variance-chart"))
        if charts.variance
        else None,
        expected_best_chart=(
            Chart("expected best", chart_html(charts.expected_best, "expected-best"))
            if charts.expected_best
            else None
        ),
        retrain_rows=retrains,
        study_variance=study_var,
        decision_note=_note(notes.section("decision")),
        decision=_decision(a),
        history=history_rows(meta.history, meta.latest_revision, spec.revision),
        generator=meta.generator,
        playbook=playbook_sections(spec, a, charts.extra),
        batch_size=batch_size_section(spec, a, charts.extra),
        replication=replication_section(spec, a),
        trade_offs=trade_off_section(a, _charts("trade-off", charts.trade_offs)),
        source=_source(spec),
    )


def _source(spec: StudySpec) -> str:
    """The header line of an imported study: tool, study or experiment, location, version."""
    src = spec.source
    if src is None:
        return ""
    name = f" {src.study}" if src.study else ""
    version = f" {src.tool_version}" if src.tool_version else ""
    return f"{src.kind}{name} at {src.shown_location} (imported; {src.kind}{version})"


def revision_pointer(spec: StudySpec, meta: RecordMeta) -> RevisionPointer:
    """The page at ``r<latest>.md``: the stable URL of the current revision."""
    return RevisionPointer(
        front_title=_front_title(spec.title, spec.revision, False),
        study_id=spec.study_id,
        title=spec.title,
        revision=str(spec.revision),
        latest_link=Link(f"r{meta.latest_revision} (latest)", Markup("index.md")),
        history=history_rows(meta.history, meta.latest_revision, spec.revision),
        generator=meta.generator,
    )

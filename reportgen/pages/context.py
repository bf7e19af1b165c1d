"""Typed contexts of the generated pages: everything a template shows, already formatted.

Templates only loop and branch over these fields. Plain strings are escaped when rendered;
`Markup` fields (chart blocks, links built from safe ids) are trusted as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup


@dataclass(frozen=True)
class Link:
    label: str
    href: Markup  # built from safe ids only
    current: bool = False


@dataclass(frozen=True)
class HparamRow:
    name: str
    role: str
    scale: str
    range: str
    condition: str
    description: str


@dataclass(frozen=True)
class FindingRow:
    severity: str
    icon: Markup  # status badge (theme icon and word)
    subject: str
    message: Markup | str  # analysis text escaped, `commands` shown as code
    evidence: str


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one key beside that key's own guidance note (shown once for all)."""

    key: str
    title: str
    note: str
    url: Markup
    icon: Markup  # badge of the most severe finding in the group
    findings: tuple[FindingRow, ...]  # the most severe first, at most FINDINGS_SHOWN of them
    more: tuple[FindingRow, ...] = ()  # the rest, collapsed
    more_label: str = ""


@dataclass(frozen=True)
class CheckItem:
    title: str
    question: str
    status: str  # "ok", "info", "warning", "problem", or "unchecked" (the check could not run)
    icon: Markup  # status badge (theme icon and word)
    groups: tuple[FindingGroup, ...]
    url: Markup
    checked: str = ""  # what was checked, or why it could not be
    anchor: str = ""  # id of the check's section on the page (ours, safe)


@dataclass(frozen=True)
class Note:
    """A guidance note beside a section, with its deep link."""

    title: str
    text: str
    url: Markup


@dataclass(frozen=True)
class Chart:
    title: str
    html: Markup


@dataclass(frozen=True)
class RetrainRow:
    label: str
    n: str
    mean: str
    std: str
    interval: str
    infeasible: str


@dataclass(frozen=True)
class KeyValue:
    key: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class ComparisonLine:
    """One compared value against the baseline, or one sampler seed's difference."""

    label: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class DecisionCard:
    verdict: str
    admonition: str  # success / failure / warning: the admonition kind of the verdict
    candidate: str
    baseline: str
    effect: str
    interval: str
    retrains_needed: str
    reason: Markup | str
    next_step: Markup  # record text escaped, `commands` shown as code
    override_verdict: str
    override_reason: str
    override_by: str
    policy: tuple[KeyValue, ...]
    procedure: str = ""  # the decision rule in one sentence (shown with the policy)
    score: str = ""  # the estimand: metric, how each trial is scored, direction
    comparisons: tuple[ComparisonLine, ...] = ()  # every value against the baseline (Holm)
    seeds: tuple[ComparisonLine, ...] = ()  # the decided comparison, one line per sampler seed


@dataclass(frozen=True)
class SummaryCard:
    """The answer in the first screen: question, verdict, effect, open checks and caveats."""

    question: Markup | str  # escaped record text, `code` spans shown as code
    verdict: str
    next_step: Markup  # the one next action and what the plan can still cost
    headline: str  # e.g. "adopt — 2 checks open"
    css: str  # logbook-verdict-<verdict> of the verdict that stands (ours, safe)
    computed_verdict: str  # the analysis' verdict when a human override stands beside it
    override_reason: str
    override_by: str
    effect: str  # "+0.012, 90 % interval [0.004, 0.020]" or why there is none
    open_checks: tuple[Link, ...]
    caveats: tuple[str, ...]
    procedure: str
    records: tuple[str, ...] = ()  # where a re-decided revision's records come from (pages.revisions)


@dataclass(frozen=True)
class RevisionRow:
    revision: str
    link: Link
    date: str
    summary: str
    trials: str
    best: str


@dataclass(frozen=True)
class StudyPage:
    front_title: Markup  # YAML-quoted, from the safe study id
    study_id: str
    title: str
    goal: Markup | str  # escaped record text, `code` spans shown as code
    summary: SummaryCard
    phase: str
    revision: str
    latest_revision: str
    is_latest: bool
    latest_link: Link
    digest: str
    code_versions: str
    reproduce: Markup  # the commands the trials record (pages.reproduce)
    checkpoints: Markup | str  # where the records' best checkpoints live; "" when none is named
    first_date: str
    last_date: str
    workload: str
    objective: str
    search: str
    budget: str
    notes: Markup
    has_notes: bool
    design_note: Note
    search_space: tuple[HparamRow, ...]
    caveats: tuple[str, ...]
    overview: tuple[KeyValue, ...]
    top_trials: tuple[KeyValue, ...]
    trials: tuple  # of reportgen.pages.trials.TrialRow, the first TABLE_ROWS_MAX trials
    trials_total: int  # every trial (the downloads list them all)
    trials_csv: Markup  # download file names (ours, safe)
    trials_json: Markup
    checklist_note: Note
    checklist: tuple[CheckItem, ...]
    axis_note: Note
    axis_charts: tuple[Chart, ...]
    curves_note: Note
    curve_charts: tuple[Chart, ...]
    curves_caption: str
    isolation_note: Note
    isolation_charts: tuple[Chart, ...]
    variance_note: Note
    variance_chart: Chart | None
    expected_best_chart: Chart | None
    retrain_rows: tuple[RetrainRow, ...]
    study_variance: str
    decision_note: Note
    decision: DecisionCard
    history: tuple[RevisionRow, ...]
    generator: str
    playbook: Any = None  # PlaybookSections (reportgen.pages.playbook_sections)
    batch_size: Any = None  # BatchSizeSection (reportgen.pages.batch_size)
    replication: Any = None  # ReplicationSection (reportgen.pages.replication)
    source: str = ""  # "optuna study demo at sqlite:///…" when the study was imported
    trade_offs: Any = None  # TradeOffSection (reportgen.pages.trade_offs) when the spec names any


@dataclass(frozen=True)
class RevisionPointer:
    """The stable URL of a study's current revision: a short page pointing at the latest page."""

    front_title: Markup
    study_id: str
    title: str
    revision: str
    latest_link: Link
    history: tuple[RevisionRow, ...]
    generator: str


@dataclass(frozen=True)
class IndexRow:
    link: Link
    title: str
    goal: str
    phase: str
    status: str
    trials: str
    best: str
    decision: str
    updated: str
    revision: str


@dataclass(frozen=True)
class IndexPage:
    rows: tuple[IndexRow, ...]
    timeline: Chart | None
    problems: tuple[str, ...]
    generator: str

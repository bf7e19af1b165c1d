"""Run a review: load both sides, analyse changed studies, render charts and review.md."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from reportgen.analysis import analyze_study
from reportgen.errors import Problem
from reportgen.review.compare import compare_logbooks, study_of
from reportgen.review.gitread import export_logbook, repo_root, resolve
from reportgen.review.page import review_page
from reportgen.schema import StudyAnalysis
from reportgen.schema.review import ChangeKind, ChartFile, Review, StudyChange
from reportgen.store import Logbook, StudyRecords, load_logbook


@dataclass(frozen=True)
class ReviewOptions:
    repo: Path
    base: str
    head: str | None  # None: the working tree
    logbook: str = "logbook"
    out: Path = Path("review-out")
    site_url: str | None = None
    fail_on_reject: bool = False
    charts: bool = True
    image_base: str | None = None  # absolute URL the charts are published under (PR comments)


def analyze_records(study: StudyRecords, book: Logbook) -> StudyAnalysis:
    """Analyse a study's latest revision (with its baseline study's trials when it names one)."""
    spec = study.spec
    related: dict[str, object] = {}
    names = {
        "baseline_trials": spec.baseline.study if spec.baseline is not None else None,
        "previous_round_trials": spec.round.previous if spec.round is not None else None,
    }
    for keyword, name in names.items():
        other = book.study(name) if name else None
        if other is not None:
            related[keyword] = other.trials_at(other.spec.revision)
    if study.throughput is not None:
        related["throughput"] = study.throughput
    return analyze_study(spec, study.trials_at(spec.revision), **related)


def _load(root: Path, problems: list[Problem]) -> Logbook:
    """The logbook at ``root``, with the problems met while unpacking it (symbolic links)."""
    if not root.exists():  # no logbook at this side: every study counts as added or removed
        return Logbook(root, ())
    book = load_logbook(root)
    if not problems:
        return book
    bad = {study_of(p, root)[0] for p in problems}
    return replace(
        book,
        problems=(*book.problems, *problems),
        bad_studies=tuple(sorted(set(book.bad_studies) | bad)),
    )


def _page_url(site_url: str | None, study_id: str) -> str | None:
    return f"{site_url.rstrip('/')}/studies/{study_id}/index.html" if site_url else None


Analysed = dict[str, tuple[StudyRecords, StudyAnalysis]]


def build_review(opts: ReviewOptions) -> tuple[Review, Analysed, Analysed]:
    """The review, and the analysed studies at the head and at the base (changed ones)."""
    repo = repo_root(opts.repo)
    base_rev, head_rev = resolve(repo, opts.base), resolve(repo, opts.head)
    with tempfile.TemporaryDirectory(prefix="reportgen-review-") as tmp:
        base = _load(*export_logbook(repo, base_rev, opts.logbook, Path(tmp)))
        head = _load(*export_logbook(repo, head_rev, opts.logbook, Path(tmp)))
        analyses: Analysed = {}
        before: Analysed = {}

        def analyze(study: StudyRecords, book: Logbook) -> StudyAnalysis:
            a = analyze_records(study, book)
            (analyses if book is head else before)[study.study_id] = (study, a)
            return a

        changes = compare_logbooks(base, head, analyze)
    changes = [
        c.model_copy(update={"page_url": _page_url(opts.site_url, c.study_id)})
        if c.kind not in (ChangeKind.REMOVED, ChangeKind.UNCHANGED)
        else c
        for c in changes
    ]
    gate = []
    if head.problems:
        gate.append(f"{len(head.problems)} invalid record(s) at the head; run `reportgen check`")
    if opts.fail_on_reject:
        gate += [
            f"{c.study_id}: decision flipped to reject (was {c.verdict_before or 'absent'})"
            for c in changes
            if c.verdict_after == "reject" and c.verdict_before != "reject"
        ]
    review = Review(
        base=base_rev.label,
        head=head_rev.label,
        studies=changes,
        problems_at_head=len(head.problems),
        gate_failures=gate,
    )
    return review, analyses, before


def render_review(review: Review) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reportgen", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # markdown output: every record string is escaped by review.page.md()
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env.get_template("review.md.j2").render(page=review_page(review))


def with_charts(review: Review, charts: dict[str, list]) -> Review:  # type: ignore[type-arg]
    studies: list[StudyChange] = [
        c.model_copy(update={"charts": charts.get(c.study_id, [])}) for c in review.studies
    ]
    return review.model_copy(update={"studies": studies})


_URL = re.compile(r"https://[A-Za-z0-9.-]+(/[A-Za-z0-9._~%/-]*)?")


def valid_image_base(base: str) -> bool:
    return bool(_URL.fullmatch(base))


def absolute(chart: ChartFile, base: str) -> ChartFile:
    """``chart`` linked under ``base`` (where the workflow published the PNGs: GitHub shows a
    pull-request comment's images only from absolute URLs)."""
    if not valid_image_base(base):
        raise ValueError(f"--image-base {base!r} must be an https URL (letters, digits, ._~%/-)")
    return chart.model_copy(update={"path": f"{base.rstrip('/')}/{chart.path}"})


def write_review(opts: ReviewOptions) -> tuple[Review, Path]:
    """Build the review and write ``review.md`` (and its charts) into ``opts.out``."""
    review, analyses, before = build_review(opts)
    opts.out.mkdir(parents=True, exist_ok=True)
    ignored = opts.out / ".gitignore"
    if not ignored.exists():  # the output ignores itself (as pytest's cache does): never committed
        ignored.write_text("# written by reportgen review: its output is not for committing\n*\n")
    if opts.charts:
        from reportgen.review.charts import export_charts

        files = export_charts(review, analyses, opts.out, before)
        if opts.image_base:
            files = {sid: [absolute(f, opts.image_base) for f in fs] for sid, fs in files.items()}
        review = with_charts(review, files)
    path = opts.out / "review.md"
    path.write_text(render_review(review), encoding="utf-8")
    return review, path

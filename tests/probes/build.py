"""Build the probe gallery's pages (markdown, or the whole MkDocs site) and gather what each
probe showed, for the gallery test, the coverage page and the browser test."""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from reportgen.analysis import analyze_study
from reportgen.site import build_site
from reportgen.site.mkdocs_run import DEFAULT_DOCS
from reportgen.store import load_study
from tests.probes.coverage import Evidence
from tests.probes.gallery import PROBES, write_gallery

REPO = Path(__file__).resolve().parents[2]


def build_gallery(root: Path, *, run_site: bool = False) -> tuple[Path, Path]:
    """Write every probe under ``root/logbook`` and build its pages into ``root/docs`` (and the
    site into ``root/site`` with ``run_site``). Returns (logbook, docs)."""
    logbook = write_gallery(root / "logbook")
    docs = root / "docs"
    if not docs.exists():
        shutil.copytree(DEFAULT_DOCS, docs)
    build_site(logbook, docs, root / "site", config=REPO / "mkdocs.yml", strict=run_site,
               run_site=run_site)
    return logbook, docs


def _carried(spec, trials) -> set[str]:  # type: ignore[no-untyped-def]
    """The record fields this probe carries a value for (``Model.field``)."""
    out = {f"StudySpec.{k}" for k, v in spec if v not in (None, "", [], {})}
    if spec.model.family or spec.model.reference:
        out.add("StudySpec.model")
    else:
        out.discard("StudySpec.model")
    for t in trials:
        out |= {f"TrialRecord.{k}" for k, v in t if v not in (None, "", [], {})}
        out |= {f"Curves.{k}" for k, v in t.curves if v is not None and len(v) if k != "extra"}
    return out


def fired_keys(logbook: Path, study_id: str) -> tuple[set[str], object]:
    records, problems = load_study(logbook / study_id, logbook)
    assert problems == [] and records is not None, (study_id, problems)
    previous = None
    r = records.spec.round
    if r is not None and r.previous:
        prev, _ = load_study(logbook / r.previous, logbook)
        previous = list(prev.trials) if prev is not None else None
    a = analyze_study(records.spec, list(records.trials), previous_round_trials=previous,
                      throughput=records.throughput)
    return {f.key for f in a.findings}, (records, a)


def gather(logbook: Path, docs: Path) -> dict[str, Evidence]:
    """Per probe: its built pages (page, sidecar of charts and tables, the studies index) as one
    unescaped text, the fields its records carry and the finding keys its analysis fired."""
    index = (docs / "studies" / "index.md").read_text(encoding="utf-8")
    out = {}
    for p in PROBES:
        sid = p.spec["study_id"]
        folder = docs / "studies" / sid
        texts = [f.read_text(encoding="utf-8") for f in sorted(folder.glob("*.md"))]
        texts += [f.read_text(encoding="utf-8") for f in sorted(folder.glob(".*.sidecar.txt"))]
        fired, (records, _a) = fired_keys(logbook, sid)
        out[p.name] = Evidence(
            page=html.unescape("\n".join([*texts, index])),
            carried=_carried(records.spec, records.trials),
            fired=fired,
        )
    return out

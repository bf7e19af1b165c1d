"""``build_site``: render changed studies into ``docs/studies/`` and build the site with MkDocs.

Studies whose records (and the generator) are unchanged since the last build are not read or
rendered again; when nothing under ``docs/`` changed either, MkDocs is skipped too. A study
with invalid records is listed (and its valid part still built when its spec is valid); the
caller turns ``problems`` into exit status 1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.errors import Problem, ReportgenError
from reportgen.pages import index_page, render_index
from reportgen.pages.index import StudyRow
from reportgen.site import overlap
from reportgen.site.assets import copy_assets
from reportgen.site.build_lock import docs_lock, held, site_lock
from reportgen.site.generator import generator_digest, generator_label
from reportgen.site.manifest import (
    MANIFEST_NAME,
    Manifest,
    StudyEntry,
    digest_of,
    file_digests,
    study_signature,
    trusted,
)
from reportgen.site.mkdocs_run import (
    DEFAULT_CONFIG,
    DEFAULT_DOCS,
    preload,
    resolve_config,
    run_mkdocs,
)
from reportgen.site.output import build_swapped, built_digest, check_site_folder
from reportgen.store import StudyRecords, load_study
from reportgen.store.long_lived import records_settled
from reportgen.store.write import atomic_write_text

if TYPE_CHECKING:
    from reportgen.site.study_build import Analyze, RenderedStudy

STUDIES = "studies"


@dataclass
class BuildResult:
    site: Path
    rendered: list[str] = field(default_factory=list)  # studies rendered in this build
    reused: list[str] = field(default_factory=list)  # unchanged studies, not rendered again
    bad: list[str] = field(default_factory=list)  # study folders with invalid records
    problems: list[Problem] = field(default_factory=list)
    mkdocs_ran: bool = False
    pages_reused: int = 0  # pages MkDocs took from the previous site instead of rendering


def _write_if_changed(path: Path, text: str) -> bool:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    atomic_write_text(path, text)
    return True


def _timeline(rows: list[dict]) -> object:  # type: ignore[type-arg]
    from reportgen.charts import launch_timeline  # altair: only when there is a launch to draw
    from reportgen.site.chart_templates import keep_built, load_kept

    load_kept()
    timeline = launch_timeline(rows)
    keep_built()
    return timeline


def _hashed(stats: dict[str, list]) -> dict[str, list]:  # type: ignore[type-arg]
    """The entries of this build's stat pass whose content digest is known (the worker reads
    only the others)."""
    return {rel: entry for rel, entry in stats.items() if entry[4] is not None}


def _key(signature: str | None, deps: list[str], sigs: dict[str, str | None], gen: str) -> str:
    h = hashlib.sha256(f"{gen}\0{signature}".encode())
    for d in sorted(deps):
        h.update(f"\0{d}\0{sigs.get(d, 'absent')}".encode())
    return h.hexdigest()


def _related(records: StudyRecords) -> dict[str, str]:
    """The other studies a study's analysis reads: analyse keyword -> study id."""
    out: dict[str, str] = {}
    b, r = records.spec.baseline, records.spec.round
    if b is not None and b.study:
        out["baseline_trials"] = b.study
    if r is not None and r.previous:
        out["previous_round_trials"] = r.previous
    return out


def _deps(records: StudyRecords) -> list[str]:
    return sorted(set(_related(records).values()))


def build_site(
    logbook: Path,
    docs: Path,
    site: Path,
    *,
    config: Path | None = None,
    strict: bool = False,
    analyze: Analyze | None = None,
    run_site: bool = True,
    force: bool = False,
    jobs: int | None = None,
) -> BuildResult:
    """Render every study of ``logbook`` into ``docs/studies`` and build ``site`` from ``docs``.

    ``jobs`` caps the worker processes that render studies (default: one per core, at most 8;
    1 renders in this process). One build at a time writes a docs folder and a site
    (``site.build_lock``: a second one waits). A ``site`` that is a symbolic link stays one: the
    site is built into the folder it points to.
    """
    logbook, docs, site = Path(logbook), Path(docs), Path(site)
    if not logbook.is_dir():
        raise ReportgenError(f"{logbook}: logbook folder not found")
    if site.is_symlink():
        site = Path(os.path.realpath(site))
    config = resolve_config(config)
    locks = [docs_lock(docs / STUDIES), *([site_lock(site)] if run_site else [])]
    with held(locks):
        return _build_locked(
            logbook, docs, site, config, strict, analyze, run_site, force, jobs
        )


def _build_locked(
    logbook: Path,
    docs: Path,
    site: Path,
    config: Path,
    strict: bool,
    analyze: Analyze | None,
    run_site: bool,
    force: bool,
    jobs: int | None,
) -> BuildResult:
    if run_site:
        check_site_folder(site, force=force)
    gen = generator_digest()
    label = generator_label()
    studies_dir = docs / STUDIES
    manifest_path = studies_dir / MANIFEST_NAME
    manifest = Manifest.load(manifest_path)
    result = BuildResult(site=site)
    records_stat_ns = time.time_ns()  # before any stat of this build

    folders = {
        f.name: f
        for f in sorted(logbook.iterdir())
        if f.is_dir() and not f.name.startswith((".", "_"))
    }
    # one stat per file, and the changed files of studies built before are read here (a file
    # touched but unchanged renders nothing); a study new to the manifest is signed by the worker
    # that renders it (None here), so a clean build reads each record once, in a worker
    sigs: dict[str, str | None] = {}
    stats: dict[str, dict[str, list]] = {}  # type: ignore[type-arg]
    for sid, f in folders.items():
        old = manifest.studies.get(sid)
        sigs[sid], stats[sid] = study_signature(
            f, trusted(old.stats, manifest.records_stat_ns) if old else None, read=old is not None
        )

    new_entries: dict[str, StudyEntry] = {}
    todo: list[str] = []
    for sid in folders:
        old = manifest.studies.get(sid)
        deps = list(old.row.get("_deps", [])) if old else []
        if (
            old is not None
            and sigs[sid] is not None
            and all(sigs.get(d, "") is not None for d in deps)
            and old.signature == _key(sigs[sid], deps, sigs, gen)
            and all((studies_dir / f).is_file() for f in old.files)
        ):
            new_entries[sid] = old
            old.stats = stats[sid]
            result.reused.append(sid)
        else:
            todo.append(sid)

    if todo:
        # the analysis, charts and pages (scipy, altair, ...) only when a study is rendered, so
        # a build with nothing to render starts in a fraction of the time; imported here, before
        # the workers fork, so that they inherit them
        import reportgen.site.study_build  # noqa: F401
        from reportgen.analysis import analyze_study
        from reportgen.site.chart_templates import load_kept

        analyze = analyze or analyze_study
        load_kept()  # the chart templates an earlier build kept: the workers inherit them
    work = [
        (folders[sid], logbook, folders, analyze, label, _hashed(stats[sid]))
        for sid in todo
    ]
    early = partial(preload, config, docs, site) if run_site else lambda: None
    with overlap.next_up(early):  # MkDocs' imports while a forked child analyses
        outs = _map(_render_study, work, jobs)
    for sid, out in zip(todo, outs, strict=True):
        sigs[sid], stats[sid] = out.signature, out.stats
    for sid, out in zip(todo, outs, strict=True):
        if out.problems:
            result.problems += out.problems
            result.bad.append(sid)
        if out.error:
            raise ReportgenError(out.error)
        if out.rendered is None:
            continue
        # sidecars (dot-files) before the pages that name them: `mkdocs serve` rebuilds on the
        # first write, and a page whose sidecar is not there yet renders without its charts
        files = sorted(out.rendered.files.items(), key=lambda kv: not kv[0].rsplit("/", 1)[-1].startswith("."))
        for rel, text in files:
            _write_if_changed(studies_dir / rel, text)
        new_entries[sid] = StudyEntry(
            # a study with problems is never reused: its problems are reported on every build
            signature="" if out.problems else _key(sigs[sid], out.deps, sigs, gen),
            generator=gen,
            digest=out.digest,
            files=sorted(out.rendered.files),
            row=out.rendered.row.to_json() | {"_deps": out.deps},
            date=out.newest,
            stats=stats[sid],
        )
        result.rendered.append(sid)
    new_entries = dict(sorted(new_entries.items()))

    _remove_stale(studies_dir, manifest, new_entries)
    rows = [
        StudyRow(**{k: v for k, v in e.row.items() if not k.startswith("_")})
        for e in new_entries.values()
    ]
    timeline_rows = [
        {
            "study": r.study_id,
            "date": r.updated,
            "verdict": r.decision.split(" ")[0],
            "decision": r.decision,  # "<verdict> (human: <verdict>)" when a human decided
            "revision": r.revision,
            "trials": r.trials,
        }
        for r in sorted(rows, key=lambda r: r.study_id)
        if r.updated
    ]
    shown_problems = [f"{sid}: invalid records" for sid in sorted(set(result.bad))]
    index = index_page(
        rows, _timeline(timeline_rows) if timeline_rows else None, shown_problems, label
    )
    _write_if_changed(studies_dir / "index.md", render_index(index))
    copy_assets(docs)
    if config.resolve() == DEFAULT_CONFIG.resolve():
        _default_pages(docs)

    manifest.studies = new_entries
    if run_site:
        docs_stat_ns = time.time_ns()
        digests, manifest.docs = file_digests(
            docs, cache=trusted(manifest.docs, manifest.docs_stat_ns)
        )
        manifest.docs_stat_ns = docs_stat_ns
        digest = hashlib.sha256(
            (digest_of(digests) + config.read_text(encoding="utf-8") + gen).encode()
        ).hexdigest()
        built = built_digest(site)
        if built != digest:
            epoch = _epoch(new_entries)
            previous = site if built else None  # a finished site of ours

            def mkdocs(out: Path) -> None:
                result.pages_reused = run_mkdocs(
                    config, docs, out, strict=strict, epoch=epoch, previous=previous,
                    digests=digests, generator=gen, jobs=jobs,
                )

            build_swapped(site, digest, mkdocs)
            result.mkdocs_ran = True
    manifest.records_stat_ns = records_stat_ns
    manifest.save(manifest_path)
    return result


@dataclass(frozen=True)
class _Rendered:
    """What rendering one study gives back to the build (small: no trial records)."""

    problems: list[Problem]
    signature: str = ""  # study_signature of the folder, read in the worker
    stats: dict[str, list] = field(default_factory=dict)  # type: ignore[type-arg]
    rendered: RenderedStudy | None = None
    deps: list[str] = field(default_factory=list)
    digest: str = ""
    newest: str = ""
    error: str = ""


def _render_study(
    job: tuple[Path, Path, dict[str, Path], Analyze, str, dict[str, list] | None],  # type: ignore[type-arg]
) -> _Rendered:
    """Sign, load, analyse and render one study (in a worker process when there are several)."""
    folder, logbook, folders, analyze, label, cache = job
    signature, stats = study_signature(folder, cache)
    records, problems = load_study(folder, logbook, cached=True)
    if records is None:
        return _Rendered(problems, signature or "", stats)
    deps = _deps(records)
    related: dict[str, list] = {}
    digests: dict[str, str] = {}  # the analyses are kept under these (`site.kept_analyses`)
    field_of = {"baseline_trials": "baseline.study", "previous_round_trials": "round.previous"}
    for keyword, other in _related(records).items():
        base = load_study(folders[other], logbook, cached=True)[0] if other in folders else None
        if base is None:  # reported, and the study is built without it
            problems = [
                *problems,
                Problem(
                    str(folder / "study.yaml"),
                    None,
                    field_of[keyword],
                    f"{other!r} is not a valid study of {logbook}",
                ),
            ]
        else:
            related[keyword] = list(base.trials_at(base.spec.revision))
            digests[keyword] = base.digest
    from reportgen.site.study_build import render_study_records

    with records_settled():  # a big study's records: out of the collector's full passes
        rendered = render_study_records(records, analyze, label, related, digests)
    from reportgen.site.chart_templates import keep_built

    keep_built()  # chart templates this process built, for the next one
    newest = max((t.provenance.created_utc for t in records.trials), default=None)
    return _Rendered(
        problems,
        signature or "",
        stats,
        rendered,
        deps,
        records.digest,
        newest.isoformat() if newest else "",
    )


def _map(fn, jobs: list, cap: int | None = None) -> list:  # type: ignore[no-untyped-def,type-arg]
    """``fn`` over ``jobs`` in order: in worker processes when there are several jobs and cores."""
    workers = min(len(jobs), os.cpu_count() or 1, 8, cap or 8)
    if workers < 2:
        return [fn(j) for j in jobs]
    # fork is cheap, but unsafe once a multithreaded library (JAX, say) is loaded in this process
    forkable = sys.platform.startswith("linux") and "jax" not in sys.modules
    ctx = multiprocessing.get_context("fork" if forkable else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(fn, jobs))


def _epoch(entries: dict[str, StudyEntry]) -> int:
    """The build date: the newest trial's time (0 for an empty logbook)."""
    dates = [dt.datetime.fromisoformat(e.date) for e in entries.values() if e.date]
    return int(max(dates).timestamp()) if dates else 0


def _remove_stale(studies_dir: Path, old: Manifest, new: dict[str, StudyEntry]) -> None:
    keep = {f for e in new.values() for f in e.files}
    for sid, entry in old.studies.items():
        for f in entry.files:
            if f not in keep:
                (studies_dir / f).unlink(missing_ok=True)
        folder = studies_dir / sid
        if sid not in new and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _default_pages(docs: Path) -> None:
    """Outside a project with its own mkdocs.yml: write the packaged home, guide and attribution."""
    for src in sorted(DEFAULT_DOCS.glob("*.md")):
        dst = docs / src.name
        if not dst.exists():
            docs.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)

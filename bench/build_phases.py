"""Where one study's build goes: CPU seconds per phase for each study of a logbook, in one process.

Phases: load (read + validate the records), analyze (``analyze_study``, with the importance
step shown apart), charts (``study_charts``), page (markdown), then MkDocs over the whole site.
Imports happen before the clocks (a warm-up study), as in `bench/build_scale.py`'s fair side.

    PYTHONPATH=. python bench/build_phases.py LOGBOOK [--studies N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reportgen.analysis import analyze_study  # noqa: E402
from reportgen.pages import RecordMeta, render_study, study_page  # noqa: E402
from reportgen.site import build_site  # noqa: E402
from reportgen.site.mkdocs_run import DEFAULT_DOCS  # noqa: E402
from reportgen.site.prepare import study_charts  # noqa: E402
from reportgen.store import load_study  # noqa: E402


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    t = time.process_time()
    out = fn(*args, **kwargs)
    return out, time.process_time() - t


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("logbook", type=Path)
    ap.add_argument("--studies", type=int, default=5)
    args = ap.parse_args()
    folders = sorted(p for p in args.logbook.iterdir() if p.is_dir())[: args.studies]
    spent: dict[str, list[float]] = {
        k: [] for k in ("load", "analyze", "importance", "charts", "page")
    }
    extras = sys.modules["reportgen.analysis.playbook_extras"]  # where analyze_study calls it
    real_importance = extras.hyperparameter_importance
    clock = [0.0]

    def timed_importance(*a, **k):  # type: ignore[no-untyped-def]
        out, s = _timed(real_importance, *a, **k)
        clock[0] += s
        return out

    extras.hyperparameter_importance = timed_importance
    n_trials = 0
    for k, folder in enumerate([folders[0], *folders]):  # the first run warms imports up
        (records, _problems), load_s = _timed(load_study, folder, args.logbook)
        spec = records.spec
        trials = list(records.trials_at(spec.revision))
        clock[0] = 0.0
        analysis, analyze_s = _timed(analyze_study, spec, trials)
        charts, charts_s = _timed(study_charts, spec, analysis, trials)
        meta = RecordMeta(records.digest, (), "", "", spec.revision, (), "bench")
        page, page_s = _timed(study_page, spec, analysis, charts, meta)
        _text, text_s = _timed(render_study, page)
        if k == 0:
            continue
        n_trials += len(trials)
        for key, v in (
            ("load", load_s),
            ("analyze", analyze_s - clock[0]),
            ("importance", clock[0]),
            ("charts", charts_s),
            ("page", page_s + text_s),
        ):
            spent[key].append(v)
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        shutil.copytree(DEFAULT_DOCS, docs)
        logbook = Path(tmp) / "logbook"  # the studies timed above, and no others
        for folder in folders:
            shutil.copytree(folder, logbook / folder.name)
        t = time.process_time()
        build_site(
            logbook,
            docs,
            Path(tmp) / "site",
            config=REPO / "mkdocs.yml",
            jobs=1,
        )
        whole = time.process_time() - t
    total = sum(sum(v) for v in spent.values())
    n = len(folders)
    print(f"{n} studies, {n_trials} trials; CPU seconds per study (mean), share of the phases")
    print("| phase | s / study | share |")
    print("|---|---|---|")
    for key, v in spent.items():
        print(f"| {key} | {statistics.mean(v):.3f} | {sum(v) / total:.0%} |")
    print(f"| whole `build_site` (jobs=1, MkDocs included), per study | {whole / n:.3f} | — |")
    print(f"| MkDocs and the rest (whole − phases), per study | {(whole - total) / n:.3f} | — |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark one big study: N trials × P eval points (default 10 000 × 1000), built and drawn.

Writes a synthetic study (the record writer of `bench/build_scale.py`), builds it with
`reportgen.site.build_site` in a child process and prints, beside the targets of issue 17:
build seconds, the build's peak RSS (the child and its children, from `os.wait4`; writing
the records is not counted), the rebuild after one trial file changed with and without the
record cache, `reportgen check` and `reportgen analyze` cold, with records cached and with the
kept answer, page bytes, bytes per chart, and the time headless Chromium takes
to draw every chart of the study page (every chart block rendered by `assets/js/charts.js`,
each with an SVG of non-zero width), in three fresh tabs.

A study holds at most `MAX_TRIALS_PER_STUDY` trials (100 000) and `MAX_EVALUATIONS_PER_STUDY`
curve points (20 million): both defaults fit within them. A bigger study asked for raises the
limits in the children, so the page really carries every trial.

    python bench/big_study.py [--trials 10000] [--points 1000] [--no-browser] [--keep DIR]
    python bench/big_study.py --logbook DIR   # reuse the records of an earlier --keep DIR
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from build_scale import make_study  # noqa: E402

from reportgen.site import build_site  # noqa: E402
from reportgen.site.mkdocs_run import DEFAULT_DOCS  # noqa: E402

TARGETS = {"page": 2e6, "draw": 3.0, "build": 30.0, "rss": 1e9}
CHART = re.compile(r"<div class=\"vega-chart[^\"]*\" id=\"([^\"]+)\" data-spec='([^']*)'")


def _raise_limits(crosscheck, trials: int) -> None:  # type: ignore[no-untyped-def]
    """The study limits raised to hold ``trials`` trials of curves of any allowed length."""
    crosscheck.MAX_TRIALS_PER_STUDY = max(crosscheck.MAX_TRIALS_PER_STUDY, trials)
    points = trials * crosscheck.MAX_CURVE_POINTS
    crosscheck.MAX_EVALUATIONS_PER_STUDY = max(crosscheck.MAX_EVALUATIONS_PER_STUDY, points)


def build_child(logbook: Path, docs: Path, site: Path, trials: int) -> None:
    """The build, run in a child process of its own so its peak RSS is the build's alone
    (writing the records, in the parent, holds every record in memory)."""
    import reportgen.store.crosscheck as crosscheck

    # a study holds at most MAX_TRIALS_PER_STUDY trials (the first ones by id are used);
    # the benchmark raises it so the page really carries every trial asked for
    _raise_limits(crosscheck, trials)
    t0 = time.perf_counter()
    build_site(logbook, docs, site, config=REPO / "mkdocs.yml")
    print(json.dumps({"build_s": time.perf_counter() - t0}))


def analyze_child(logbook: Path, trials: int) -> None:
    """What `reportgen analyze study-000` does, in parts: load the records, then analyse."""
    import reportgen.store.crosscheck as crosscheck
    from reportgen.analysis import analyze_study
    from reportgen.store import load_study

    _raise_limits(crosscheck, trials)
    t0 = time.perf_counter()
    records, problems = load_study(logbook / "study-000", logbook)
    t1 = time.perf_counter()
    analyze_study(records.spec, records.trials_at(records.spec.revision))
    t2 = time.perf_counter()
    print(json.dumps({"load_s": t1 - t0, "analyze_s": t2 - t1, "problems": len(problems)}))


def timed_cli(args: list[str], cache: Path | str) -> tuple[int, float, int]:
    """``python -m reportgen ARGS`` as a user runs it (its own imports only, output
    swallowed): exit code, wall seconds and peak RSS in bytes."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen", *args],
        stdout=subprocess.DEVNULL,
        env=os.environ | {"PYTHONPATH": str(REPO), "REPORTGEN_CACHE_DIR": str(cache)},
    )
    _, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), time.perf_counter() - t0, usage.ru_maxrss * 1024


def edit_one_trial(logbook: Path, n: int) -> None:
    """Change one trial file's content (its wall time), as a trial that lands or is rewritten."""
    path = sorted((logbook / "study-000" / "trials").glob("*.json"))[0]
    text = path.read_text()
    head, _, tail = text.partition('"wall_seconds": ')
    value, _, rest = tail.partition(",")
    path.write_text(f'{head}"wall_seconds": {n}.0,{rest}')


def check_child(logbook: Path, trials: int) -> None:
    """`reportgen check` on the logbook, the trial limit raised to ``trials``."""
    import contextlib
    import io

    import reportgen.store.crosscheck as crosscheck
    from reportgen.cli import main

    _raise_limits(crosscheck, trials)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["check", "--logbook", str(logbook)])
    print(json.dumps({"check_s": time.perf_counter() - t0, "exit": code}))


def timed_child(
    func: str, *paths: Path, trials: int, cache: Path | str | None = None
) -> tuple[dict, float, int]:  # type: ignore[type-arg]
    """Run ``big_study.<func>(*paths, trials)`` in a child process of its own: the JSON it printed
    last, its wall seconds, and its peak RSS in bytes (the child and the processes it waited
    for: `os.wait4`'s ru_maxrss). ``cache``: its record cache folder (``REPORTGEN_CACHE_DIR``;
    "off" for none)."""
    env = os.environ | {"PYTHONPATH": str(REPO)}
    if cache is not None:
        env["REPORTGEN_CACHE_DIR"] = str(cache)
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1] + '/bench');"
        f"import big_study as b; b.{func}(*map(Path, sys.argv[2:-1]), int(sys.argv[-1]))"
    )
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(REPO), *map(str, paths), str(trials)],
        stdout=subprocess.PIPE,
        env=env,
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{func} failed (exit {os.waitstatus_to_exitcode(status)})")
    got = json.loads(out.decode().strip().splitlines()[-1])
    return got, wall, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def chart_sizes(page: str) -> list[tuple[str, int]]:
    """Each chart block's id and the bytes of its spec as it stands in the HTML."""
    return [(m.group(1), len(m.group(2).encode())) for m in CHART.finditer(page)]


def draw_seconds(
    site: Path, path: str, runs: int = 3, timeout_s: float = 300
) -> tuple[list[float], int, list[str], int]:
    """Seconds from navigation until every chart drew, for each of ``runs`` fresh tabs of one
    browser (the first includes a cold cache); charts drawn; console errors; JS heap bytes."""
    from playwright.sync_api import sync_playwright

    from tests.site.browser import CHROMIUM_FLAGS, PageWatch, chromium_path, serve

    exe = chromium_path()
    if exe is None:
        raise SystemExit("chromium not found (use --no-browser)")
    times = []
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            watch = PageWatch(page, base)
            start = time.perf_counter()
            page.goto(f"{base}/{path}", wait_until="domcontentloaded", timeout=timeout_s * 1000)
            page.wait_for_function(
                """() => { const els = [...document.querySelectorAll('div.vega-chart')];
                      return els.length > 0 && els.every(el => {
                        if (el.getAttribute('data-rendered') === 'error') return true;
                        if (el.getAttribute('data-rendered') !== 'ok') return false;
                        const m = el.querySelector('svg.marks, canvas.marks');
                        return m && m.getBoundingClientRect().width > 0; }); }""",
                timeout=timeout_s * 1000,
                polling=50,
            )
            times.append(time.perf_counter() - start)
            drawn = page.evaluate(
                "() => document.querySelectorAll('div.vega-chart[data-rendered=ok]').length"
            )
            heap = page.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : 0")
            page.close()
        browser.close()
    return times, drawn, watch.errors, heap


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--trials", type=int, default=10_000)
    ap.add_argument("--points", type=int, default=1000)
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium draw")
    ap.add_argument("--keep", type=Path, default=None, help="work folder to keep")
    ap.add_argument(
        "--logbook",
        type=Path,
        default=None,
        help="an existing logbook written by an earlier run (its records are not written again)",
    )
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="reportgen-big-"))
    logbook, docs, site = work / "logbook", work / "docs", work / "site"
    for folder in (docs, site) if args.logbook else (logbook, docs, site):
        shutil.rmtree(folder, ignore_errors=True)  # --logbook may be this work folder's logbook
    shutil.copytree(DEFAULT_DOCS, docs)
    t0 = time.perf_counter()
    if args.logbook:
        logbook = args.logbook
        args.trials = len(list((logbook / "study-000" / "trials").glob("*.json")))
        with open(next((logbook / "study-000" / "trials").glob("*.json"))) as f:
            args.points = len(json.load(f)["curves"]["step"])
    else:
        make_study(logbook, 0, args.trials, args.points, np.random.default_rng(0))
    gen_s = time.perf_counter() - t0
    # the record cache and kept analyses of this run, empty at the start (a cold first build)
    cache = work / "record-cache"
    shutil.rmtree(cache, ignore_errors=True)
    got, wall_s, rss = timed_child(
        "build_child", logbook, docs, site, trials=args.trials, cache=cache
    )
    build_s = got["build_s"]
    page_path = site / "studies" / "study-000" / "index.html"
    text = page_path.read_text()
    charts = chart_sizes(text)
    page_bytes = page_path.stat().st_size
    print(
        f"synthetic study: {args.trials} trials × {args.points} eval points "
        + (
            f"(records of {args.logbook})"
            if args.logbook
            else f"(records written in {gen_s:.1f} s)"
        )
    )
    print("| measure | value | target |")
    print("|---|---|---|")
    print(
        f"| build (build_site, one study) | {build_s:.1f} s ({wall_s:.1f} s with the child's "
        f"start and imports) | ≤ {TARGETS['build']:.0f} s |"
    )
    print(
        f"| peak RSS of the build (child process and its children) | {rss / 1e6:.0f} MB "
        f"| ≤ {TARGETS['rss'] / 1e6:.0f} MB |"
    )
    print(
        f"| study page (HTML incl. chart data) | {page_bytes / 1e6:.2f} MB | ≤ {TARGETS['page'] / 1e6:.0f} MB |"
    )
    print(
        f"| chart data (all {len(charts)} charts) | {sum(b for _, b in charts) / 1e6:.2f} MB | — |"
    )
    # one trial file changes (a trial lands, as `reportgen serve` sees it): the study is
    # rendered again, its other records parsed again (no cache) or taken from the cache
    rebuilt = {}
    for n, side in enumerate(("off", cache), start=2):
        edit_one_trial(logbook, n)
        got, _, side_rss = timed_child(
            "build_child", logbook, docs, site, trials=args.trials, cache=side
        )
        rebuilt[side == "off"] = (got["build_s"], side_rss)
    print(
        f"| one trial file changed: rebuild, records parsed again / taken from the record cache "
        f"| {rebuilt[True][0]:.1f} s / {rebuilt[False][0]:.1f} s "
        f"({rebuilt[True][0] / rebuilt[False][0]:.1f}×; peak RSS {rebuilt[True][1] / 1e6:.0f} / "
        f"{rebuilt[False][1] / 1e6:.0f} MB) | — |"
    )
    checked = []
    for side in ("off", cache):
        got, wall, c_rss = timed_child("check_child", logbook, trials=args.trials, cache=side)
        checked.append((got, wall, c_rss))
    (got, wall, c_rss), (warm, warm_wall, _) = checked
    print(
        f"| `reportgen check` | {got['check_s']:.1f} s, exit {got['exit']} ({wall:.1f} s whole "
        f"process, peak RSS {c_rss / 1e6:.0f} MB); records from the cache: "
        f"{warm['check_s']:.1f} s, exit {warm['exit']} ({warm_wall:.1f} s whole process) | — |"
    )
    got, wall, a_rss = timed_child("analyze_child", logbook, trials=args.trials, cache="off")
    print(
        f"| analyze (what `reportgen analyze` does): load / analyse | {got['load_s']:.1f} s / "
        f"{got['analyze_s']:.1f} s ({wall:.1f} s whole process, peak RSS {a_rss / 1e6:.0f} MB) "
        f"| analyse ≤ 1 s |"
    )
    from reportgen.schema.limits import MAX_EVALUATIONS_PER_STUDY, MAX_TRIALS_PER_STUDY

    if (
        args.trials <= MAX_TRIALS_PER_STUDY
        and args.trials * args.points <= MAX_EVALUATIONS_PER_STUDY
    ):
        whole = {}
        cli = ["analyze", "study-000", "--logbook", str(logbook)]
        for label, side, fresh in (
            ("nothing cached", "off", True),
            ("records cached, analysed again (--fresh)", cache, True),
            ("unchanged since the last call (the kept answer)", cache, False),
        ):
            if not fresh:
                time.sleep(2.5)  # files changed within 2 s of their stat are never trusted
                timed_cli(cli, side)  # keeps the answer
            code, wall, w_rss = timed_cli([*cli, "--fresh"] if fresh else cli, side)
            assert code == 0, f"reportgen analyze exited {code}"
            whole[label] = (wall, w_rss)
        print(
            "| `reportgen analyze study-000`, whole process: "
            + "; ".join(f"{label}" for label in whole)
            + " | "
            + " / ".join(f"{w:.2f} s ({r / 1e6:.0f} MB)" for w, r in whole.values())
            + " | ≤ 1 s |"
        )
    if not args.no_browser:
        times, drawn, errors, heap = draw_seconds(site, "studies/study-000/index.html")
        shown = " / ".join(f"{t:.1f}" for t in times)
        print(
            f"| Chromium: every chart drawn (each of {len(times)} tabs) | {shown} s ({drawn} of "
            f"{len(charts)} charts, JS heap {heap / 1e6:.0f} MB, {len(errors)} console errors) "
            f"| ≤ {TARGETS['draw']:.0f} s |"
        )
        for e in errors[:5]:
            print(f"  console error: {html.unescape(e)[:200]}")
    print()
    print("| chart | bytes |")
    print("|---|---|")
    for cid, b in sorted(charts, key=lambda c: -c[1]):
        print(f"| {cid} | {b / 1e3:.0f} k |")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

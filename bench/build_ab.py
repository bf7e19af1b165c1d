"""A/B a full `reportgen build` between two source trees on the same logbook, interleaved.

Absolute build times depend on the machine (the same bench can be 3× slower on one 2-core
machine than on another), so a change to the build is best shown as a ratio against the code
before it, measured in the same run. Each build runs `build_site` from scratch (fresh docs and
site, the default worker processes) in a fresh child process, with the heavy imports done
before the clock; the two sides alternate, so a machine that slows down mid-run slows both.

    python bench/build_ab.py LOGBOOK --before REV [--after REV] [--repeats 3] [--changes N]

With --changes N, each child then rebuilds N times after changing one study (the title in the
first study's study.yaml, put back afterwards): the incremental rebuild, against the full build
it follows. Each child starts with an empty compiled-template cache of its own
(REPORTGEN_TEMPLATE_CACHE) and an empty record cache (REPORTGEN_CACHE_DIR: trial records and
chart templates), so the full build is timed cold and the rebuilds as a user's are.

Either side's build failing or reporting problems (invalid records, an MkDocs error) stops
the bench with exit status 1 and the problems, before any ratio: a build that skipped part of
its work is faster for the wrong reason.

REV is a git revision of this repository, checked out into a temporary worktree; without
--after the working tree is the "after" side. Synthetic logbooks come from
bench/build_scale.py (``--keep DIR`` keeps DIR/logbook).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, os, re, shutil, sys, time
from pathlib import Path
tree, logbook, out, changes = sys.argv[1:5]
sys.path.insert(0, tree)
os.chdir(tree)  # its mkdocs.yml and templates/
import reportgen
assert reportgen.__file__.startswith(tree), reportgen.__file__
from reportgen.site import build_site
from reportgen.site.mkdocs_run import DEFAULT_DOCS
# imports before the clock (optuna: what revisions before 502bd25 computed importance with)
import mkdocs.commands.build, optuna.importance, sklearn.ensemble
import altair, scipy.stats  # imported where used since issue 39: before the clock on both sides
import reportgen.site.pipeline as pipeline
real, mkdocs_cpu = pipeline.run_mkdocs, [0.0]
def timed_mkdocs(*a, **k):  # MkDocs runs in this process: its CPU apart from the rendering
    c = time.process_time()
    try:
        return real(*a, **k)
    finally:
        mkdocs_cpu[0] += time.process_time() - c
pipeline.run_mkdocs = timed_mkdocs
out = Path(out)
shutil.rmtree(out, ignore_errors=True)
shutil.copytree(DEFAULT_DOCS, out / "docs")
os.environ["REPORTGEN_TEMPLATE_CACHE"] = str(out / "template-cache")  # cold for this child
os.environ["REPORTGEN_CACHE_DIR"] = str(out / "record-cache")  # records, chart templates: cold
def build():
    return build_site(Path(logbook), out / "docs", out / "site", config=Path(tree) / "mkdocs.yml")
problems = []  # what any build of this child reported (invalid records, MkDocs errors)
def reported(result):
    problems.extend(str(p) for p in getattr(result, "problems", []))
    problems.extend(f"{b}: invalid records" for b in getattr(result, "bad", []))
    return result
t0, c0 = time.perf_counter(), os.times()
r = reported(build())
c1 = os.times()
full = {"wall": time.perf_counter() - t0, "cpu": sum(c1[:4]) - sum(c0[:4]), "mkdocs": mkdocs_cpu[0]}
pages = sum(p.stat().st_size for p in (out / "site" / "studies").glob("*/index.html"))
one = []
spec = sorted(Path(logbook).glob("*/study.yaml"))[0]
original = spec.read_bytes()
try:
    for k in range(int(changes)):
        edited = re.sub(r"^title: (.*)$", rf"title: \1 (edit {k})", original.decode(), count=1,
                        flags=re.M)
        assert edited != original.decode(), f"{spec}: no title line to change"
        spec.write_text(edited, encoding="utf-8")
        t = time.perf_counter()
        changed = reported(build())
        assert len(changed.rendered) == 1, changed.rendered
        one.append(time.perf_counter() - t)
finally:
    spec.write_bytes(original)
print(json.dumps({**full, "studies": len(r.rendered), "page_bytes": pages, "one": one,
                  "problems": problems}))
"""


def _worktree(rev: str, into: Path) -> Path:
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", "-f", str(into), rev],
        check=True, capture_output=True,
    )  # fmt: skip
    return into


def _build(tree: Path, logbook: Path, out: Path, changes: int) -> dict:
    p = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree), str(logbook.resolve()), str(out), str(changes)],
        capture_output=True, text=True,
    )  # fmt: skip
    if p.returncode:
        raise SystemExit(f"build with {tree} failed:\n{p.stderr[-3000:]}")
    result = json.loads(p.stdout.strip().splitlines()[-1])
    if result["problems"]:  # a build that skipped part of its work is no measure of the code
        shown = "\n".join(f"  {x}" for x in result["problems"][:20])
        raise SystemExit(
            f"build with {tree} reported {len(result['problems'])} problems; no ratio is "
            f"reported while either side's build has problems:\n{shown}"
        )
    return result


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("logbook", type=Path)
    ap.add_argument("--before", required=True, help="git revision of the 'before' side")
    ap.add_argument("--after", default=None, help="git revision (default: the working tree)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--changes", type=int, default=0, help="one-study rebuilds after each full build"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="reportgen-ab-") as tmp:
        work = Path(tmp)
        trees = {f"before ({args.before})": _worktree(args.before, work / "before")}
        trees[f"after ({args.after or 'working tree'})"] = (
            _worktree(args.after, work / "after") if args.after else REPO
        )
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        try:
            for k in range(args.repeats):
                for name, tree in trees.items():
                    runs[name].append(_build(tree, args.logbook, work / "out", args.changes))
                    r = runs[name][-1]
                    print(f"run {k + 1}, {name}: {r['wall']:.1f} s wall, {r['cpu']:.1f} s CPU "
                          f"({r['mkdocs']:.1f} s MkDocs); one-study rebuilds "
                          f"{[round(x, 2) for x in r['one']]}", file=sys.stderr, flush=True)  # fmt: skip
        finally:
            for tree in trees.values():
                if tree != REPO:
                    subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force",
                                    str(tree)], capture_output=True)  # fmt: skip
    before, after = runs.values()
    studies = int(before[0]["studies"])
    print(f"full build of {args.logbook} ({studies} studies), {args.repeats} interleaved runs")
    keys = ("wall", "cpu", "mkdocs")
    print("| side | wall, median [runs] | CPU, median [runs] | MkDocs CPU, median [runs] | study pages |")  # fmt: skip
    print("|---|---|---|---|---|")
    for name, rs in runs.items():
        cells = [
            f"{statistics.median(r[key] for r in rs):.1f} s [{', '.join(f'{r[key]:.1f}' for r in rs)}]"
            for key in keys
        ]  # fmt: skip
        print(f"| {name} | {' | '.join(cells)} | "
              f"{rs[0]['page_bytes'] / max(studies, 1) / 1e6:.2f} MB per study |")  # fmt: skip
    cells = []
    for key in keys:
        ratios = [b[key] / a[key] for b, a in zip(before, after, strict=True)]
        cells.append(
            f"**{statistics.median(ratios):.2f}×** [{', '.join(f'{x:.2f}' for x in ratios)}]"
        )
    print(f"| **before / after** | {' | '.join(cells)} | |")
    if args.changes:
        print(f"\nrebuild after one study changed ({args.changes} after each full build)")
        print("| side | wall, median [all] |")
        print("|---|---|")
        for name, rs in runs.items():
            ones = [x for r in rs for x in r["one"]]
            print(f"| {name} | {statistics.median(ones):.2f} s "
                  f"[{', '.join(f'{x:.2f}' for x in ones)}] |")  # fmt: skip
        mb = statistics.median(x for r in before for x in r["one"])
        ma = statistics.median(x for r in after for x in r["one"])
        print(f"| **before / after** | **{mb / ma:.2f}×** |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

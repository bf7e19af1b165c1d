"""Whole-process wall time of the `reportgen` commands, against `python -c pass` (issue 39).

A command that does little should start at once: the heavy libraries (scikit-learn, pandas,
scipy, altair, MkDocs) are imported only on the paths that use them. This bench times each
command as a user runs it, a fresh Python process from start to exit, on the machine it runs
on, and prints the median of ``--runs`` runs with the ratio to `python -c pass` (the floor any
command pays). The cases alternate run by run, so a machine that slows down slows all of them.

    python bench/startup.py [--logbook LOGBOOK] [--study STUDY] [--runs 5] [--tree DIR]

Cases, each on a one-study copy of STUDY in a temporary folder:

* ``python -c pass`` and ``reportgen --help``;
* ``analyze`` cold: an empty cache folder (``REPORTGEN_CACHE_DIR``), so the study is loaded
  and analysed; ``analyze`` warm: the answer kept by an earlier call is given again;
* ``check`` of the one-study logbook;
* ``build`` cold: fresh docs and site and empty caches (records, chart templates, compiled
  templates); ``build`` warm cache: fresh docs and site, the caches a previous build left (what
  a user's second logbook or a CI job with a kept cache sees); ``build`` unchanged: nothing
  changed since the last build.

``--tree`` times another source tree (e.g. a worktree of the commit before a change) with this
interpreter: it goes first on PYTHONPATH, and the bench checks that ``reportgen`` comes from it.
Given twice or more, the trees take turns case by case within each run, and each table gives
the ratio to the first tree's median: a machine that slows down slows every tree alike.
No figure here is asserted anywhere; tests keep the import lists (tests/architecture).
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    t = time.perf_counter()
    p = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - t
    if p.returncode:
        raise SystemExit(f"{' '.join(argv)} exited {p.returncode}:\n{p.stderr[-3000:]}")
    return took


def _cases(tree: Path, args: argparse.Namespace, work: Path) -> dict[str, Callable[[], tuple]]:
    """The cases of one source tree, in a folder of its own (``work``): what each runs, and in
    which environment; the warm cases' caches are made here, before any clock."""
    py = sys.executable
    # a user's Python keeps the bytecode of what it imports: a tree timed without it (a fresh
    # worktree, or PYTHONDONTWRITEBYTECODE set, as on some sandboxes) compiles every module of
    # reportgen on every run, so the tree is compiled first and the runs may write bytecode
    base_env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("REPORTGEN_") and k != "PYTHONDONTWRITEBYTECODE"
    }
    base_env["PYTHONPATH"] = str(tree)
    compileall.compile_dir(tree / "reportgen", quiet=1)
    found = subprocess.run(
        [py, "-c", "import reportgen; print(reportgen.__file__)"],
        env=base_env, cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not found.startswith(str(tree)):
        raise SystemExit(f"reportgen comes from {found}, not from {tree}")
    docs_template = Path(
        subprocess.run(
            [py, "-c", "from reportgen.site.mkdocs_run import DEFAULT_DOCS; print(DEFAULT_DOCS)"],
            env=base_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()  # fmt: skip
    )
    rg = [py, "-m", "reportgen"]
    logbook = work / "logbook"
    shutil.copytree(args.logbook / args.study, logbook / args.study)
    cwd = work / "cwd"  # no mkdocs.yml here: the packaged default config
    cwd.mkdir()
    # a file changed within RACY_NS of a stat is read again (`store.record_cache.racy`):
    # let the copy age past that before the caches are made
    time.sleep(2.5)

    def env(cache: Path) -> dict[str, str]:
        return base_env | {
            "REPORTGEN_CACHE_DIR": str(cache / "records"),
            "REPORTGEN_TEMPLATE_CACHE": str(cache / "templates"),
        }

    def fresh(folder: Path) -> Path:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def build_argv(out: Path) -> list[str]:
        return [*rg, "build", "--logbook", str(logbook), "--docs", str(out / "docs"),
                "--site", str(out / "site")]  # fmt: skip

    def fresh_out(out: Path) -> Path:
        fresh(out)
        shutil.copytree(docs_template, out / "docs")
        return out

    analyze = [*rg, "analyze", args.study, "--logbook", str(logbook)]
    warm_cache = fresh(work / "warm-cache")
    _run(analyze, env(warm_cache), cwd)
    _run(build_argv(fresh_out(work / "warm-build")), env(warm_cache), cwd)
    unchanged = fresh_out(work / "unchanged")
    _run(build_argv(unchanged), env(warm_cache), cwd)
    return {
        "python -c pass": lambda: ([py, "-c", "pass"], env(warm_cache), cwd),
        "reportgen --help": lambda: ([*rg, "--help"], env(warm_cache), cwd),
        "analyze, cold cache": lambda: (analyze, env(fresh(work / "cold")), cwd),
        "analyze, answer kept": lambda: (analyze, env(warm_cache), cwd),
        "check": lambda: ([*rg, "check", "--logbook", str(logbook)], env(warm_cache), cwd),
        "build, cold": lambda: (
            build_argv(fresh_out(work / "out")), env(fresh(work / "cold")), cwd
        ),
        "build, fresh site, warm cache": lambda: (
            build_argv(fresh_out(work / "out")),
            env(warm_cache),
            cwd,
        ),
        "build, unchanged": lambda: (build_argv(unchanged), env(warm_cache), cwd),
    }


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--logbook", type=Path, default=REPO / "logbook")
    ap.add_argument("--study", default="adam-lr-digits", help="a small study of LOGBOOK")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tree", type=Path, action="append", help="source tree to time "
                    "(repeat it to compare trees, which take turns case by case; default: this "
                    "one)")  # fmt: skip
    args = ap.parse_args()
    trees = [t.resolve() for t in (args.tree or [REPO])]
    with tempfile.TemporaryDirectory(prefix="reportgen-startup-") as tmp:
        cases = {t: _cases(t, args, Path(tmp) / str(i)) for i, t in enumerate(trees)}
        times = {t: {name: [] for name in cases[t]} for t in trees}
        for k in range(args.runs):
            for name in cases[trees[0]]:
                for t in trees:
                    argv, e, cwd = cases[t][name]()
                    times[t][name].append(_run(argv, e, cwd))
            print(f"run {k + 1}/{args.runs} done", file=sys.stderr, flush=True)

    first = {name: statistics.median(ts) for name, ts in times[trees[0]].items()}
    for t in trees:
        floor = statistics.median(times[t]["python -c pass"])
        print(f"whole-process wall time, median of {args.runs} interleaved runs; tree {t}; "
              f"study {args.study}; {os.cpu_count()} cores")  # fmt: skip
        print("| command | median s | runs s | × python -c pass | × first tree |")
        print("|---|---|---|---|---|")
        for name, ts in times[t].items():
            med = statistics.median(ts)
            print(f"| {name} | {med:.3f} | {', '.join(f'{x:.2f}' for x in ts)} | "
                  f"{med / floor:.1f} | {med / first[name]:.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

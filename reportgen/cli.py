"""The ``reportgen`` command line. Exit status: 0 success, 1 bad input or failed check, 2 usage.

Each command lives in ``reportgen/commands/<name>.py`` with ``add_parser(subparsers)`` and
``run(args) -> int``; commands that need JAX import ``runners`` lazily inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from reportgen import __version__
from reportgen.errors import InvalidRecords, ReportgenError

COMMANDS = (
    "check",
    "run",
    "retrain",
    "rerun",
    "throughput",
    "analyze",
    "build",
    "serve",
    "review",
    "suggest",
    "release",
    "complete",
    "import",
    "export",
)
_MODULES = {"import": "import_"}  # a command whose name is a Python keyword


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="reportgen",
        description="Tuning logbook: run hyperparameter studies the way the Deep Learning Tuning "
        "Playbook prescribes, check their records and publish them as a static site.",
    )
    p.add_argument("--version", action="version", version=f"reportgen {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module_name = f"reportgen.commands.{_MODULES.get(name, name)}"
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name != module_name:
                raise
            continue
        module.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except InvalidRecords as e:
        for problem in e.problems:
            print(problem, file=sys.stderr)
        return 1
    except ReportgenError as e:
        print(f"reportgen {args.command}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"reportgen {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as e:  # last resort: commands that write say more (what is intact, how to go on)
        where = f"{e.filename}: " if e.filename else ""
        print(f"reportgen {args.command}: {where}{e.strerror or e}", file=sys.stderr)
        return 1


def entry() -> None:
    """``reportgen`` as a program (the console script and ``python -m reportgen``): ``main``,
    then a quick exit."""
    quick_exit(main())


def quick_exit(code: int) -> None:
    """Exit with ``code`` without tearing the interpreter down.

    Freeing every loaded module one by one at exit is work nobody needs: `analyze`, `check`
    and a build with nothing to render take 0.80-0.84 of their time without it on a 2-core
    machine (`bench/startup.py` with the trees before and after it, taking turns); a build that
    renders gains nothing measurable. The exit functions still run (``atexit``: child
    processes joined, temporary folders removed, logging flushed), then standard output and
    error are flushed and the process ends. Only when no thread but daemon threads is left
    beside the main one (the threads the usual exit does not wait for either: Ray's, once a run
    on a Ray cluster is done): a thread still running that is not a daemon (a progress display,
    a checkpoint writer) gets the usual exit, which waits for it."""
    import atexit
    import os
    import threading

    main = threading.main_thread()
    if all(t.daemon for t in threading.enumerate() if t is not main):
        atexit._run_exitfuncs()
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):  # a closed or broken pipe: let the usual exit report it
            sys.exit(code)
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()

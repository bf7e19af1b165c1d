"""A first build of one study: its analysis in a forked child while this process loads the chart
code.

A fresh build process that renders one study (the usual case after a run: every other page is
reused) waits about 1 s for scikit-learn to import (the fANOVA forest of the importance: its
`sklearn.utils.fixes` imports `scipy.stats`), then about 0.7 s for Altair and the chart
templates. Neither needs the other, so on a machine with two cores or more the analyses run in a
forked child while this process builds the charts of a quick analysis without the importance
(which loads Altair and builds the templates), then takes the child's analyses: the same numbers
from the same code, passed back by pickle, which keeps every float exactly. Anything unusual (no
fork, one core, JAX or scikit-learn already loaded, a render worker, the child failing) falls back
to analysing here; ``REPORTGEN_OVERLAP=off`` turns it off. A build also loads MkDocs' modules,
its config's plugins and Markdown extensions, and compiles the theme's templates into the
template cache during the wait (`next_up`). It happens once per process: a
long-lived one (`reportgen serve`) then pays the import once and keeps it for every rebuild,
instead of a child importing it again each time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_forked = False  # this process has overlapped once already
_next: list[Callable[[], object]] = []  # work this process does after the render (`next_up`)


@contextlib.contextmanager
def next_up(prepare: Callable[[], object]) -> Iterator[None]:
    """Inside, a `meanwhile` wait also runs ``prepare()``: the part of what this process does
    after the render that can be done early (MkDocs' imports), while the child analyses."""
    _next.append(prepare)
    try:
        yield
    finally:
        _next.remove(prepare)


def worth_it() -> bool:
    """Whether a forked child can take the slow imports off this process's path."""
    return (
        not _forked
        and os.environ.get("REPORTGEN_OVERLAP", "").lower() not in ("off", "0", "false", "no")
        and sys.platform.startswith("linux")
        and (os.cpu_count() or 1) >= 2
        and "jax" not in sys.modules  # fork is unsafe once a multithreaded runtime is loaded
        and "sklearn" not in sys.modules  # already paid: nothing to overlap
        and not multiprocessing.current_process().daemon  # a render worker has siblings
    )


def meanwhile(compute: Callable[[], T], warm: Callable[[], object]) -> T:
    """``compute()`` in a forked child while ``warm()`` runs here; the child's result, or
    ``compute()`` run here when the child could not give one."""
    global _forked
    _forked = True
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            send.send(("ok", compute()))
        except BaseException:  # noqa: BLE001 - the parent analyses again and raises it itself
            send.send(("error", traceback.format_exc()))
        finally:
            send.close()

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    send.close()
    for step in (warm, *_next):
        with contextlib.suppress(Exception):  # warming is optional; the real work reports errors
            step()
    try:
        status, value = receive.recv()
    except (EOFError, OSError):  # the child died without an answer
        status, value = "error", None
    finally:
        receive.close()
        proc.join()
    return value if status == "ok" else compute()

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

`reportgen build` forks that child as its first step (`start_early`), before this process has
loaded anything: the child imports the analysis and scikit-learn while this process imports the
build's own modules and loads the records, then takes the analysis as a pickled job
(`meanwhile`) and sends its answer back. A build that has nothing for it to do (no study to
render, analyses kept from an earlier build, several studies rendered by workers) stops it
(`release`).
"""

from __future__ import annotations

import contextlib
import importlib
import multiprocessing
import os
import pickle
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TypeVar

T = TypeVar("T")
_forked = False  # this process has overlapped once already
_next: list[Callable[[], object]] = []  # work this process does after the render (`next_up`)


@dataclass
class _Early:
    """A child forked by `start_early`, waiting for its job."""

    proc: BaseProcess
    jobs: Connection  # this end sends the job
    answers: Connection  # this end receives the answer


_early: _Early | None = None


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


def start_early(modules: tuple[str, ...]) -> None:
    """Fork the child now, when a later `meanwhile` will want it: it imports ``modules`` while
    this process goes on, then waits for its job. Nothing happens when `worth_it` says no."""
    global _early
    if _early is not None or not worth_it():
        return
    ctx = multiprocessing.get_context("fork")
    job_in, job_out = ctx.Pipe(duplex=False)
    answer_in, answer_out = ctx.Pipe(duplex=False)

    def child() -> None:
        job_out.close()
        answer_in.close()
        for name in modules:
            with contextlib.suppress(Exception):  # the job imports what it needs itself
                importlib.import_module(name)
        try:
            payload = job_in.recv_bytes()
        except (EOFError, OSError):  # released: nothing to do
            return
        try:
            compute = pickle.loads(payload)
        except BaseException:  # noqa: BLE001 - the parent computes it itself
            answer_out.send(("error", traceback.format_exc()))
            return
        _answer(answer_out, compute)

    proc = ctx.Process(target=child, daemon=True)
    proc.start()
    job_in.close()
    answer_out.close()
    _early = _Early(proc, job_out, answer_in)


def release() -> None:
    """Stop the child `start_early` forked, unless a `meanwhile` took it (idempotent)."""
    global _early
    early, _early = _early, None
    if early is not None:
        _stop(early)


def _stop(early: _Early) -> None:
    early.jobs.close()
    early.answers.close()
    early.proc.terminate()  # it is importing, or waiting for a job: nothing to lose
    early.proc.join()


def _answer(send: Connection, compute: Callable[[], object]) -> None:
    try:
        send.send(("ok", compute()))
    except BaseException:  # noqa: BLE001 - the parent analyses again and raises it itself
        send.send(("error", traceback.format_exc()))
    finally:
        send.close()


def meanwhile(compute: Callable[[], T], warm: Callable[[], object]) -> T:
    """``compute()`` in a child while ``warm()`` runs here; the child's result, or ``compute()``
    run here when the child could not give one. The child is the one `start_early` forked when
    there is one and ``compute`` pickles (a `functools.partial` of a module's function, say);
    else one forked now, which inherits ``compute``."""
    global _forked, _early
    _forked = True
    early, _early = _early, None
    if early is not None:
        try:
            payload = pickle.dumps(compute, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a closure, say: a child forked now inherits it
            _stop(early)
            early = None
    sender = None
    if early is not None:
        proc, receive = early.proc, early.answers
        # from a thread: a job larger than the pipe's buffer would block this process until
        # the child, still importing, reads it
        sender = threading.Thread(target=_send, args=(early.jobs, payload), daemon=True)
        sender.start()
    else:
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_answer, args=(send, compute), daemon=True)
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
        if sender is not None:
            sender.join()
        proc.join()
    return value if status == "ok" else compute()


def _send(conn: Connection, payload: bytes) -> None:
    with contextlib.suppress(OSError):  # the child died: `meanwhile` sees no answer
        conn.send_bytes(payload)
    conn.close()

"""Options shared by the commands that train trials (run, retrain, rerun)."""

from __future__ import annotations

import argparse
import shlex
import sys
from contextlib import contextmanager
from pathlib import Path

from reportgen.errors import ReportgenError, stopped_by


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("study", metavar="STUDY", help="study id: a folder under the logbook")
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.add_argument(
        "--mode",
        choices=("vectorised", "sequential"),
        default="vectorised",
        help="vectorised: trials of equal shapes train together in one jit(vmap) program "
        "(default); sequential: one trial at a time, for comparison",
    )
    p.add_argument(
        "--max-group",
        type=int,
        default=64,
        metavar="N",
        help="most trials in one vectorised group (also bounded by a memory estimate; default 64)",
    )
    p.add_argument(
        "--worker",
        action="store_true",
        help="join the other processes training this study (a Slurm array, one process per GPU): "
        "each trial is claimed before it is trained, so none is trained twice, and the trials "
        "of a worker that died are taken over when its lease runs out; implies --resume. "
        "Without it, a run refuses to start while another process trains the study",
    )
    p.add_argument(
        "--lease",
        type=float,
        default=None,
        metavar="SECONDS",
        help="how long a claim on a trial lives without renewal (renewed every third of it "
        "while the trial trains); a dead worker's trials come back after this (default 600)",
    )
    p.add_argument(
        "--executor",
        choices=("local", "ray"),
        default="local",
        help="local: this process, every local device (default); ray: each trial group is a Ray "
        "task on the cluster at --address (a local one without it); the records come back "
        "here and are written by this process alone (needs the ray extra)",
    )
    p.add_argument(
        "--address",
        default=None,
        metavar="ADDR",
        help="the Ray cluster to use with --executor ray (e.g. 10.0.0.5:6379, or 'auto')",
    )
    p.add_argument(
        "--checkpoints",
        type=Path,
        default=None,
        metavar="DIR",
        help="checkpoint root, used when the study's spec asks for checkpoints "
        "(`checkpoints: {keep: best|every, every_evals: K}`): each group's training state is "
        "saved there (Orbax) so that --resume continues a killed group from its last save, and "
        "each trial's best parameters go to DIR/<study>/trials/<trial id>/<step>, named in its "
        "record and read by `reportgen export`. Keep it outside git (default: .checkpoints "
        "beside the logbook folder, i.e. ./.checkpoints for ./logbook; it holds a .gitignore "
        "of everything)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def needs_runners(e: ModuleNotFoundError) -> str:
    return (
        f"training needs the runners extra ({e.name} is not installed): "
        "pip install 'tuning-logbook[runners]'"
    )


def positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def make_runner(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The study runner for these options. ``runners`` (JAX) is imported here, lazily: it is an
    optional extra, and a missing one is a clear error, not a traceback."""
    if args.executor == "ray":  # its first actor loads JAX while this process does
        try:
            from runners.executors.ray_executor import start_early
        except ModuleNotFoundError as e:
            raise ReportgenError(needs_runners(e)) from None
        start_early(args.address)
    try:
        from runners.study_runner import StudyRunner
    except ModuleNotFoundError as e:
        raise ReportgenError(needs_runners(e)) from None
    from reportgen.store.claims import DEFAULT_LEASE_SECONDS

    command = "reportgen " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lease = DEFAULT_LEASE_SECONDS if args.lease is None else args.lease
    if lease <= 0:
        raise ReportgenError(f"--lease: must be positive, got {lease:g}")
    return StudyRunner(
        args.logbook,
        args.study,
        mode=args.mode,
        max_group=args.max_group,
        command=command,
        quiet=args.quiet,
        worker=args.worker,
        lease_seconds=lease,
        executor=args.executor,
        address=args.address,
        checkpoint_root=args.checkpoints,
    )


def throughput_probe(logbook: Path, study: str, batch_name: str = "batch_size"):  # type: ignore[no-untyped-def]
    """The study's spec and its throughput probe (``runners.throughput``, imported lazily)."""
    try:
        from runners.study_runner import StudyRunner
        from runners.throughput import ThroughputProbe
    except ModuleNotFoundError as e:
        raise ReportgenError(needs_runners(e)) from None
    runner = StudyRunner(logbook, study, quiet=True)
    names = [hp.name for hp in runner.spec.search_space if hp.name.split(".")[-1] == batch_name]
    return runner.spec, ThroughputProbe(
        runner.spec, runner.workload, runner.data(), names[0] if names else batch_name
    )


def export_trial(spec, trial, logbook: Path, root: Path | None, out: Path) -> Path:  # type: ignore[no-untyped-def]
    """``runners.export.export_trial`` (imported here, lazily: JAX and Orbax are the runners
    extra) from the checkpoint root ``root`` (by default the one beside ``logbook``)."""
    try:
        from runners.checkpoints import default_root
        from runners.export import export_trial as export
    except ModuleNotFoundError as e:
        raise ReportgenError(needs_runners(e)) from None
    return export(spec, trial, root or default_root(logbook), out)


def run_early_probe(runner, resume: bool):  # type: ignore[no-untyped-def]
    """The early-instability probe of the runner's study (``runners.early_probe``, lazily)."""
    from runners.early_probe import run_early_probe as run_probe

    return run_probe(runner, resume=resume)


def report(records, what: str, notice: str = "") -> None:
    """The command's last line on stderr: what it wrote, after ``notice`` (why it ran less)."""
    if notice:
        print(f"{what}: {notice}", file=sys.stderr)
    by = {}
    for r in records:
        by[r.status.value] = by.get(r.status.value, 0) + 1
    counts = ", ".join(f"{n} {s}" for s, n in sorted(by.items())) or "nothing to do"
    print(f"{what}: wrote {len(records)} trial(s) ({counts})", file=sys.stderr)


@contextmanager
def os_errors(args: argparse.Namespace, command: str, again: str):  # type: ignore[no-untyped-def]
    """Turn a full disk or an unwritable logbook during training into a clear error.

    Trials are written atomically one by one, so every trial file on disk is whole.
    """
    try:
        yield
    except OSError as e:
        raise stopped_by(
            e,
            command,
            f"Every trial file already in {args.logbook}/{args.study}/trials is complete (each "
            "is written whole or not at all).",
            again,
        ) from None

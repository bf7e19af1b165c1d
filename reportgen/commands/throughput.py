"""``reportgen throughput``: time one trial's training step per batch size on this device."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from reportgen.commands._runner_args import positive, throughput_probe

DEFAULT_SIZES = tuple(2**k for k in range(3, 11))  # 8 .. 1024, when the study names none


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"batch sizes must be positive integers, got {text!r}")
    return sizes


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "throughput",
        help="measure training throughput per batch size on this device (the batch-size probe)",
        description="Time one trial of the study (its fixed values, the middle of each searched "
        "range) at each batch size: the steady-state step time with batches gathered from the "
        "training set, the same step on one fixed batch already on the device (the input "
        "pipeline left out: an input-bound run shows the gap), and the gather alone. Compile "
        "and a warm-up call are excluded; each figure is the median of --repeats timings of "
        "--steps steps. Sizes are tried in increasing order and the probe stops at the first "
        "that runs out of device memory. Writes <logbook>/<STUDY>/throughput.json, which the "
        "study page shows (throughput table, scaling efficiency, and the time to the target of "
        "a steps-to-result study). Needs the runners extra (JAX).",
    )
    p.add_argument("study", metavar="STUDY", help="study id: a folder under the logbook")
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.add_argument(
        "--batch-sizes",
        type=_sizes,
        default=None,
        metavar="B1,B2,...",
        help="batch sizes to time (default: the study's batch sizes when it compares several, "
        "else powers of two from 8 to 1024)",
    )
    p.add_argument(
        "--steps", type=positive, default=50, metavar="N", help="steps per timing (default 50)"
    )
    p.add_argument(
        "--repeats", type=positive, default=7, metavar="K",
        help="timings per batch size, taken in turn with the other two; the median is kept "
        "(default 7)",
    )  # fmt: skip
    p.add_argument("--quiet", action="store_true", help="no table on the terminal")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    from reportgen.schema.batch_size import THROUGHPUT_FILE
    from reportgen.store.layout import study_folder
    from reportgen.store.write import atomic_write_text

    spec, probe = throughput_probe(args.logbook, args.study)
    several = spec.batch_sizes if len(spec.batch_sizes) > 1 else []
    sizes = args.batch_sizes or several or list(DEFAULT_SIZES)
    console = Console(stderr=True, quiet=args.quiet)
    console.print(
        f"throughput probe of {args.study}: batch sizes {', '.join(map(str, sizes))}, "
        f"{args.repeats} × {args.steps} steps each"
    )

    def show(p) -> None:  # type: ignore[no-untyped-def]
        if p.oom:
            console.print(f"  batch {p.batch_size:>6}: out of device memory (larger sizes skipped)")
            return
        console.print(
            f"  batch {p.batch_size:>6}: {p.step_seconds * 1e3:8.2f} ms/step, "
            f"{p.examples_per_second:10.0f} examples/s "
            f"(fixed batch {p.synthetic_step_seconds * 1e3:.2f} ms, gather alone "
            f"{p.input_seconds * 1e3:.3f} ms)"
        )

    command = "reportgen " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    record = probe.run(sizes, args.steps, args.repeats, command=command, on_point=show)
    path = study_folder(args.logbook, args.study) / THROUGHPUT_FILE
    atomic_write_text(path, record.model_dump_json(indent=2) + "\n")
    console.print(f"wrote {path}")
    return 0

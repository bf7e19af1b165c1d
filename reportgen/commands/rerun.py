"""``reportgen rerun``: run the whole search again with new sampler seeds (study variance)."""

from __future__ import annotations

import argparse

from reportgen.commands._runner_args import add_common, make_runner, os_errors, positive, report


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "rerun",
        help="repeat the whole search with K new sampler seeds (study variance)",
        description="Repeat the study's search K times, each with a new sampler seed "
        "(the spec's search.seed + 1 .. + K). Trials are written as kind 'rerun', grouped "
        "'sampler-seed-<seed>'; trials already on disk are kept.",
    )
    add_common(p)
    p.add_argument(
        "--sampler-seeds", type=positive, required=True, metavar="K", help="how many reruns"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportgen.schema import TrialKind

    runner = make_runner(args)
    records = []
    base = runner.spec.search.seed
    again = "run the same command again: reruns resume, training only the missing trials."
    with os_errors(args, "rerun", again):
        for k in range(1, args.sampler_seeds + 1):
            records += runner.run_search(seed=base + k, kind=TrialKind.RERUN, resume=True)
    report(records, f"rerun {args.study}")
    return 0

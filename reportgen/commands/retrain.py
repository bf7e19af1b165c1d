"""``reportgen retrain``: train one configuration again with new seeds (trial variance)."""

from __future__ import annotations

import argparse

from reportgen.commands._runner_args import add_common, make_runner, os_errors, positive, report


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "retrain",
        help="retrain a trial's configuration with N new seeds (trial variance)",
        description="Train the hyperparameters of one search trial again with N new seeds "
        "(init, data order, dropout). The retrains are written as kind 'retrain' with the source "
        "trial id as their group, ids <trial_id>-rt1..rtN; ones already on disk are kept.",
    )
    add_common(p)
    p.add_argument(
        "--trial",
        default="best",
        metavar="ID|best",
        help="the search trial to retrain (default: the best feasible one by the study's objective)",
    )
    p.add_argument("--seeds", type=positive, required=True, metavar="N", help="how many retrains")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    runner = make_runner(args)
    again = "run `reportgen check` to see which retrains were written, then retrain again."
    with os_errors(args, "retrain", again):
        records = runner.retrain(args.trial, args.seeds)
    report(records, f"retrain {args.study}")
    return 0

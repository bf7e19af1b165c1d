"""``reportgen run``: train every trial of a study's search and write each record."""

from __future__ import annotations

import argparse

from reportgen.commands._runner_args import (
    add_common,
    make_runner,
    os_errors,
    report,
    run_early_probe,
)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "run",
        help="train every trial of a study (JAX) and write the records",
        description="Sample the study's search (scrambled Halton, grid, manual or Bayesian), "
        "train the trials on the study's workload, and write each trial to "
        "<logbook>/<STUDY>/trials/<trial_id>.json as soon as its group ends. Trial ids are "
        "deterministic: with --resume only the missing trials are trained. Needs the runners "
        "extra (JAX); datasets come from `python -m runners.datasets`.",
    )
    add_common(p)
    p.add_argument(
        "--resume",
        action="store_true",
        help="keep the trials already on disk and train only the missing ones; a group killed "
        "mid-training continues from its last checkpoint when the spec asks for checkpoints",
    )
    p.add_argument(
        "--probe",
        choices=("early",),
        default=None,
        help="instead of the search, run an abbreviated probe. early: the early-instability "
        "probe, the first tenth of max_train_steps (20 to 500 steps) of the best search trial "
        "again at twice its learning rate, evaluated every step, with the same seeds and the "
        "study's schedule; written as trial <best trial id>-probe of kind 'probe' (never "
        "ranked with the search), and the study page draws its every-step training loss",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    runner = make_runner(args)
    if args.probe == "early":
        again = f"run `reportgen run {args.study} --probe early --resume`."
        with os_errors(args, "run", again):
            records = run_early_probe(runner, resume=args.resume)
        report(records, f"early probe of {args.study}")
        return 0
    again = f"run `reportgen run {args.study} --resume` to train only the missing trials."
    with os_errors(args, "run", again):
        records = runner.run_search(resume=args.resume)
    report(records, f"run {args.study}", runner.notice)
    return 0

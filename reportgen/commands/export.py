"""``reportgen export``: a trial's best parameters (from its checkpoint) and its config."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen.errors import InvalidRecords, ReportgenError

if TYPE_CHECKING:
    from reportgen.schema import TrialRecord


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "export",
        help="write a trial's best parameters and its config to a folder",
        description="Read the best parameters a trial's record names (saved by `reportgen run` "
        "when the study's spec asks for `checkpoints:`) and write them to OUT/params (an Orbax "
        "checkpoint: orbax.checkpoint.StandardCheckpointer().restore(OUT/params)) with "
        "OUT/config.json: the workload and its settings, the trial's resolved hyperparameters "
        "(the cfg its workload's apply reads), the step and the objective value recorded there. "
        "Needs the runners extra (JAX, Orbax).",
    )
    p.add_argument("study", metavar="STUDY", help="study id: a folder under the logbook")
    p.add_argument(
        "--trial",
        default="best",
        metavar="ID|best",
        help="the trial to export (default: the best one of the study's current revision by "
        "its objective, of any kind: search, retrain or rerun)",
    )
    p.add_argument(
        "--out", type=Path, required=True, metavar="DIR", help="a new or empty folder to write"
    )
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.add_argument(
        "--checkpoints",
        type=Path,
        default=None,
        metavar="DIR",
        help="the checkpoint root the study was trained with (`reportgen run --checkpoints`; "
        "default: .checkpoints beside the logbook folder)",
    )
    p.set_defaults(func=run)


def pick(trials: list[TrialRecord], which: str, study) -> TrialRecord:  # type: ignore[no-untyped-def]
    """The trial named ``which``, or the best of the current revision by the objective."""
    if which != "best":
        found = [t for t in trials if t.trial_id == which]
        if not found:
            raise ReportgenError(f"--trial {which!r}: no such trial in {study.spec.study_id!r}")
        return found[0]
    from reportgen.analysis.objective import score_trials

    current = list(study.trials_at(study.spec.revision))  # records_from included
    ranking = score_trials(current, study.spec.objective).ranking()
    if len(ranking) == 0:
        raise ReportgenError(
            f"study {study.spec.study_id!r} has no feasible trial at revision {study.spec.revision}"
        )
    return current[int(ranking[0])]


def run(args: argparse.Namespace) -> int:
    from reportgen.store import load_study, study_folder

    study, problems = load_study(study_folder(args.logbook, args.study))
    if study is None or problems:
        raise InvalidRecords(problems)
    trial = pick(list(study.trials), args.trial, study)
    from reportgen.commands._runner_args import export_trial

    out = export_trial(study.spec, trial, args.logbook, args.checkpoints, args.out)
    print(f"export {args.study}: trial {trial.trial_id} step {trial.checkpoint.step} -> {out}")
    return 0

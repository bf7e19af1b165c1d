"""``reportgen suggest``: the study's next points for an external training loop, claimed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from reportgen.errors import ReportgenError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "suggest",
        help="hand out the study's next hyperparameter points to your own training loop",
        description="Hand out the next COUNT points of the study's search (the same seeded "
        "quasi-random, grid, manual or Bayesian search `reportgen run` uses, scientific values "
        "covered evenly), each with its trial id, index and seeds, and claim them: two callers "
        "never get the same point while its lease lives. Train each point in your loop and write "
        "it with the trial logger (reportgen.logger.open_suggested) or `reportgen complete`; "
        "logging renews the lease. A caller that dies stops renewing, and after --lease seconds "
        "its points are handed out again. --dry-run shows the next points without claiming them; "
        "`reportgen release` gives claimed points back. No JAX needed.",
    )
    p.add_argument("study", metavar="STUDY", help="study id: a folder under the logbook")
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.add_argument("--count", type=int, default=1, metavar="N", help="points to hand out (default 1)")
    p.add_argument("--json", action="store_true", help="print the points as a JSON list")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show the points that would be handed out, without claiming them (nothing is "
        "written)",
    )
    p.add_argument(
        "--lease",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="how long a claim lives without being renewed (default 3600)",
    )
    p.add_argument("--owner", default=None, help="name of the claim holder (default: host-pid-random)")
    p.add_argument(
        "--sampler-seed",
        type=int,
        default=None,
        metavar="K",
        help="hand out points of a rerun of the study with sampler seed K (study variance)",
    )
    p.add_argument(
        "--retrain",
        default=None,
        metavar="TRIAL",
        help="hand out retrains of a search trial (its id, or 'best'): same values, new seeds "
        "(trial variance), as `reportgen retrain` makes them",
    )
    p.add_argument(
        "--seeds", type=int, default=3, metavar="N", help="with --retrain: retrains to hand out (default 3; --count does not apply)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.count < 1:
        raise ReportgenError(f"--count must be at least 1, got {args.count}")
    from reportgen.store.claims import MAX_LEASE_SECONDS

    if not 0 < args.lease <= MAX_LEASE_SECONDS:  # NaN and inf fail too: a lease must end
        raise ReportgenError(
            f"--lease must be a number of seconds above 0 and at most {MAX_LEASE_SECONDS:.0f} "
            f"(a week), got {args.lease}"
        )
    try:
        from runners.search.suggest import suggest, suggest_retrains
    except ModuleNotFoundError as e:
        raise ReportgenError(
            f"suggest needs the search packages ({e.name} is not installed): "
            "pip install 'tuning-logbook[runners]'"
        ) from None
    if args.retrain is not None:
        if args.seeds < 1:
            raise ReportgenError(f"--seeds must be at least 1, got {args.seeds}")
        points = suggest_retrains(
            args.logbook, args.study, args.retrain, args.seeds, owner=args.owner,
            lease_seconds=args.lease, dry_run=args.dry_run,
        )
    else:
        points = suggest(
            args.logbook,
            args.study,
            args.count,
            owner=args.owner,
            lease_seconds=args.lease,
            sampler_seed=args.sampler_seed,
            dry_run=args.dry_run,
        )
    if args.json:
        print(json.dumps([json.loads(s.model_dump_json()) for s in points], indent=2))
    else:
        for s in points:
            values = ", ".join(f"{k}={v!r}" for k, v in s.hyperparameters.items())
            print(f"{s.trial_id}\t{values}")
    if not points:
        print(f"suggest {args.study}: no point left (budget used up or all claimed)", file=sys.stderr)
    elif args.dry_run:
        print(f"suggest {args.study}: dry run: nothing was claimed or written", file=sys.stderr)
    elif not args.json:
        print(
            f"suggest {args.study}: claimed for owner {points[0].owner} for {args.lease:g} s "
            "(logging renews it); `reportgen complete --owner` with that name writes a point "
            "that was handed out before",
            file=sys.stderr,
        )
    return 0

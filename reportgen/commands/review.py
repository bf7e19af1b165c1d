"""``reportgen review``: a pull-request summary of what changed in the studies between two revisions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "review",
        help="summarise study changes between two git revisions (for a pull request)",
        description="Read the logbook at --base and --head straight from git (the working tree is "
        "never checked out; without --head the working tree is the head), find studies added, "
        "changed and removed, and write review.md plus PNG charts of each changed study into --out. "
        "Exits 1 when the head has invalid records (and, with --fail-on-reject, when a decision "
        "flipped to reject), so CI can gate on it.",
    )
    p.add_argument(
        "--base",
        required=True,
        metavar="REF",
        help="git revision to compare against (e.g. origin/main)",
    )
    p.add_argument(
        "--head",
        metavar="REF",
        default=None,
        help="git revision under review (default: the working tree)",
    )
    p.add_argument(
        "--out", type=Path, default=Path("review-out"), help="output folder (default: ./review-out)"
    )
    p.add_argument("--repo", type=Path, default=Path("."), help="git repository (default: .)")
    p.add_argument(
        "--logbook",
        default="logbook",
        help="logbook folder inside the repository (default: logbook)",
    )
    p.add_argument(
        "--site-url", default=None, help="base URL of the built site, to link each study's page"
    )
    p.add_argument(
        "--fail-on-reject",
        action="store_true",
        help="also exit 1 when a decision flipped to reject",
    )
    p.add_argument("--no-charts", action="store_true", help="skip the PNG charts (faster)")
    p.add_argument(
        "--image-base",
        metavar="URL",
        default=None,
        help="link the PNG charts in review.md under this https URL (where CI published them, "
        "pinned to a commit: see scripts/publish-review-images.sh) instead of relative paths",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from reportgen.review.run import ReviewOptions, valid_image_base, write_review

    if args.image_base is not None and not valid_image_base(args.image_base):
        print(
            f"--image-base: {args.image_base!r} must be an https URL (letters, digits, ._~%/-)",
            file=sys.stderr,
        )
        return 1

    opts = ReviewOptions(
        repo=args.repo,
        base=args.base,
        head=args.head,
        logbook=args.logbook,
        out=args.out,
        site_url=args.site_url,
        fail_on_reject=args.fail_on_reject,
        charts=not args.no_charts,
        image_base=args.image_base,
    )
    review, path = write_review(opts)
    print(path)
    for g in review.gate_failures:
        print(f"gate: {g}", file=sys.stderr)
    return 1 if review.gate_failures else 0

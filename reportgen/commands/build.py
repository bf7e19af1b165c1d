"""``reportgen build``: publish every study of the logbook as a page of the static site."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from reportgen.errors import stopped_by


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="render every study into docs/studies/ and build the static site",
        description="Render every study of the logbook (every revision, with its charts, checks, "
        "variance and launch decision) as markdown under DOCS/studies/, then build the static "
        "MkDocs site into SITE with the mkdocs.yml of the working folder (or the packaged "
        "default when there is none). Studies whose records did not change since the last "
        "build are not rendered again, and MkDocs is skipped when nothing changed. Exits 1 "
        "when a record is invalid: the valid studies are still built and the bad ones listed.",
    )
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.add_argument(
        "--docs", type=Path, default=Path("docs"), help="MkDocs docs folder (default: ./docs)"
    )
    p.add_argument(
        "--site",
        type=Path,
        default=Path("site"),
        help="output folder of the site (default: ./site)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace SITE even when it is a non-empty folder not built by reportgen "
        "(its files are deleted)",
    )
    p.add_argument(
        "--config",
        type=Path,
        default=None,
        help="MkDocs config (default: ./mkdocs.yml, else the packaged default)",
    )
    p.add_argument(
        "--strict", action="store_true", help="fail on any MkDocs warning (e.g. a broken link)"
    )
    p.add_argument(
        "--jobs",
        type=_positive,
        default=None,
        metavar="N",
        help="worker processes rendering studies, then converting MkDocs' pages (default: one "
        "per core, at most 8; 1 does everything in this process; the site is the same)",
    )
    p.set_defaults(func=run)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {n}")
    return n


def run(args: argparse.Namespace) -> int:
    from reportgen.site import build_site  # lazily: charts and analysis import altair, scipy

    start = time.perf_counter()
    try:
        result = build_site(
            args.logbook,
            args.docs,
            args.site,
            config=args.config,
            strict=args.strict,
            force=args.force,
            jobs=args.jobs,
        )
    except OSError as e:  # a full disk, a docs or site folder that cannot be written or read
        raise stopped_by(
            e,
            "build",
            f"The records under {args.logbook} were only read and are intact; the site in "
            f"{args.site} may be incomplete.",
            "run `reportgen build` again (it renders whatever did not finish).",
        ) from None
    for problem in result.problems:
        print(problem, file=sys.stderr)
    took = time.perf_counter() - start
    print(
        f"built {len(result.rendered)} studies, reused {len(result.reused)} unchanged; "
        f"site {'written to' if result.mkdocs_ran else 'unchanged in'} {args.site} ({took:.1f} s)",
        file=sys.stderr,
    )
    if result.bad:
        print(
            f"{len(result.bad)} studies with invalid records: {', '.join(sorted(set(result.bad)))} "
            "(run `reportgen check` for details)",
            file=sys.stderr,
        )
        return 1
    return 0

"""``reportgen serve``: serve the site with MkDocs' own server and rebuild as trials land."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the site locally and rebuild it as trials land (watch a running study)",
        description="Render the logbook into DOCS like `reportgen build`, then serve the site "
        "with MkDocs' development server (live reload). Every INTERVAL seconds the logbook is "
        "checked again: only studies whose records changed are re-rendered, and MkDocs "
        "rebuilds (only the changed pages with --dirty) and reloads the open browser tabs.",
    )
    p.add_argument("--logbook", type=Path, default=Path("logbook"), help="logbook folder")
    p.add_argument("--docs", type=Path, default=Path("docs"), help="MkDocs docs folder")
    p.add_argument("--config", type=Path, default=None, help="MkDocs config (default: ./mkdocs.yml)")
    p.add_argument(
        "--addr", default="127.0.0.1:8000", help="address to serve on (default: 127.0.0.1:8000)"
    )
    p.add_argument(
        "--interval", type=float, default=2.0, help="seconds between logbook checks (default: 2)"
    )
    p.add_argument(
        "--dirty",
        action="store_true",
        help="let MkDocs rebuild only changed pages (faster; the navigation of other pages may "
        "lag until the next full build)",
    )
    p.set_defaults(func=run)


def _render(args: argparse.Namespace, config: Path) -> None:
    from reportgen.site import build_site

    result = build_site(args.logbook, args.docs, Path("."), config=config, run_site=False)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if result.rendered:
        print(f"re-rendered {', '.join(result.rendered)}", file=sys.stderr)


STATUS_FILE = ".serve-status.txt"  # under DOCS/studies: written when the render state changes


def _watch(args: argparse.Namespace, config: Path, stop: threading.Event) -> None:
    """Re-render every INTERVAL seconds. Whatever goes wrong (bad records, a full disk, a bug)
    is said on stderr and at the top of every served page, and the loop goes on: the next
    render that works takes the banner away. The pages keep the last good render meanwhile."""
    from reportgen.site import sidecar

    while not stop.wait(args.interval):
        try:
            _render(args, config)  # MkDocs' watcher sees the changed docs and rebuilds
            problem = ""
        except Exception as e:  # noqa: BLE001 - the loop must outlive any failure
            where = f"{e.filename}: " if isinstance(e, OSError) and e.filename else ""
            problem = f"{type(e).__name__}: {where}{getattr(e, 'strerror', None) or e}"
            print(f"reportgen serve: could not re-render: {problem}", file=sys.stderr)
        running = _running(args.logbook)
        if problem != sidecar.SERVE_PROBLEM[0] or running != sidecar.SERVE_RUNNING:
            sidecar.SERVE_PROBLEM[0] = problem
            sidecar.SERVE_RUNNING.clear()
            sidecar.SERVE_RUNNING.update(running)
            _note_status(args.docs, problem + "".join(f"\n{k}: {v}" for k, v in running.items()))


def _running(logbook: Path) -> dict[str, str]:
    """Study id -> "7 trials in flight; 9 of 16 written" for each study with live claims (its
    runners' workers, `suggest` hand-outs) or live logger journals."""
    import contextlib

    from reportgen.logger.journal import journals, owner_alive, read_journal
    from reportgen.store.claims import ClaimBook

    out: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for folder in sorted(p for p in logbook.iterdir() if p.is_dir() and p.name[0] not in "._"):
            live = ClaimBook(folder, "serve").live_claims()
            for path in journals(logbook, folder.name):
                state = read_journal(path)
                # a handed-out point's journal counts through its claim (above) only
                if state is not None and not state.get("owner") and owner_alive(state):
                    live.add(path.name[1:].removesuffix(".journal.json"))
            live = {t for t in live if not (folder / "trials" / f"{t}.json").exists()}
            if live:
                written = len(list((folder / "trials").glob("*.json")))
                out[folder.name] = f"{len(live)} trials in flight; {written} written so far"
    return out


def _note_status(docs: Path, problem: str) -> None:
    """Make MkDocs rebuild (any write under the docs folder does), so the banner shows or goes."""
    import contextlib

    with contextlib.suppress(OSError):
        (docs / "studies").mkdir(parents=True, exist_ok=True)
        (docs / "studies" / STATUS_FILE).write_text(problem or "ok\n", encoding="utf-8")


def _with_sidecar() -> None:
    """MkDocs' server loads the config itself (on every rebuild): wrap its loader so the
    config always has the plugin that puts charts and tables back into the pages, even a config
    that does not name ``reportgen/sidecar`` (``site.sidecar``), and the theme's compiled
    templates are kept between rebuilds (``reportgen.template_cache``)."""
    import mkdocs.commands.serve as mkdocs_serve

    from reportgen.site.sidecar import ensure_plugin
    from reportgen.template_cache import attach

    load = mkdocs_serve.load_config

    def load_config(*a, **kw):  # type: ignore[no-untyped-def]
        cfg = load(*a, **kw)
        ensure_plugin(cfg)  # idempotent: wrapping twice does no harm
        attach(cfg.theme)
        return cfg

    mkdocs_serve.load_config = load_config


def run(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    from reportgen.site.mkdocs_run import resolve_config

    config = resolve_config(args.config)
    _with_sidecar()
    _render(args, config)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(args, config, stop), daemon=True)
    watcher.start()
    try:
        serve(
            config_file=str(config),
            livereload=True,
            build_type="dirty" if args.dirty else None,
            docs_dir=str(args.docs.resolve()),
            dev_addr=args.addr,
        )
    finally:
        stop.set()
    return 0

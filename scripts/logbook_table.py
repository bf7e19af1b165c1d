"""Print the published logbook as a table: study, device, training wall time, trials, best value
and decision (with its effect and interval), from the records alone.

    python scripts/logbook_table.py [--logbook logbook]

Wall time is the sum over the study's vectorised groups of their recorded wall time
(``execution.group_wall_seconds``, counted once per group) plus the wall time of trials that ran
alone; it includes retrains and reruns.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reportgen.commands.analyze import analyse
from reportgen.store import load_study


def row(logbook: Path, folder: Path) -> tuple[str, ...]:
    records, _ = load_study(folder, logbook)
    if records is None:
        return (folder.name, "invalid", "", "", "", "")
    groups: dict[str, float] = {}
    alone = 0.0
    devices = set()
    for t in records.trials:
        ex = t.execution
        devices.add(ex.device or "not recorded")
        if ex.group_id and ex.group_wall_seconds is not None:
            groups[ex.group_id] = ex.group_wall_seconds
        else:
            alone += t.wall_seconds or 0.0
    a = analyse(logbook, folder.name)
    d = a.decision
    best = a.summary.best
    verdict = d.verdict.value
    if d.effect is not None and d.ci_low is not None and d.ci_high is not None:
        verdict += f" ({d.effect:.3g} [{d.ci_low:.3g}, {d.ci_high:.3g}])"
    return (
        folder.name,
        ", ".join(sorted(devices)),
        f"{sum(groups.values()) + alone:.0f}",
        str(len(records.trials)),
        f"{best.value:.4g}" if best is not None else "–",
        verdict,
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--logbook", type=Path, default=Path("logbook"))
    args = p.parse_args()
    folders = sorted(f for f in args.logbook.iterdir() if (f / "study.yaml").is_file())
    rows = [row(args.logbook, f) for f in folders]
    print("| study | device | wall s | trials | best | decision |\n|---|---|---|---|---|---|")
    for r in rows:
        print("| " + " | ".join(r) + " |")
    total = sum(int(r[3]) for r in rows if r[3].isdigit())
    print(f"\n{len(rows)} studies, {total} trials")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

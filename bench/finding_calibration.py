"""How often each finding fires where it must not (null studies) and where it must (its probe).

Null studies are the probe gallery's calm study (`tests/probes`) drawn afresh with other sampler
seeds and evaluation noise from 0.001 to 0.005: a wide, flat basin around the best learning rate
inside the searched range, a real gain of 0.03 for the candidate (so the findings that weigh
noise against the compared gap have a gap to weigh), smooth curves that settle before the end,
normal early-training gradient norms, no divergence, retrains of both arms and four reruns, so
no finding has a true problem to report. The hit rate of a key is
measured on its own probe (the gallery's study built to fire it), drawn with the same fresh
seeds. Findings are counted at warning and problem severity (what a reader is told to act on)
and, separately, at any severity.

    python bench/finding_calibration.py [--null 200] [--hits 40] [--write docs/finding-calibration.md]

Prints one row per finding key: null false-alarm rate with its 95 % Wilson interval, hit rate on
its probe, and the probe. ``--write`` also writes the table as a docs page.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from reportgen.analysis import analyze_study  # noqa: E402
from reportgen.guidance import GUIDANCE  # noqa: E402
from reportgen.schema import Severity, StudySpec  # noqa: E402
from reportgen.schema.batch_size import THROUGHPUT_FILE, ThroughputRecord  # noqa: E402
from reportgen.store import load_study  # noqa: E402
from tests.probes.gallery import BY_NAME, PROBES  # noqa: E402
from tests.probes.sim import write_study  # noqa: E402

ACT = (Severity.WARNING, Severity.PROBLEM)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def fired(root: Path, probe, draw: int) -> tuple[set[str], set[str]]:  # type: ignore[no-untyped-def]
    """Keys fired (any severity; warning or worse) by ``probe`` drawn with sampler seed
    ``draw`` (its reruns shifted with it) and evaluation noise scaled by the draw."""
    spec = dict(probe.spec)
    spec["study_id"] = f"{spec['study_id']}-d{draw}"
    seed = 1000 + draw
    spec["search"] = {**spec.get("search", {}), "seed": seed}
    previous = None
    if spec.get("round", {}).get("previous"):  # a later round: its previous round, same draw
        before = next(p for p in PROBES if p.spec["study_id"] == spec["round"]["previous"])
        fired(root, before, draw)
        spec["round"] = {**spec["round"], "previous": f"{before.spec['study_id']}-d{draw}"}
        logbook = root / f"d{draw}-{before.name}"
        prev, _ = load_study(logbook / spec["round"]["previous"], logbook)
        previous = list(prev.trials) if prev is not None else None
    knobs = probe.knobs
    if probe.name == "calm":  # the null: nothing wrong with the study; evaluation noise varies
        knobs = dataclasses.replace(knobs, noise=0.001 + 0.004 * (draw % 5) / 4)
    logbook = root / f"d{draw}-{probe.name}"
    if not (logbook / spec["study_id"]).exists():  # a previous round may be drawn already
        write_study(
            logbook,
            StudySpec.model_validate(spec),
            knobs,
            n=probe.n,
            retrain=probe.retrain,
            reruns=tuple(seed + r for r in probe.reruns),
        )
        if probe.throughput is not None:  # the probe's throughput record, as the gallery writes it
            record = ThroughputRecord.model_validate(
                {**probe.throughput, "study_id": spec["study_id"]}
            )
            (logbook / spec["study_id"] / THROUGHPUT_FILE).write_text(record.model_dump_json())
    records, problems = load_study(logbook / spec["study_id"], logbook)
    assert records is not None and not problems, problems
    a = analyze_study(
        records.spec,
        list(records.trials),
        previous_round_trials=previous,
        throughput=records.throughput,
    )
    return {f.key for f in a.findings}, {f.key for f in a.findings if f.severity in ACT}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--null", type=int, default=200, help="null studies (default 200)")
    ap.add_argument("--hits", type=int, default=40, help="draws of each probe (default 40)")
    ap.add_argument("--write", type=Path, help="also write the table as this markdown page")
    args = ap.parse_args()
    t0 = time.perf_counter()
    calm = BY_NAME["calm"]
    null_any: Counter[str] = Counter()
    null_act: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for d in range(args.null):
            any_, act = fired(Path(tmp), calm, d)
            null_any.update(any_)
            null_act.update(act)
        hits: dict[str, tuple[str, int, int]] = {}  # key -> (probe, fired, draws)
        for probe in PROBES:
            if not probe.fires:
                continue
            counts: Counter[str] = Counter()
            n = 0
            for d in range(args.hits):
                any_, _ = fired(Path(tmp), probe, d)
                counts.update(any_)
                n += 1
            for key in probe.fires:
                best = hits.get(key)
                if best is None or counts[key] / n > best[1] / best[2]:
                    hits[key] = (probe.name, counts[key], n)
    keys = sorted(k for k in GUIDANCE if not k.startswith("section."))
    rows = []
    for key in keys:
        k_act, k_any = null_act[key], null_any[key]
        lo, hi = wilson(k_act, args.null)
        probe, h, n = hits.get(key, ("", 0, 0))
        rows.append(
            (key, k_act / args.null, lo, hi, k_any / args.null, probe, (h / n) if n else None)
        )
    print(
        f"{args.null} null studies, {args.hits} draws per probe, {time.perf_counter() - t0:.0f} s"
    )
    print(
        f"{'finding':34} {'null (warn+)':>13} {'95% interval':>15} {'null (any)':>11}  "
        f"{'hit':>5}  probe"
    )
    for key, p, lo, hi, pa, probe, hit in rows:
        shown = "-" if hit is None else f"{hit:5.0%}"
        print(f"{key:34} {p:13.1%} [{lo:5.1%}, {hi:5.1%}] {pa:11.1%}  {shown:>5}  {probe}")
    over = [r[0] for r in rows if r[1] > 0.05]
    print("warning or worse on more than 5 % of null studies: " + (", ".join(over) or "none"))
    if args.write:
        text = page(rows, args.null, args.hits)
        args.write.write_text(text, encoding="utf-8")
        # the same page ships in the package's default docs (every user's site has it)
        packaged = REPO / "reportgen" / "assets" / "default" / "docs" / "finding-calibration.md"
        packaged.write_text(text, encoding="utf-8")
        print(f"wrote {args.write} and {packaged.relative_to(REPO)}")


def page(rows, n_null: int, n_hits: int) -> str:  # type: ignore[no-untyped-def]
    lines = [
        "---",
        "title: Finding calibration",
        "---",
        "<!-- generated by bench/finding_calibration.py: do not edit, run it with --write -->",
        "",
        "# Finding calibration",
        "",
        "How often each finding of a study page fires where it has nothing to report, and how",
        "often it fires where it should. The null studies are a calm simulated study with nothing",
        "wrong in it (a wide, flat basin around the best learning rate inside the searched range,",
        "a real gain of 0.03 for the candidate, smooth curves that settle before the end, normal",
        "gradient norms, no divergence, retrains of both arms and four reruns) drawn with fresh",
        "sampler seeds and evaluation noise from 0.001 to 0.005; the hit rate is measured on the study built to fire the finding (the",
        "probe gallery of the test suite), drawn with the same fresh seeds. The false-alarm rate",
        "counts warnings and problems, what a page asks a reader to act on; notes (info) are",
        "counted in the next column. Intervals are 95 % Wilson intervals. A finding that needs",
        "something the calm study does not have (the previous round that `rounds.transfer`",
        "compares with, the constraints that `trade_offs.best_violates` weighs) cannot fire on",
        "it: its 0 % says only that it stays silent on a one-round study without trade-offs.",
        "The design findings read the spec, so their 0 % says the calm spec is",
        "a sound design, not that they are calibrated on noise.",
        "",
        f"{n_null} null studies; {n_hits} draws of each probe. Measured in the tuning-logbook "
        "repository with "
        "`python bench/finding_calibration.py --write docs/finding-calibration.md`.",
        "",
        "| finding | false alarms (warning or worse) | 95 % interval | any severity | hit rate | probe |",
        "|---|---|---|---|---|---|",
    ]
    for key, p, lo, hi, pa, probe, hit in rows:
        shown = "not measured" if hit is None else f"{hit:.0%}"
        lines.append(
            f"| `{key}` | {p:.1%} | {lo:.1%} – {hi:.1%} | {pa:.1%} | {shown} | {probe or 'none'} |"
        )
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

"""Run every study of the published logbook with the runners, the way a person would.

    python scripts/publish_logbook.py [--logbook logbook] [--only STUDY ...] [--seeds 5]

For each study: the search (every revision, oldest first; a revision with ``records_from``
re-decides an earlier revision's records and trains no search of its own), then retrains of the
best trial of each scientific value (trial variance for the decision), then reruns where the
plan asks for them and the revisions the current one reads have none (study variance). Steps already on disk are skipped (``--resume``), so the script can be
stopped and started again. It prints, per study, where it ran, how long each step took, the
best value and the decision.

Studies trained by the user's own loop (``EXTERNAL_LOOPS``) go through that loop and
``reportgen suggest`` instead of the runner; the imported Optuna study is reproduced by
``scripts/import_optuna_digits.py`` and the one-trial ``fashion-cnn-reference`` by
``bench/fashion_accuracy.py``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# study id -> (retrain seeds, rerun sampler seeds)
PLAN: dict[str, tuple[int, int]] = {
    "adam-lr-digits": (5, 0),
    "nesterov-vs-adam-digits": (5, 0),
    "depth-digits": (5, 3),
    "warmup-digits": (5, 0),
    "weight-decay-fashion": (3, 0),
    "shakespeare-schedule": (3, 0),
    "clip-digits": (0, 0),  # the search only: its page reads the gradient-norm statistics
    "activation-digits-1000": (40, 0),
    "sgd-vs-adam-fashion": (10, 0),
    "head-width-fashion": (10, 4),
    "batch-16-fashion": (10, 0),
    "batch-256-fashion": (10, 4),
    "batch-scaling-fashion": (0, 0),  # steps to a target per batch size: the search is the study
    "inclusion-lr-only-digits": (10, 4),  # Choi et al.'s inclusion, learning rate only ...
    "inclusion-full-digits": (10, 4),  # ... and every hyperparameter tuned
    "lr-sweep-digits": (0, 0),  # a constant-rate sweep: its page suggests max_train_steps
    "schedule-digits-round1": (0, 0),  # round 1 only narrows the search: no retrains
    "schedule-digits-round2": (10, 0),  # its manual points are round 1's eight best
    "flax-digits-blocks": (10, 0),  # the guide's Flax plugin (examples/flax_digits.py)
    "numpy-digits-schedule": (10, 4),  # the user's own NumPy loop, through reportgen suggest
}


# studies whose page reads the throughput probe (`reportgen throughput`, run after the search)
THROUGHPUT: set[str] = {"batch-scaling-fashion"}

# studies trained by the user's own loop (workload `external`): study id -> the loop's module,
# which takes `--study --count`, `--retrain T --seeds N` and `--sampler-seed K --count`
EXTERNAL_LOOPS: dict[str, str] = {"numpy-digits-schedule": "examples.numpy_loop"}


def cli(*args: str, module: str = "reportgen") -> subprocess.CompletedProcess:
    r = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True
    )
    if r.returncode != 0:
        sys.exit(f"{module} {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
    return r


def _external(args: tuple[str, ...], loop: str, logbook: Path) -> None:
    """The runner command ``args`` done by the study's own loop through `reportgen suggest`."""
    command, study, rest = args[0], args[1], list(args[2:])
    from reportgen.logger.trial import load_valid_spec  # the package is installed (-e .)

    budget = load_valid_spec(logbook, study).trial_budget
    base = ["--logbook", str(logbook), "--study", study]
    if command == "run":
        cli(*base, "--count", str(budget), module=loop)
    elif command == "retrain":
        trial, seeds = rest[rest.index("--trial") + 1], rest[rest.index("--seeds") + 1]
        cli(*base, "--retrain", trial, "--seeds", seeds, module=loop)
    elif command == "rerun":
        for k in range(1, int(rest[rest.index("--sampler-seeds") + 1]) + 1):
            cli(*base, "--sampler-seed", str(k), "--count", str(budget), module=loop)


def timed(label: str, times: dict[str, float], *args: str) -> None:
    t0 = time.perf_counter()
    loop = EXTERNAL_LOOPS.get(args[1]) if len(args) > 1 else None
    if loop and args[0] in ("run", "retrain", "rerun"):
        _external(args, loop, Path(args[args.index("--logbook") + 1]))
    else:
        cli(*args)
    times[label] = round(time.perf_counter() - t0, 1)
    print(f"  {label}: {times[label]} s", flush=True)


def specs(logbook: Path, study: str) -> dict:
    """Every revision's spec of a study: revisions/r<N>.yaml and the current study.yaml."""
    from reportgen.store import load_spec  # the package is installed (-e .)

    out = {}
    for path in [*(logbook / study / "revisions").glob("r*.yaml"), logbook / study / "study.yaml"]:
        spec, problems = load_spec(path)
        if spec is None:
            sys.exit("\n".join(map(str, problems)))
        out[spec.revision] = spec
    return out


def run_old_revisions(logbook: Path, study: str, times: dict[str, float]) -> None:
    """Train earlier revisions from revisions/r<N>.yaml in a scratch logbook, then keep their
    trials. A revision with records_from re-decides an earlier one's records: nothing to train."""
    every = specs(logbook, study)
    for old in sorted((logbook / study / "revisions").glob("r*.yaml")):
        if every[int(old.stem[1:])].records_from is not None:
            print(f"  search {old.stem}: none (records_from: it reads an earlier revision's)")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp) / study
            (scratch / "trials").mkdir(parents=True)
            shutil.copy(old, scratch / "study.yaml")
            for f in (logbook / study / "trials").glob(f"{old.stem}-*.json"):
                shutil.copy(f, scratch / "trials" / f.name)
            timed(
                f"search {old.stem}", times, "run", study, "--logbook", tmp, "--resume", "--quiet"
            )
            for f in sorted((scratch / "trials").glob("*.json")):
                shutil.copy(f, logbook / study / "trials" / f.name)


def publish(logbook: Path, study: str, seeds: int, reruns: int) -> dict:
    times: dict[str, float] = {}
    print(f"{study}:", flush=True)
    (logbook / study / "trials").mkdir(exist_ok=True)
    run_old_revisions(logbook, study, times)
    from reportgen.store.lineage import read_revisions

    every = specs(logbook, study)
    current = max(every)
    reads = read_revisions(every, current)  # the revisions whose trials the current one analyses
    if every[current].records_from is None:
        timed("search", times, "run", study, "--logbook", str(logbook), "--resume", "--quiet")
    else:  # a re-decision of earlier records: their search is its search
        print(f"  search: none (records_from: it reads r{every[current].records_from}'s)")
    analysis = json.loads(cli("analyze", study, "--logbook", str(logbook), "--json").stdout)
    done = {p.stem for p in (logbook / study / "trials").glob("*-rt*.json")}
    for iso in analysis["isolation"]:
        for point in iso["points"]:
            source = point["best_trial_id"]
            if seeds and source and not any(d.startswith(f"{source}-rt") for d in done):
                timed(
                    f"retrain {source}",
                    times,
                    "retrain",
                    study,
                    "--logbook",
                    str(logbook),
                    "--trial",
                    source,
                    "--seeds",
                    str(seeds),
                    "--quiet",
                )
    # the reruns of the revisions the current one analyses (an older one's do not count)
    trials = logbook / study / "trials"
    done_reruns = [p for r in reads for p in trials.glob(f"r{r}-s[1-9]*-*.json")]
    if reruns and not done_reruns:
        timed(
            "rerun",
            times,
            "rerun",
            study,
            "--logbook",
            str(logbook),
            "--sampler-seeds",
            str(reruns),
            "--quiet",
        )
    if study in THROUGHPUT and not (logbook / study / "throughput.json").exists():
        timed("throughput", times, "throughput", study, "--logbook", str(logbook), "--quiet")
    final = json.loads(cli("analyze", study, "--logbook", str(logbook), "--json").stdout)
    best = final["best"]
    row = {
        "study": study,
        "seconds": round(sum(times.values()), 1),
        "steps": times,
        "best": None if best is None else best.get("value"),
        "verdict": final["decision"]["verdict"],
    }
    print(f"  best {row['best']}, decision {row['verdict']}, {row['seconds']} s in all", flush=True)
    return row


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--logbook", type=Path, default=REPO / "logbook")
    p.add_argument(
        "--only", nargs="*", default=None, help="study ids to run (default: the whole plan)"
    )
    args = p.parse_args()
    import jax  # noqa: F401  (fails early with a clear message when the runners extra is missing)

    device = jax.devices()[0]
    print(f"device: {device.platform} ({device.device_kind})", flush=True)
    rows = [publish(args.logbook, s, *PLAN[s]) for s in (args.only or PLAN)]
    print("\n| study | device | seconds | best | decision |\n|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['study']} | {device.platform} | {r['seconds']} | {r['best']} | {r['verdict']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

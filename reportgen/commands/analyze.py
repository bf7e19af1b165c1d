"""``reportgen analyze``: the playbook's checks, isolation, variance and launch decision of one study."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportgen.errors import InvalidRecords, ReportgenError

if TYPE_CHECKING:  # the schema and store load lazily: `reportgen --help` needs neither
    from reportgen.commands.analysis_memo import AnalysisMemo
    from reportgen.schema import StudyAnalysis


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="print a study's findings, isolation, variance and launch decision",
        description="Analyse one study of the logbook the way the Deep Learning Tuning Playbook "
        "suggests: best trials, search-space boundary and stability-edge checks, infeasible "
        "trials, sampling density, training-curve diagnostics, design lints, isolation per "
        "scientific value, trial vs study variance and the launch decision (adopt, reject or "
        "inconclusive) with the policy it used. Prints readable text, or one JSON object with "
        "--json. Exits 1 if the study is unknown or its records are invalid. The answer is kept "
        "in the user's cache folder (REPORTGEN_CACHE_DIR, default ~/.cache/reportgen; 'off' "
        "turns it off) and given again while no file of the study, or of a study it compares "
        "with, has changed; trial files that did not change are not parsed again either.",
    )
    p.add_argument("study", metavar="STUDY", help="study id: a folder under the logbook")
    p.add_argument(
        "--logbook", type=Path, default=Path("logbook"), help="logbook folder (default: ./logbook)"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object (study, best, findings, isolation, variance, decision, ...)",
    )
    p.add_argument(
        "--revision",
        type=int,
        default=None,
        metavar="N",
        help="analyse revision N of the study (default: the current revision)",
    )
    p.add_argument(
        "--fresh",
        action="store_true",
        help="load and analyse the study again even if nothing changed since the answer was "
        "kept (and keep the new answer)",
    )
    p.set_defaults(func=run)


def _known_studies(logbook: Path) -> list[str]:
    from reportgen.store.layout import SPEC_NAME

    if not logbook.is_dir():
        return []
    return sorted(
        f.name
        for f in logbook.iterdir()
        if f.is_dir() and not f.name.startswith((".", "_")) and (f / SPEC_NAME).is_file()
    )


def _load(logbook: Path, study_id: str, memo: AnalysisMemo | None = None) -> Any:
    from reportgen.store import load_study
    from reportgen.store.layout import SPEC_NAME, study_folder

    folder = study_folder(logbook, study_id)
    if memo is not None:
        memo.note(folder)  # its files' stats before they are read
    if not (folder / SPEC_NAME).is_file():
        known = _known_studies(logbook)
        raise ReportgenError(
            f"no study {study_id!r} in {logbook}; known studies: "
            + (", ".join(known) if known else "(none)")
        )
    records, problems = load_study(folder, logbook, cached=True)
    if problems or records is None:
        raise InvalidRecords(problems)
    return records


def analyse(
    logbook: Path, study_id: str, revision: int | None = None, *, recall: bool = True
) -> StudyAnalysis:
    """Load a study (and its baseline study, if it names one) and analyse one revision.

    The answer is kept (`analysis_memo`, unless the cache is off); ``recall``: give the kept
    answer instead when none of the files it was made from changed."""
    from reportgen.commands.analysis_memo import analysis_memo
    from reportgen.store.layout import study_folder

    memo = analysis_memo(study_folder(logbook, study_id), revision)
    kept = memo.recall() if memo is not None and recall else None
    if kept is not None:
        return kept
    analysis = _analyse(logbook, study_id, revision, memo)
    if memo is not None:
        memo.keep(analysis)
    return analysis


def _analyse(
    logbook: Path, study_id: str, revision: int | None, memo: AnalysisMemo | None
) -> StudyAnalysis:
    from reportgen.analysis import analyze_study
    from reportgen.store.long_lived import records_settled

    records = _load(logbook, study_id, memo)
    rev = records.spec.revision if revision is None else revision
    if rev not in records.revisions:
        raise ReportgenError(
            f"study {study_id!r} has no revision {rev}; known: "
            + ", ".join(str(r) for r in records.revisions)
        )
    spec = records.spec_at(rev)
    related: dict[str, object] = {}
    if spec.baseline is not None and spec.baseline.study is not None:
        other = _load(logbook, spec.baseline.study, memo)
        related["baseline_trials"] = other.trials_at(other.spec.revision)
    if spec.round is not None and spec.round.previous is not None:
        other = _load(logbook, spec.round.previous, memo)
        related["previous_round_trials"] = other.trials_at(other.spec.revision)
    if records.throughput is not None:
        related["throughput"] = records.throughput
    with records_settled():  # a big study's records: out of the collector's full passes
        # the command prints no importance: scikit-learn is not loaded (issue 39)
        return analyze_study(spec, records.trials_at(rev), importance=False, **related)


def to_json(a: StudyAnalysis) -> dict[str, Any]:
    """The JSON object of ``--json``: stable top-level keys for scripts."""
    data = json.loads(a.model_dump_json())
    decision = data["decision"]
    decision["ci"] = [decision["ci_low"], decision["ci_high"]]
    return {
        "study": a.study_id,
        "revision": a.revision,
        "objective": data["objective"],
        "best": data["summary"]["best"],
        "summary": data["summary"],
        "findings": data["findings"],
        "isolation": data["isolation"],
        "variance": data["variance"],
        "decision": decision,
        "policy": data["policy"],
        "batch_size": data["extras"]["batch_size"],  # throughput and steps to result, or null
    }


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def to_text(a: StudyAnalysis) -> str:
    """Plain readable text of an analysis."""
    s = a.summary
    obj = a.objective
    if s.n_trials == 0:
        trials_line = "Trials: no search trials yet"
    else:
        trials_line = (
            f"Trials: {s.n_trials} search ("
            + ", ".join(f"{k} {v}" for k, v in s.by_status.items())
            + f"); infeasible {s.infeasible_fraction:.0%}"
            + (
                " (" + ", ".join(f"{r}: {c}" for r, c in s.by_reason.items()) + ")"
                if s.by_reason
                else ""
            )
        )
    lines = [
        f"Study {a.study_id} (revision {a.revision})",
        f"Objective: {obj.metric}, {obj.direction}, {obj.mode.replace('_', ' ')}",
        "",
        trials_line,
    ]
    if s.best is not None:
        hps = ", ".join(f"{k}={v}" for k, v in s.best.hyperparameters.items())
        lines.append(
            f"Best: {s.best.trial_id} {obj.metric}={_num(s.best.value)} at step {s.best.best_step} ({hps})"
        )
    lines += ["", f"Findings ({len(a.findings)}):"]
    for f in a.findings or []:
        lines.append(f"  [{f.severity}] {f.key}: {f.message}")
        lines.append(f"      see https://github.com/google-research/tuning_playbook#{f.anchor}")
    if not a.findings:
        lines.append("  none")
    for iso in a.isolation:
        lines += [
            "",
            f"Isolation of {iso.hyperparameter} (best trial per value, nuisance tuned away):",
        ]
        for p in iso.points:
            lines.append(
                f"  {p.label:<28} best {_num(p.best_value):>10}  trial {p.best_trial_id or '-':<12}"
                f" trials {p.n_trials} (feasible {p.n_feasible})"
            )
    v = a.variance
    lines += ["", "Trial variance (retrain groups):"]
    for g in v.trial:
        lines.append(
            f"  {g.label}: n={g.n} mean {_num(g.mean)} std {_num(g.std)}"
            f" interval [{_num(g.ci_low)}, {_num(g.ci_high)}]"
        )
    if not v.trial:
        lines.append("  not characterised (no retrains)")
    if v.study is not None:
        lines.append(f"Study variance: std {_num(v.study.std)} of best-of-study, {v.study.label}")
    lines.append(
        f"Side by side: study std {_num(v.study.std if v.study else None)} vs pooled trial std "
        f"{_num(v.pooled_trial_std)}"
    )
    if v.expected_best:
        lines.append(
            "Expected best of k trials: "
            + ", ".join(f"k={e.k}: {_num(e.mean)}" for e in v.expected_best)
        )
    d = a.decision
    score = d.estimand.label if d.estimand is not None else a.objective.metric
    lines += [
        "",
        f"Decision: {d.verdict.upper()}  {d.candidate_label} vs {d.baseline_label}",
        f"  score: {score}",
        f"  effect {_num(d.effect)} in {score} (positive = candidate better), interval "
        f"[{_num(d.ci_low)}, {_num(d.ci_high)}]",
    ]
    if len(d.comparisons) > 1:
        lines += [
            f"  {c.candidate_label:<28} effect {_num(c.effect)} interval [{_num(c.ci_low)}, "
            f"{_num(c.ci_high)}] at level {_num(c.level)}: {c.verdict}"
            for c in d.comparisons
        ]
    for row in d.comparisons[0].seeds if d.comparisons else []:
        lines.append(
            f"  seed {row.seed:<16} candidate {_num(row.candidate)}  baseline "
            f"{_num(row.baseline)}  difference {_num(row.difference)}  ({row.source})"
        )
    lines += [
        f"  {d.reason}",
        f"  next: {d.next_step}",
        *(f"  caveat: {c}" for c in d.caveats),
        f"  rule: {d.procedure}",
    ]
    if d.override is not None:
        lines.append(f"  human override: {d.override.verdict.upper()} ({d.override.reason})")
    p = a.policy
    lines.append(
        f"  policy: false-adopt rate {p.false_adopt_rate}, minimum effect {p.min_effect}, "
        f"at least {p.min_retrains} retrains per arm"
    )
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    a = analyse(args.logbook, args.study, args.revision, recall=not args.fresh)
    text = json.dumps(to_json(a), indent=2) + "\n" if args.json else to_text(a)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stdout = None  # type: ignore[assignment]
    return 0

"""Rows and specs of the playbook-coverage charts of one revision (into ``StudyCharts.extra``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from reportgen.analysis.downsample import minmax_mask
from reportgen.charts.batch_size import batch_lines
from reportgen.charts.playbook import (
    best_step_chart,
    early_probe_panel,
    interaction_chart,
    parallel_chart,
    step_series,
)
from reportgen.charts.spec import subtitle_lines
from reportgen.schema import StudyAnalysis, TrialKind, TrialRecord
from reportgen.schema.playbook import ParallelPoint
from reportgen.site.chart_numbers import is_dense, round_sig

TOP = 3
PARALLEL_TOP = 30  # a dense study's parallel coordinates: its best trials ...
PARALLEL_SAMPLE = 120  # ... and a seeded random sample of the others
PARALLEL_SEED = 0
SERIES_BUCKETS = 25  # a series of these charts keeps at most about 100 points (`_rows`)


def _num(x: float) -> float | None:
    return float(x) if np.isfinite(x) else None


def _rows(t: TrialRecord, column: Sequence[float], marks: set[int] = frozenset(), note: str = "",
          label: str | None = None, every: bool = False) -> list[dict[str, Any]]:
    """One series' rows: a long curve keeps the lowest and highest value of each of
    ``SERIES_BUCKETS`` stretches (spikes survive), and every marked step; ``every`` keeps all
    (the dense early panel). Only a marked row carries ``mark`` and ``note``."""
    vals = round_sig(np.asarray(column, dtype=float))
    keep = np.ones(vals.size, dtype=bool) if every else minmax_mask(vals[None, :], SERIES_BUCKETS)[0]
    out = []
    for s, v, k in zip(t.curves.step, vals, keep, strict=True):
        if k or s in marks:
            row: dict[str, Any] = {"x": s, "v": _num(v), "trial": label or t.trial_id}
            if s in marks:
                row.update(mark=True, note=note)
            out.append(row)
    return out


def _thinned(title: str, trials: Sequence[TrialRecord]) -> str | dict[str, Any]:
    """The title, with a subtitle saying so when a series was thinned (`_rows`)."""
    if all(len(t.curves.step) <= 2 * SERIES_BUCKETS + 2 for t in trials):
        return title
    return {"text": title, "subtitle": subtitle_lines(
        f"curves longer than {2 * SERIES_BUCKETS + 2} evaluations drawn from the lowest and "
        f"highest value of each of {SERIES_BUCKETS} stretches; marked points all kept")}


def _drawable(rows: list[dict[str, Any]]) -> bool:
    """Whether a series chart has a finite value to draw (an imported run may lack a column)."""
    return any(r.get("v") is not None for r in rows)


def parallel_subset(points: Sequence[ParallelPoint]) -> tuple[list[ParallelPoint], str]:
    """The points of the top ``PARALLEL_TOP`` trials and of a seeded random sample of
    ``PARALLEL_SAMPLE`` others (in their original order), and a line saying so."""
    order = list(dict.fromkeys(q.trial_id for q in points))
    ranks = {q.trial_id: q.rank for q in points}
    top = [t for t in order if (ranks[t] or PARALLEL_TOP + 1) <= PARALLEL_TOP]
    others = [t for t in order if t not in set(top)]
    k = min(PARALLEL_SAMPLE, len(others))
    rng = np.random.default_rng(PARALLEL_SEED)
    sample = {others[i] for i in rng.choice(len(others), size=k, replace=False)}
    chosen = set(top) | sample
    note = (
        f"the top {len(top)} trials and a random sample of {k} of the other {len(others)} "
        f"(seed {PARALLEL_SEED}); {len(order) - len(chosen)} trials not drawn"
    )
    return [q for q in points if q.trial_id in chosen], note


def improvements(bsf: Sequence[float | None]) -> list[int]:
    """Indices where a best-so-far sequence first has a value or changes, and its last index:
    with step interpolation these points draw the same line as every point."""
    out = []
    prev: float | None = None
    for i, v in enumerate(bsf):
        if v is not None and (prev is None or v != prev):
            out.append(i)
            prev = v
    if bsf and out and out[-1] != len(bsf) - 1:
        out.append(len(bsf) - 1)
    return out


def playbook_charts(
    analysis: StudyAnalysis, trials: Sequence[TrialRecord], *, dense: bool | None = None
) -> dict[str, Any]:
    """Chart specs keyed by name; a chart without data is left out. ``dense`` (default: from
    the number of searched trials) thins the charts that draw every trial."""
    if dense is None:
        dense = is_dense(
            sum(t.kind not in (TrialKind.RETRAIN, TrialKind.PROBE) for t in trials)
        )
    e = analysis.extras
    by_id = {t.trial_id: t for t in trials}
    top = [p.trial_id for p in analysis.summary.top[:TOP]]
    out: dict[str, Any] = {}

    # gradient norm against step, outlier intervals marked, the p90 clip suggestion as a rule
    rows: list[dict[str, Any]] = []
    for g in e.grad_norms[:TOP]:
        t = by_id[g.trial_id]
        col = t.curves.grad_norm_max or t.curves.grad_norm
        rows += _rows(t, col, set(g.outlier_steps), "outlier interval")
    if _drawable(rows):
        g0 = e.grad_norms[0]
        # the playbook's clip start is the 90th percentile of every step's norm; a record that
        # keeps per-interval summaries only gets the largest per-interval p90, named as such
        s = g0.suggested_clip if g0.suggested_clip is not None else g0.interval_p90_high
        s_label = (
            "suggested clip (p90 of step norms)"
            if g0.suggested_clip is not None
            else "largest per-interval p90"
        )
        has_max = any(by_id[g.trial_id].curves.grad_norm_max for g in e.grad_norms[:TOP])
        out["grad_norm"] = step_series(
            rows,
            title=_thinned("Gradient norm of the top trials"
                           + (" (interval max)" if has_max else " (interval mean)"),
                           [by_id[g.trial_id] for g in e.grad_norms[:TOP]]),
            x_title="step", y_title="gradient L2 norm", log_y=all(
                r["v"] is None or r["v"] > 0 for r in rows),
            rule=s, rule_label=s_label,
        )
    # learning rate against step, top trials
    rows = []
    for tid in top:
        t = by_id[tid]
        rows += _rows(t, t.curves.learning_rate)
    if _drawable(rows):
        out["learning_rate"] = step_series(
            rows, title=_thinned("Learning rate of the top trials", [by_id[t] for t in top]),
            x_title="step", y_title="learning rate")
    # training loss of the learning rates just above the best, spikes marked
    spikes: dict[str, set[int]] = {}
    for ep in e.spikes:
        spikes.setdefault(ep.trial_id, set()).update({ep.start_step, ep.end_step})
    rows = []
    if e.unstable_trials and top:
        for tid in [top[0], *e.unstable_trials]:
            t = by_id[tid]
            rows += _rows(t, t.curves.train_loss, spikes.get(tid, set()), "spike episode",
                          label=tid + (" (best)" if tid == top[0] else ""))
    if _drawable(rows):
        out["above_best"] = step_series(
            rows, title=_thinned("Training loss: best learning rate and the next ones above it",
                                 [by_id[t] for t in [top[0], *e.unstable_trials]]),
            x_title="step", y_title="train_loss", log_y=all(
                r["v"] is None or r["v"] > 0 for r in rows),
        )
    # the early-instability probes at every step, beside their sources over the same steps
    rows = []
    for p in e.early_probes:
        probe = by_id.get(p.trial_id)
        if probe is None:
            continue
        marks = {s for ep in p.episodes for s in (ep.start_step, ep.end_step)}
        rows += _rows(probe, probe.curves.train_loss, marks, "spike episode",
                      label=f"{p.trial_id} (probe, every step)", every=True)
        source = by_id.get(p.source_trial)
        if source is not None:
            rows += [r for r in _rows(source, source.curves.train_loss, every=True,
                                      label=f"{source.trial_id} (source)") if r["x"] <= p.steps]
    if _drawable(rows):
        out["early_probe"] = early_probe_panel(
            rows, max(p.steps for p in e.early_probes),
            log_y=all(r["v"] is None or r["v"] > 0 for r in rows),
        )
    # round 2: the best schedule now and extended to the next round's budget
    x = e.schedule_extension
    if x is not None and any(v is not None and v == v for _, _, v in x.points):
        out["schedule_extension"] = step_series(
            [{"x": s, "v": v, "trial": label, "mark": False, "note": ""}
             for label, s, v in x.points],
            title=f"Learning rate of {x.trial_id}: this round and extended to the next",
            x_title="step", y_title="learning rate",
        )
    # curves of the best trial of each scientific value
    rows = []
    metric = analysis.objective.metric
    for label, tid in e.best_per_value.items():
        t = by_id.get(tid)
        if t is not None:
            rows += _rows(t, t.curves.column(metric), label=f"{label} ({tid})")
    if _drawable(rows):
        out["best_per_value"] = step_series(
            rows, title=_thinned(f"{metric} of the best trial of each scientific value",
                                 [by_id[t] for t in e.best_per_value.values() if t in by_id]),
            x_title="step", y_title=metric,
        )
    # best objective so far against trial index
    bsf = analysis.summary.best_so_far
    if any(v is not None for v in bsf):  # no feasible trial: nothing to draw (Vega would warn)
        keep = improvements(bsf) if dense else range(len(bsf))
        title: Any = "Best objective so far"
        if dense:
            n_up = len(keep) - (len(keep) > 1 and bsf[keep[-1]] == bsf[keep[-2]])
            title = {"text": title, "subtitle": subtitle_lines(
                f"drawn only at the {n_up} trials where it improved and at the last of "
                f"{len(bsf)}, flat in between")}
        out["best_so_far"] = step_series(
            [{"x": i + 1, "v": bsf[i], "trial": "best so far", "mark": False, "note": ""}
             for i in keep],
            title=title, x_title="trials in sampler order",
            y_title=f"best {analysis.objective.metric}",
            interpolate="step-after" if dense else None,
        )
    if e.best_step_fractions:
        p = analysis.policy
        if dense:  # one tick per distinct fraction, with its count, not one per trial
            counts: dict[float, int] = {}
            for v in e.best_step_fractions.values():
                counts[round(v, 4)] = counts.get(round(v, 4), 0) + 1
            ticks = [{"trial": f"{n} trial(s)", "fraction": f} for f, n in sorted(counts.items())]
        else:
            ticks = [{"trial": k, "fraction": round(v, 4)}
                     for k, v in e.best_step_fractions.items()]
        out["best_step"] = best_step_chart(ticks, p.early_best_fraction, p.late_best_fraction)
    if any(q.value is not None for q in e.parallel):  # no feasible trial: nothing to colour by
        drawn, note = parallel_subset(e.parallel) if dense else (list(e.parallel), "")
        title = "Parallel coordinates of the search"
        out["parallel"] = parallel_chart(
            [{"trial": q.trial_id, "hp": q.hyperparameter, "c": q.coordinate,
              "value": q.value, "rank": q.rank} for q in drawn],
            analysis.objective.metric,
            title={"text": title, "subtitle": subtitle_lines(note)} if note else title,
        )
    out.update(batch_size_charts(analysis))
    if e.interaction and e.importance and len(e.importance.top_pair) == 2:
        x, y = e.importance.top_pair
        out["interaction"] = interaction_chart(
            [c.model_dump() for c in e.interaction], x, y, analysis.objective.metric
        )
    return out


def batch_size_charts(analysis: StudyAnalysis) -> dict[str, Any]:
    """Steps to the target against batch size with the perfect-scaling line, and examples per
    second against batch size (gathered batches and one fixed on-device batch)."""
    v = analysis.extras.batch_size
    out: dict[str, Any] = {}
    if v is None:
        return out
    reached = [r for r in v.rows if r.steps is not None]
    if reached:
        b0 = reached[0].batch_size
        rows = [{"b": r.batch_size, "v": r.steps, "series": "steps to target (fastest tuned trial)",
                 "note": r.trial_id or ""} for r in reached]
        rows += [{"b": r.batch_size, "v": round(r.perfect_steps, 1),
                  "series": f"perfect scaling from batch {b0}", "note": "halves with each doubling"}
                 for r in reached if r.perfect_steps is not None]
        out["steps_to_result"] = batch_lines(
            rows, title={"text": f"Steps to reach {v.metric} {v.target} against batch size",
                         "subtitle": subtitle_lines("log-log axes; each batch size tuned on its "
                                                    "own; points on the eval grid")},
            y_title="steps to target", log_y=True,
        )
    timed = [r for r in v.throughput if r.examples_per_second is not None]
    if timed:
        rows = [{"b": r.batch_size, "v": float(round_sig([r.examples_per_second])[0]),
                 "series": "batches gathered", "note": "drawn from the training set"} for r in timed]
        rows += [{"b": r.batch_size, "v": float(round_sig([r.synthetic_examples_per_second])[0]),
                  "series": "one fixed batch", "note": "already on the device: no input"}
                 for r in timed if r.synthetic_examples_per_second is not None]
        out["throughput"] = batch_lines(
            rows, title={"text": "Training throughput against batch size",
                         "subtitle": subtitle_lines(f"one trial on {v.throughput_device}; "
                                                    "compile excluded")},
            y_title="examples per second", log_y=False,
        )
    return out

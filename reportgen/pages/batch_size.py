"""Context of a study page's batch-size section: the throughput table, the steps-to-result
table, their charts and the lines that say what they found (formatted here; the template only
lays them out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from reportgen.pages import notes
from reportgen.pages.context import Chart, Note
from reportgen.pages.escape import chart_html, md_text
from reportgen.pages.format import MISSING, fmt
from reportgen.schema import StudyAnalysis, StudySpec
from reportgen.schema.batch_size import BatchSizeView


@dataclass(frozen=True)
class BatchSizeSection:
    note: Note
    throughput_line: Markup  # where and how the probe measured, or how to run it
    throughput: tuple[tuple[str, ...], ...]  # batch, ms/step, examples/s, efficiency, input share
    throughput_chart: Chart | None
    result_line: Markup  # the target and what the race found, or why there is none
    results: tuple[tuple[str, ...], ...]  # batch, steps (first trial, of n), perfect, efficiency, time
    result_chart: Chart | None


def _count(x: float | None) -> str:
    """Examples per second as a whole number with thousands separated (3 significant digits)."""
    if x is None:
        return MISSING
    return f"{float(f'{x:.3g}'):,.0f}"


def _pct(x: float | None) -> str:
    return MISSING if x is None else f"{x:.0%}"


def _throughput_line(v: BatchSizeView, study_id: str) -> Markup:
    if not v.throughput:
        return Markup(
            "No throughput probe has been run for this study: <code>reportgen throughput {}</code> "
            "times each batch size on the device it runs on."
        ).format(md_text(study_id))
    measured = [r for r in v.throughput if not r.oom]
    oom = [r.batch_size for r in v.throughput if r.oom]
    line = Markup(
        "Measured on {}, one trial, median of the probe's timings of {} steps (compile "
        "excluded), {} batch size(s){}."
    ).format(
        md_text(v.throughput_device), v.throughput_steps, len(measured),
        f"; batch {oom[0]} ran out of device memory" if oom else "",
    )  # fmt: skip
    if v.largest_raising_throughput is not None:
        line += Markup(
            " The largest batch size that still raised examples per second by 10 % or more: "
            "<strong>{}</strong>."
        ).format(v.largest_raising_throughput)
    return line


def _result_line(v: BatchSizeView, spec: StudySpec) -> Markup:
    if v.target is None:
        return Markup(
            "No steps-to-result target is set (<code>steps_to_result.target</code> in the spec, "
            "fixed before the study runs), so this page does not say how the steps needed "
            "change with the batch size."
        )
    reached = [r for r in v.rows if r.steps is not None]
    metric = md_text(v.metric)
    if not reached:
        return Markup("Target {} {}: no batch size reached it within {} steps.").format(
            metric, fmt(v.target), spec.max_train_steps
        )
    line = Markup("Target {} {} (fixed in the spec before the study ran).").format(
        metric, fmt(v.target)
    )
    if v.largest_scaling is not None:
        line += Markup(" Steps to the target fall up to batch <strong>{}</strong>").format(
            v.largest_scaling
        )
        if v.perfect_until is not None and v.perfect_until > reached[0].batch_size:
            line += Markup(", close to perfect scaling up to batch {}").format(v.perfect_until)
        line += Markup(".")
    if v.fastest is not None:
        line += Markup(
            " With the measured step times, batch <strong>{}</strong> reaches the target soonest."
        ).format(v.fastest)
    return line


def batch_size_section(
    spec: StudySpec, a: StudyAnalysis, charts: dict[str, Any]
) -> BatchSizeSection | None:
    v = a.extras.batch_size
    if v is None:
        return None
    g = notes.section("batch_size")
    throughput = tuple(
        (str(r.batch_size), "out of memory", MISSING, MISSING, MISSING) if r.oom else (
            str(r.batch_size), fmt(r.step_seconds * 1e3 if r.step_seconds else None, 3),
            _count(r.examples_per_second), fmt(r.scaling_efficiency, 2), _pct(r.input_share),
        )
        for r in v.throughput
    )  # fmt: skip
    results = tuple(
        (
            str(r.batch_size),
            f"{r.steps} ({r.trial_id}, of {r.trials})" if r.steps is not None
            else f"not reached in {spec.max_train_steps} (by {r.trials} trials)",
            fmt(r.perfect_steps, 3), fmt(r.efficiency, 2),
            fmt(r.seconds, 2) if r.seconds is not None else MISSING,
        )
        for r in v.rows
    )  # fmt: skip

    def chart(name: str) -> Chart | None:
        spec_ = charts.get(name)
        return Chart(name, chart_html(spec_, f"pb-{name.replace('_', '-')}")) if spec_ else None

    return BatchSizeSection(
        note=Note(g.title, g.note, notes.playbook_url(g.anchor)),
        throughput_line=_throughput_line(v, spec.study_id),
        throughput=throughput,
        throughput_chart=chart("throughput"),
        result_line=_result_line(v, spec),
        results=results,
        result_chart=chart("steps_to_result"),
    )

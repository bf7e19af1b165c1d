"""Static PNGs of the key charts of each changed study, referenced from review.md.

The same Vega-Lite specs as the site (``reportgen.site.prepare.study_charts``), rendered offline
with vl-convert: the axis plot of the most important hyperparameter, the training curves, the
isolation plot and the variance chart. Nothing is uploaded anywhere.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import vl_convert as vlc

from reportgen.schema import Role, StudyAnalysis
from reportgen.schema.review import ChangeKind, ChartFile, Review
from reportgen.site.prepare import study_charts
from reportgen.store import StudyRecords

WIDTH = 560  # vl-convert has no container: a chart with width "container" would be 300 px


def _fixed_width(spec: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(spec)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = WIDTH
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(out)
    return out


def key_hyperparameter(records: StudyRecords, analysis: StudyAnalysis) -> str | None:
    """The hyperparameter a reviewer should look at first.

    One whose search-space boundary or stability edge was flagged (the range itself is in
    question), else the scientific one, else the first varied one.
    """
    spec = records.spec
    varied = [hp.name for hp in spec.varied]
    flagged = {
        f.subject for f in analysis.findings if f.key.startswith(("search_space.", "stability."))
    }
    for name in varied:
        if name in flagged:
            return name
    scientific = spec.by_role(Role.SCIENTIFIC)
    if scientific:
        return scientific[0].name
    return varied[0] if varied else None


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")[:80] or "chart"


def study_chart_specs(
    records: StudyRecords, analysis: StudyAnalysis
) -> list[tuple[str, dict[str, Any]]]:
    charts = study_charts(records.spec, analysis, list(records.trials_at(records.spec.revision)))
    key = key_hyperparameter(records, analysis)
    chosen: list[tuple[str, dict[str, Any]]] = []
    chosen += [(f"axis plot of {name}", spec) for name, spec in charts.axis if name == key][:1]
    chosen += [(title, spec) for title, spec in charts.curves][-1:]  # the objective's curves
    chosen += [(f"isolation of {name}", spec) for name, spec in charts.isolation][:1]
    if charts.variance is not None:
        chosen.append(("trial and study variance", charts.variance))
    return chosen


def export_charts(
    review: Review,
    analyses: dict[str, tuple[StudyRecords, StudyAnalysis]],
    out: Path,
    before: dict[str, tuple[StudyRecords, StudyAnalysis]] | None = None,
) -> dict[str, list[ChartFile]]:
    """Write ``out/charts/<study>-<chart>.png`` for each added or changed study. A changed study
    whose trials changed gets its key axis plot at the base first, so the pair shows the trials
    the change added or removed."""
    result: dict[str, list[ChartFile]] = {}
    folder = out / "charts"
    for change in review.studies:
        if (
            change.kind not in (ChangeKind.ADDED, ChangeKind.CHANGED)
            or change.study_id not in analyses
        ):
            continue
        records, analysis = analyses[change.study_id]
        if not records.trials_at(records.spec.revision):
            continue  # nothing to draw yet
        files = []
        pairs = study_chart_specs(records, analysis)
        base = (before or {}).get(change.study_id)
        moved = change.trials_added or change.trials_removed
        if base is not None and moved and pairs and pairs[0][0].startswith("axis plot"):
            base_records, base_analysis = base
            key = key_hyperparameter(records, analysis)
            was = study_charts(
                base_records.spec, base_analysis,
                list(base_records.trials_at(base_records.spec.revision)),
            )  # fmt: skip
            old = [s for name, s in was.axis if name == key][:1]
            if old:
                n_old, n_new = change.trials_before, change.trials_after
                pairs = [
                    (f"{pairs[0][0]}, before ({n_old} trials)", old[0]),
                    (f"{pairs[0][0]}, after ({n_new} trials)", pairs[0][1]),
                    *pairs[1:],
                ]
        for title, spec in pairs:
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{_slug(change.study_id)}-{_slug(title)}.png"
            png = vlc.vegalite_to_png(_fixed_width(spec), scale=1.5)
            (folder / name).write_bytes(png)
            files.append(ChartFile(title=title, path=f"charts/{name}"))
        result[change.study_id] = files
    return result

"""A study whose trials nearly all diverged, or all did, draws its page with no Vega warning:
a chart with nothing finite to draw (the isolation plot, best so far, the parallel coordinates
coloured by the objective) is left out instead of drawn empty ("Infinite extent")."""

from __future__ import annotations

import pytest

from reportgen.schema import StudySpec
from tests.probes.gallery import spec_of
from tests.probes.sim import Knobs, write_study
from tests.site.browser import PageWatch, assert_drawn, chart_widths, chromium_path, serve
from tests.site.conftest import build_into

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.skip("chromium is not installed (CI installs it with apt)", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

# (probe name, learning rates above which a trial diverges): the searched range is [1e-4, 0.1]
STUDIES = (("one-survives", None), ("none-survives", 1e-5))


def test_pages_of_diverged_studies_draw_without_warnings(tmp_path, chromium):
    logbook = tmp_path / "logbook"
    feasible = {}
    for name, above in STUDIES:
        spec = StudySpec.model_validate(spec_of(name, trial_budget=12))
        if above is None:  # every trial above the smallest learning rate sampled diverges
            from runners.search import sample_points

            above = min(p.values["adam.learning_rate"] for p in sample_points(spec, 12, 0))
        records = write_study(logbook, spec, Knobs(diverge_above=above))
        feasible[name] = sum(r.best is not None for r in records)
    assert 1 <= feasible["one-survives"] <= 2 and feasible["none-survives"] == 0, feasible
    site = build_into(tmp_path, logbook)
    with serve(site) as base:
        for name, _ in STUDIES:
            page = chromium.new_page(viewport={"width": 1366, "height": 900})
            watch = PageWatch(page, base)
            page.goto(f"{base}/studies/probe-{name}/index.html")
            charts = chart_widths(page)
            page.close()
            assert_drawn(charts, name)
            assert watch.errors == [] and watch.warnings == [], (name, watch.errors, watch.warnings)

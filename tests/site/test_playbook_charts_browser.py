"""The playbook-coverage charts of the published logbook draw in headless Chromium: gradient
norms with the clip suggestion, schedules, the round-2 extension, best steps, insight charts."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO
from tests.site.browser import (
    CHROMIUM_FLAGS,
    PageWatch,
    assert_drawn,
    chart_widths,
    chromium_path,
    serve,
)
from tests.site.conftest import build_into

pytestmark = pytest.mark.browser

if chromium_path() is None:
    pytest.skip("chromium is not installed (CI installs it with apt)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

EXPECTED = {
    "clip-digits": {"pb-grad-norm", "pb-above-best", "pb-learning-rate", "pb-best-step",
                    "pb-parallel", "pb-interaction", "pb-best-so-far", "pb-best-per-value"},
    "weight-decay-fashion": {"pb-schedule-extension", "pb-grad-norm", "pb-best-step"},
}


def test_playbook_charts_draw_on_the_published_pages(tmp_path, chromium):
    logbook = tmp_path / "logbook"
    logbook.mkdir()
    for study in EXPECTED:
        shutil.copytree(REPO / "logbook" / study, logbook / study)
    site = build_into(tmp_path, logbook)
    with serve(site) as base:
        browser = chromium
        for study, wanted in EXPECTED.items():
            page = browser.new_page()
            watch = PageWatch(page, base)
            page.goto(f"{base}/studies/{study}/index.html")
            charts = chart_widths(page)
            assert_drawn(charts, study)
            assert wanted <= {c["id"] for c in charts}, (study, [c["id"] for c in charts])
            assert watch.errors == [] and watch.outside == [], (watch.errors, watch.outside)
            page.close()


def test_the_early_probe_panel_and_the_step_budget_draw(tmp_path, chromium):
    """The dense early panel of a study with an early-instability probe draws in the browser
    beside its outcome, and a constant-rate sweep's page shows its suggested step budget."""
    from tests.probes.gallery import write_gallery

    logbook = write_gallery(tmp_path / "logbook", ("early-probe-run", "lr-sweep"))
    site = build_into(tmp_path, logbook)
    with serve(site) as base:
        page = chromium.new_page()
        watch = PageWatch(page, base)
        page.goto(f"{base}/studies/probe-early-probe-run/index.html")
        charts = chart_widths(page)
        assert_drawn(charts, "probe-early-probe-run")
        assert "pb-early-probe" in {c["id"] for c in charts}
        assert "spiked and recovered" in page.inner_text("body")
        page.goto(f"{base}/studies/probe-lr-sweep/index.html")
        assert_drawn(chart_widths(page), "probe-lr-sweep")
        assert "Suggested initial max_train_steps: 150" in page.inner_text("body")
        assert watch.errors == [] and watch.outside == [], (watch.errors, watch.outside)
        page.close()

"""A 10 000-trial study (20 eval points each, so it builds quickly) makes a page of at most
2 MB whose every chart draws in headless Chromium: its charts draw aggregates (quantile
bands, count grids, a sample of the parallel coordinates), not one mark per trial."""

from __future__ import annotations

import importlib.util

import numpy as np
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

TRIALS = 10_000
POINTS = 20
PAGE_BYTES = 2_000_000


def _make_study():
    """``make_study`` of bench/build_scale.py (the benchmarks' synthetic record writer)."""
    spec = importlib.util.spec_from_file_location("build_scale", REPO / "bench" / "build_scale.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_study


def test_a_10000_trial_study_page_is_small_and_every_chart_draws(tmp_path, chromium):
    logbook = tmp_path / "logbook"
    _make_study()(logbook, 0, TRIALS, POINTS, np.random.default_rng(0))
    site = build_into(tmp_path, logbook)
    page_file = site / "studies" / "study-000" / "index.html"
    text = page_file.read_text()
    assert page_file.stat().st_size <= PAGE_BYTES, page_file.stat().st_size
    assert f"bands over all {TRIALS} trials" in text
    assert f"of the {TRIALS} trials" in text  # the table says it lists only the first ones
    with serve(site) as base:
        browser = chromium
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        watch = PageWatch(page, base)
        page.goto(f"{base}/studies/study-000/index.html")
        charts = chart_widths(page, timeout_ms=30000)
        page.close()
    assert_drawn(charts, "study-000")
    ids = {c["id"] for c in charts}
    assert {"axis-0", "axis-1", "axis-2", "curves-0", "curves-1", "pb-parallel",
            "pb-best-so-far", "pb-best-step"} <= ids, ids
    assert watch.errors == [] and watch.outside == [], (watch.errors, watch.outside)

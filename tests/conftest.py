"""Shared test helpers: run the CLI in a subprocess, and build small valid records."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"


def pytest_configure(config):
    """The suite's MkDocs builds share one compiled-template cache of their own, not the user's
    (reportgen.template_cache; the builds in subprocesses inherit it), and so do its loads of
    trial records (reportgen.store.record_cache: on, as for a user, but never in ~/.cache)."""
    import tempfile

    if "REPORTGEN_TEMPLATE_CACHE" not in os.environ:
        os.environ["REPORTGEN_TEMPLATE_CACHE"] = tempfile.mkdtemp(prefix="reportgen-templates-")
    if "REPORTGEN_CACHE_DIR" not in os.environ:
        os.environ["REPORTGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="reportgen-records-")


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess:
    """Run ``python -m reportgen ARGS`` against this checkout's code (not an installed copy)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "reportgen", *args],
        cwd=cwd or REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cli():
    return run_cli


def make_trial(**overrides):
    """A small valid trial record of the study made by `make_spec` (tests only)."""
    from reportgen.schema import Best, Curves, Execution, Provenance, Seeds, Status, TrialRecord

    base = dict(
        study_id="demo",
        study_revision=1,
        trial_id="t0000",
        index=0,
        hyperparameters={"optimizer": "adam", "adam.learning_rate": 0.001, "width": 64},
        seeds=Seeds(init=1, data_order=2, sampler=0),
        status=Status.COMPLETE,
        curves=Curves(
            step=[0, 50, 100],
            train_loss=[2.3, 0.9, 0.4],
            valid_loss=[2.3, 1.0, 0.5],
            valid_error=[0.9, 0.3, 0.1],
            learning_rate=[0.001, 0.001, 0.001],
            grad_norm=[1.0, 0.5, 0.3],
        ),
        best=Best(step=100, value=0.1),
        final_value=0.1,
        max_train_steps=100,
        wall_seconds=1.0,
        step_seconds=0.01,
        execution=Execution(mode="sequential", device="cpu"),
        provenance=Provenance(created_utc=dt.datetime(2026, 11, 23, tzinfo=dt.UTC)),
    )
    base.update(overrides)
    return TrialRecord(**base)


def make_spec(**overrides):
    """A small valid study spec (tests only)."""
    from reportgen.schema import StudySpec

    base = dict(
        study_id="demo",
        title="Demo study",
        goal="Check the schema.",
        workload={"name": "digits_mlp", "settings": {"batch_size": 32}},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-2,
            },
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [32, 64, 128]},
        ],
        trial_budget=8,
        max_train_steps=100,
        eval_every=50,
    )
    base.update(overrides)
    return StudySpec(**base)


@pytest.fixture(scope="session")
def probe_gallery(tmp_path_factory):
    """The probe gallery (tests/probes) written and rendered to markdown once per session:
    (logbook, docs, evidence per probe)."""
    from tests.probes.build import build_gallery, gather

    root = tmp_path_factory.mktemp("probes")
    logbook, docs = build_gallery(root)
    return logbook, docs, gather(logbook, docs)


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium (Debian's, through Playwright) for the whole test session."""
    from tests.site.browser import CHROMIUM_FLAGS, chromium_path

    if chromium_path() is None:
        pytest.skip("chromium is not installed (CI installs it with apt)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield b
        b.close()

"""``bench/device_check.py --smoke``: the GPU check's every step, at CI size on this machine."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytest.importorskip("jax")
pytestmark = pytest.mark.jax


def test_device_check_smoke_prints_every_figure():
    out = subprocess.run(
        [sys.executable, str(REPO / "bench" / "device_check.py"), "--smoke"],
        cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
        timeout=900,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    text = out.stdout
    assert text.startswith("device: cpu") and "smoke sizes" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 6  # the header and five figures
    assert re.search(r"end to end with compile \| [\d.]+ s vs [\d.]+ s \(sequential", text)
    assert re.search(r"steady state \| [\d.]+ ms vs [\d.]+ ms per trial \(limit ÷ runner", text)
    assert re.search(r"\| [\d.]+ GFLOP/s; fp32 peak no peak on record", text)
    assert re.search(r"first vs second process \(shared persistent cache\) \| [\d.]+ s vs", text)
    assert re.search(r"reportgen build \(whole processes\) \| [\d.]+ s, [\d.]+ s \|", text)

"""``reportgen serve``: MkDocs' own server, re-rendering a study when its records change."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from reportgen.site.mkdocs_run import DEFAULT_DOCS
from tests.conftest import REPO
from tests.site.helpers import write_logbook


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, text: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    body = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                body = r.read().decode()
            if text in body:
                return body
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} never showed {text!r}")


def test_serve_rerenders_a_changed_study(tmp_path):
    logbook = write_logbook(tmp_path / "logbook")
    shutil.copytree(DEFAULT_DOCS, tmp_path / "docs")
    # a config of the user's own that does not name the sidecar plugin: serve adds it
    config = tmp_path / "mkdocs.yml"
    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config.write_text("\n".join(x for x in text.splitlines() if "reportgen/sidecar" not in x))
    port = _free_port()
    env = os.environ | {"PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen", "serve", "--logbook", str(logbook),
         "--docs", str(tmp_path / "docs"), "--config", str(config),
         "--addr", f"127.0.0.1:{port}", "--interval", "0.5"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/studies/demo/"
        page = _wait_for(url, "Demo study", 180)
        assert "data-spec='" in page and "data-spec-ref" not in page  # charts carry their data
        spec = logbook / "demo" / "study.yaml"
        spec.write_text(spec.read_text().replace("Demo study", "Demo study, live"))
        _wait_for(url, "Demo study, live", 120)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()

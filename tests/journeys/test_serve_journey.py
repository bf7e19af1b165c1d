"""`reportgen serve` as a user runs it while trials land. Before: the build manifest was
rewritten at every interval, so every open tab reloaded every 2-3 s forever; an OSError killed
the re-render thread and stale pages were served for good; a running study did not say so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from reportgen.site.mkdocs_run import DEFAULT_DOCS
from tests.conftest import REPO
from tests.site.helpers import write_logbook
from tests.site.test_serve import _free_port, _wait_for


def _serve(tmp_path, logbook, port: int) -> subprocess.Popen:
    shutil.copytree(DEFAULT_DOCS, tmp_path / "docs")
    env = os.environ | {"PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "reportgen", "serve", "--logbook", str(logbook),
         "--docs", str(tmp_path / "docs"), "--config", str(REPO / "mkdocs.yml"),
         "--addr", f"127.0.0.1:{port}", "--interval", "0.5"],
        env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def _lines(proc: subprocess.Popen, into: list[str]) -> None:
    import threading

    def pump() -> None:
        for line in proc.stdout:
            into.append(line)

    threading.Thread(target=pump, daemon=True).start()


def test_serve_rebuilds_nothing_while_nothing_changes(tmp_path):
    """Before: the build manifest was rewritten at every interval, so MkDocs rebuilt and every
    open tab reloaded every 2-3 s. Now an idle logbook writes nothing under docs/."""
    logbook = write_logbook(tmp_path / "logbook")
    port = _free_port()
    proc = _serve(tmp_path, logbook, port)
    out: list[str] = []
    _lines(proc, out)
    try:
        _wait_for(f"http://127.0.0.1:{port}/studies/demo/", "Demo study", 180)
        time.sleep(3)  # the first interval's render settles
        before = sum("Building documentation" in x for x in out)
        written = {p: p.stat().st_mtime_ns for p in (tmp_path / "docs").rglob("*") if p.is_file()}
        time.sleep(10)
        assert sum("Building documentation" in x for x in out) == before, "".join(out[-20:])
        now = {p: p.stat().st_mtime_ns for p in (tmp_path / "docs").rglob("*") if p.is_file()}
        assert now == written
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_serve_survives_a_failed_render_and_says_so_on_the_page(tmp_path):
    """Before: an OSError in the re-render thread killed it, and serve went on serving stale
    pages for good. Now the page says what failed, and the next good render takes it away."""
    logbook = write_logbook(tmp_path / "logbook")
    port = _free_port()
    proc = _serve(tmp_path, logbook, port)
    out: list[str] = []
    _lines(proc, out)
    try:
        url = f"http://127.0.0.1:{port}/studies/index.html"
        _wait_for(f"http://127.0.0.1:{port}/studies/demo/", "Demo study", 180)
        rendered = tmp_path / "docs" / "studies" / "demo"
        shutil.move(rendered, tmp_path / "moved")
        rendered.write_text("a file where the study's folder was")  # its pages cannot be written
        spec = logbook / "demo" / "study.yaml"
        spec.write_text(spec.read_text().replace("Demo study", "Demo study, live"))
        page = _wait_for(url, "reportgen serve could not re-render the logbook", 120)
        assert "FileExistsError" in page or "NotADirectoryError" in page
        rendered.unlink()  # fixed: the next interval renders again
        _wait_for(f"http://127.0.0.1:{port}/studies/demo/", "Demo study, live", 120)
        deadline = time.monotonic() + 60
        while "could not re-render" in _wait_for(url, "</html>", 30):
            assert time.monotonic() < deadline, "the banner stayed"
            time.sleep(0.5)
        assert proc.poll() is None and "Traceback" not in "".join(out)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


LOOP = """
import sys, time
from reportgen.logger import open_trial
with open_trial(sys.argv[1], "demo", {"optimizer": "adam", "adam.learning_rate": 0.002, "width": 64},
                trial_id="live-trial", progress=False) as trial:
    for step in (50, 100):
        trial.log(step, train_loss=1.0 / step, valid_loss=1.1 / step, valid_error=0.2)
        print(step, flush=True)
        time.sleep(float(sys.argv[2]))
print("done", flush=True)
"""


def test_serve_shows_a_running_study_and_its_trial_when_it_lands(tmp_path):
    """A trial logged by the user's loop while serve watches: the study page says it is
    running while the trial is in flight, and shows the trial once it is written."""
    logbook = write_logbook(tmp_path / "logbook")
    port = _free_port()
    proc = _serve(tmp_path, logbook, port)
    out: list[str] = []
    _lines(proc, out)
    url = f"http://127.0.0.1:{port}/studies/demo/index.html"
    try:
        _wait_for(url, "Demo study", 180)
        loop = subprocess.Popen(
            [sys.executable, "-c", LOOP, str(logbook), "8"], stdout=subprocess.PIPE, text=True,
            env=os.environ | {"PYTHONPATH": str(REPO)},
        )  # fmt: skip
        assert loop.stdout.readline().strip() == "50"
        page = _wait_for(url, "trials in flight", 60)
        assert "running:" in page and "1 trials in flight" in page
        assert "live-trial" not in page
        assert loop.wait(timeout=60) == 0
        landed = time.monotonic()
        page = _wait_for(url, "live-trial", 60)
        print(f"page updated {time.monotonic() - landed:.1f} s after the trial landed")
        deadline = time.monotonic() + 60
        while "trials in flight" in page:
            assert time.monotonic() < deadline, "the running badge stayed"
            time.sleep(0.5)
            page = _wait_for(url, "</html>", 30)
    finally:
        proc.terminate()
        proc.wait(timeout=20)

"""`reportgen.cli.quick_exit`: a command ends without tearing the interpreter down, once only
threads the usual exit would not wait for are left (daemon threads: Ray's, after a run on a
Ray cluster); a thread that is not a daemon is still waited for, the exit functions still run,
and the exit code and buffered output are kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PROBE = """
import atexit, sys, threading, time
from pathlib import Path
from reportgen.cli import quick_exit
out = Path(sys.argv[1])
class Torn:  # its __del__ runs only when the interpreter is torn down
    def __del__(self):
        (out / "torn-down").write_text("")
kept = Torn()
atexit.register(lambda: (out / "atexit").write_text(""))
if sys.argv[2] == "daemon":  # a thread the usual exit would not wait for either
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
elif sys.argv[2] == "worker":  # a thread that is not a daemon, still working
    def work():
        time.sleep(0.5)
        (out / "worker-done").write_text("")
    threading.Thread(target=work).start()
sys.stdout.write("buffered, no newline")
quick_exit(3)
"""


def _exit(tmp: Path, threads: str) -> tuple[int, str, set[str]]:
    folder = tmp / threads
    folder.mkdir()
    res = subprocess.run([sys.executable, "-c", PROBE, str(folder), threads], cwd=REPO,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    return res.returncode, res.stdout, {p.name for p in folder.iterdir()}


def test_a_quick_exit_skips_the_teardown_unless_a_thread_that_is_not_a_daemon_still_works(
    tmp_path,
):
    for threads in ("none", "daemon"):
        code, out, made = _exit(tmp_path, threads)
        assert (code, out) == (3, "buffered, no newline")
        assert made == {"atexit"}, threads  # the exit functions ran; no teardown
    code, out, made = _exit(tmp_path, "worker")
    assert (code, out) == (3, "buffered, no newline")
    assert made == {"atexit", "worker-done", "torn-down"}  # waited for, the usual exit

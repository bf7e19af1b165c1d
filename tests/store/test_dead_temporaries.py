"""A writer killed between its write and its rename leaves `.<name>.tmp-<pid>`; the next
resume removes it, but never the temporary file of a writer that is still running."""

from __future__ import annotations

import os
import subprocess
import sys

from reportgen.store import existing_trial_ids


def test_resume_removes_temporaries_of_dead_writers_only(tmp_path):
    trials = tmp_path / "study" / "trials"
    trials.mkdir(parents=True)
    (trials / "t0.json").write_text("{}")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    orphan = trials / f".t1.json.tmp-{dead.stdout.strip()}"
    orphan.write_text('{"half": ')
    live = trials / f".t2.json.tmp-{os.getpid()}"
    live.write_text("{}")
    assert existing_trial_ids(tmp_path, "study") == {"t0"}
    assert not orphan.exists()
    assert live.exists()

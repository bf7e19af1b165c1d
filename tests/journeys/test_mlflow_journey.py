"""An MLflow sweep logged as MLflow's docs show one: a parent run with a nested child run per
trial, run names, params and step metrics, in a local ``mlruns`` store. Before: trials were
named by the 32-hex run id (the run names were lost) and the parent was imported as a trial
with no curve."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.journeys.helpers import reportgen

SWEEP = """
import sys, mlflow
mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment("width-sweep")
with mlflow.start_run(run_name="sweep"):
    for lr in (0.001, 0.01):
        for width in (32, 64):
            with mlflow.start_run(run_name=f"lr{lr}-w{width}", nested=True):
                mlflow.log_params({"lr": lr, "width": width})
                loss = 2.0
                for step in range(1, 6):
                    loss *= 1 - 10 * lr * width / 64
                    mlflow.log_metric("train_loss", loss, step=step * 10)
                    mlflow.log_metric("val_loss", loss * 1.1 + 1 / width, step=step * 10)
"""


def test_nested_named_runs_import_as_named_trials(tmp_path):
    env = {**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true"}
    subprocess.run([sys.executable, "-c", SWEEP, (tmp_path / "mlruns").as_uri()], check=True,
                   env=env, capture_output=True)  # fmt: skip
    r = reportgen(
        "import", "mlflow", "mlruns", "--experiment", "width-sweep", "--study", "widths",
        "--scientific", "width", "--baseline", "width=32", "--candidate", "64", cwd=tmp_path,
    )  # fmt: skip
    assert r.returncode == 0 and "4 runs added" in r.stderr, r.stderr
    names = sorted(p.stem for p in (tmp_path / "logbook/widths/trials").glob("*.json"))
    assert names == ["mlflow-lr0.001-w32", "mlflow-lr0.001-w64", "mlflow-lr0.01-w32", "mlflow-lr0.01-w64"]
    trial = json.loads((tmp_path / "logbook/widths/trials/mlflow-lr0.01-w64.json").read_text())
    assert trial["curves"]["step"] == [10, 20, 30, 40, 50] and trial["status"] == "complete"
    assert len(trial["provenance"]["source"]["run_id"]) == 32  # the source's own id, kept
    assert reportgen("check", cwd=tmp_path).returncode == 0

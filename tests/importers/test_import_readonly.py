"""Importers only read what they import, and never merge two runs into one trial.

Before: TensorBoard runs ``lr/0.1``, ``lr-0.1`` and ``lr 0.1`` became one trial ("5 runs
added", 2 files written); an SQLite file that was not an Optuna storage got 13 Optuna tables;
a mistyped ``sqlite:///typo.db`` created a database; the MLflow import created ``.trash/`` in
the source store and silently dropped a run linked in from elsewhere; the storage sniff read a
whole multi-gigabyte file to look at 16 bytes; killed imports left ``.import-*`` folders in the
logbook for good. Sources here are written by the tools themselves.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.importers.readonly import is_sqlite
from reportgen.importers.write import STAGING
from tests.importers import sources


def _import(kind: str, source, logbook: Path, study: str, *extra: str):  # type: ignore[no-untyped-def]
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = main(["import", kind, str(source), "--study", study, "--logbook", str(logbook), *extra])
    assert "Traceback" not in err.getvalue()
    return rc, err.getvalue()


def _tree(root: Path) -> dict[str, str]:
    """Every path under ``root`` with the digest of its content (folders as '/')."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for d in dirs:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = "/"
        for f in files:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return out


def test_run_names_that_clean_to_one_id_are_refused_with_both_names(tmp_path):
    from tensorboardX import SummaryWriter

    tb = tmp_path / "tb"
    for i, name in enumerate(["lr/0.1", "lr-0.1", "lr 0.1"]):
        w = SummaryWriter(str(tb / name))
        for step in range(1, 4):
            w.add_scalar("train/loss", 1.0 / step + i, step)
            w.add_scalar("val/loss", 1.2 / step + i, step)
        w.add_hparams({"learning_rate": 0.1 + i, "width": 32}, {"hparam/val_loss": 0.5})
        w.close()
    logbook = tmp_path / "logbook"
    rc, err = _import("tensorboard", tb, logbook, "tb")
    assert rc == 1
    assert "runs 'lr-0.1' and 'lr/0.1' both map to trial id 'tensorboard-lr-0.1'" in err or (
        "both map to trial id 'tensorboard-lr-0.1'" in err and "'lr 0.1'" in err
    ), err
    assert not logbook.exists() or not any(p for p in logbook.iterdir() if not p.name.startswith("."))


def test_an_sqlite_file_that_is_not_an_optuna_storage_is_left_as_it_was(tmp_path):
    db = tmp_path / "app.db"
    with contextlib.closing(sqlite3.connect(db)) as con:
        con.execute("CREATE TABLE users (name TEXT)")
        con.execute("INSERT INTO users VALUES ('ada')")
        con.commit()
    before = db.read_bytes()
    rc, err = _import("optuna", db, tmp_path / "logbook", "x")
    assert rc == 1 and "not an Optuna storage" in err, err
    assert db.read_bytes() == before
    with contextlib.closing(sqlite3.connect(db)) as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"users"}


def test_a_mistyped_sqlite_url_creates_nothing(tmp_path):
    typo = tmp_path / "typo.db"
    rc, err = _import("optuna", f"sqlite:///{typo}", tmp_path / "logbook", "x")
    assert rc == 1 and "no such file" in err, err
    assert not typo.exists()
    rc, err = _import("mlflow", f"sqlite:///{typo}", tmp_path / "logbook", "x")
    assert rc == 1 and not typo.exists()


def test_optuna_sources_are_byte_for_byte_the_same_after_an_import(tmp_path):
    (tmp_path / "src").mkdir()
    sources.optuna_study(f"sqlite:///{tmp_path / 'src' / 'optuna.db'}")
    sources.optuna_study(sources.journal_storage(tmp_path / "src" / "journal.log"), n_trials=8)
    before = _tree(tmp_path / "src")
    for name in ("optuna.db", "journal.log"):
        rc, err = _import("optuna", tmp_path / "src" / name, tmp_path / "logbook", name.split(".")[0])
        assert rc == 0, err
    assert _tree(tmp_path / "src") == before


MLFLOW_LINKED = """
import sys, mlflow
mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment("sweep")
for i, lr in enumerate((0.001, 0.01, 0.1)):
    with mlflow.start_run(run_name=f"lr{lr}"):
        mlflow.log_params({"learning_rate": lr, "width": 32})
        for step in range(1, 4):
            mlflow.log_metric("train_loss", 1.0 / step + lr, step=step)
            mlflow.log_metric("val_loss", 1.2 / step + lr, step=step)
"""


def test_an_mlflow_store_is_not_written_and_a_linked_run_is_read(tmp_path):
    store = tmp_path / "mlruns"
    env = {**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true"}
    subprocess.run([sys.executable, "-c", MLFLOW_LINKED, store.as_uri()], check=True, env=env,
                   capture_output=True)  # fmt: skip
    (store / ".trash").rmdir()  # a store copied without its empty trash (as git would keep it)
    (exp,) = [p for p in store.iterdir() if p.is_dir() and p.name != "0"]
    run = next(p for p in exp.iterdir() if p.is_dir())
    elsewhere = tmp_path / "archive" / run.name
    elsewhere.parent.mkdir()
    run.rename(elsewhere)
    run.symlink_to(elsewhere, target_is_directory=True)  # a run kept elsewhere, linked in
    before = _tree(store)
    rc, err = _import("mlflow", store, tmp_path / "logbook", "ml")
    assert rc == 0, err
    assert "3 runs added" in err, err
    assert _tree(store) == before and not (store / ".trash").exists()


def test_probing_a_source_reads_sixteen_bytes_not_the_file(tmp_path):
    big = tmp_path / "journal.log"
    with open(big, "wb") as fh:
        fh.truncate(3 << 30)  # 3 GiB, sparse
    tracemalloc.start()
    assert not is_sqlite(big)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1 << 20


def test_a_killed_imports_staging_folder_is_removed_by_the_next_import(tmp_path):
    logbook = tmp_path / "logbook"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = logbook / f"{STAGING}{dead.pid}-abc123"
    live = logbook / f"{STAGING}{os.getpid()}-def456"
    for folder in (stale, live):
        (folder / "study" / "trials").mkdir(parents=True)
    sources.optuna_study(f"sqlite:///{tmp_path / 'optuna.db'}", n_trials=6)
    rc, err = _import("optuna", tmp_path / "optuna.db", logbook, "demo")
    assert rc == 0, err
    assert not stale.exists() and live.exists()


@pytest.mark.parametrize("content", [b"", b"\0" * 64])
def test_an_empty_or_junk_event_file_is_a_clear_error(tmp_path, content):
    run = tmp_path / "tb" / "run0"
    run.mkdir(parents=True)
    (run / "events.out.tfevents.1.host").write_bytes(content)
    rc, err = _import("tensorboard", tmp_path / "tb", tmp_path / "logbook", "tb")
    wanted = "its event files hold no scalars" if not content else "event file is truncated or corrupt"
    assert rc == 1 and wanted in err, err

"""Real files written by the real tools (Optuna, tensorboardX, MLflow), for the importer tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

WIDTHS = (32, 64, 128)


def optuna_study(storage, n_trials: int = 16, name: str = "demo"):
    """A study run with ``study.optimize``: intermediate values, one failed trial, pruned ones."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)

    def objective(trial):
        lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
        width = trial.suggest_categorical("width", list(WIDTHS))
        depth = trial.suggest_int("depth", 1, 3)
        trial.set_user_attr("dataset", "digits")
        if trial.number == 3:
            raise RuntimeError("out of memory")
        value = 1.0
        for step in range(1, 6):
            value = abs(lr - 0.01) * 10 + 0.1 / step + 10 / width + 0.01 * depth
            trial.report(value, step * 10)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return value

    study = optuna.create_study(
        study_name=name,
        storage=storage,
        sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=10),
        load_if_exists=True,
    )
    study.optimize(objective, n_trials=n_trials, catch=(RuntimeError,))
    return study


def journal_storage(path: Path):
    import optuna

    journal = optuna.storages.journal
    backend = getattr(journal, "JournalFileBackend", None) or journal.JournalFileStorage
    return optuna.storages.JournalStorage(backend(str(path)))


RUNS = ((1e-3, 32), (1e-2, 64), (3e-2, 32), (1e-1, 64))


def tensorboard_runs(root: Path) -> None:
    """One folder per run; ``add_hparams`` writes its own timestamped subfolder inside it."""
    from tensorboardX import SummaryWriter

    for i, (lr, width) in enumerate(RUNS):
        w = SummaryWriter(str(root / f"run{i}"))
        for step in range(0, 50, 10):
            w.add_scalar("train/loss", 1.0 / (step + 1) + lr, step)
            w.add_scalar("val/loss", 1.2 / (step + 1) + 2 * lr + 1 / width, step)
            w.add_scalar("lr", lr, step)
        w.add_hparams(
            {"learning_rate": lr, "width": width, "optimizer": "adam"},
            {"hparam/val_loss": 1.2 / 41 + 2 * lr},
        )
        w.close()


_MLFLOW = """
import sys, mlflow
from mlflow.tracking import MlflowClient
mlflow.set_tracking_uri(sys.argv[1])
mlflow.set_experiment("sweep")
for i, (lr, width) in enumerate({runs}):
    with mlflow.start_run(run_name=f"r{{i}}") as run:
        mlflow.log_params({{"learning_rate": lr, "width": width, "use_bias": True}})
        for step in range(0, 50, 10):
            mlflow.log_metric("train_loss", 1.0 / (step + 1) + lr, step=step)
            mlflow.log_metric("val_loss", 1.2 / (step + 1) + 2 * lr + 1 / width, step=step)
    if i == len({runs}) - 1:
        MlflowClient().set_terminated(run.info.run_id, status="FAILED")
"""


def mlflow_store(uri: str) -> None:
    """An experiment of four runs (the last one FAILED) written by mlflow in a fresh process."""
    env = {**os.environ, "MLFLOW_ALLOW_FILE_STORE": "true"}
    code = _MLFLOW.format(runs=repr(RUNS))
    r = subprocess.run([sys.executable, "-c", code, uri], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr

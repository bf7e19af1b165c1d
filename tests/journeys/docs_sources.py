"""The sources `docs/importing.md` names, written by the real tools under those names."""

from __future__ import annotations

from pathlib import Path

from tests.importers import sources


def importing_sources(root: Path) -> None:
    sources.optuna_study(f"sqlite:///{root / 'optuna.db'}", name="lr-sweep")
    sources.optuna_study(sources.journal_storage(root / "journal.log"), n_trials=8)
    sources.tensorboard_runs(root / "runs")
    sources.mlflow_store((root / "mlruns").as_uri())
    sources.mlflow_store(f"sqlite:///{root / 'mlflow.db'}")

"""The published logbook's imported study: a real Optuna sweep, imported with `reportgen import`.

A linear classifier (scikit-learn's SGDClassifier) on the digits data, trained epoch by epoch
with ``partial_fit``; each epoch reports the validation error to Optuna, whose MedianPruner
stops unpromising trials. The question: does the logistic loss beat the hinge loss once the
regularisation strength and the step size are tuned for each? The sweep is written to a SQLite
storage (``.data/optuna-sgd-digits.db``) and imported into ``logbook/optuna-sgd-digits`` with
its roles.

    python scripts/import_optuna_digits.py [--logbook logbook] [--trials 60]

Running it again adds trials to the sweep up to ``--trials`` and imports only the new ones (runs
are keyed by their Optuna trial number).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import warnings
from pathlib import Path

STUDY = "optuna-sgd-digits"
EPOCHS = 30


def sweep(storage: str, n_trials: int) -> None:
    import numpy as np
    import optuna
    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import SGDClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    x, y = load_digits(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(
        x, y, test_size=600, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(x_train)
    x_train, x_valid = scaler.transform(x_train), scaler.transform(x_valid)
    classes = np.unique(y)

    def objective(trial: optuna.Trial) -> float:
        loss = trial.suggest_categorical("loss", ["hinge", "log_loss"])
        alpha = trial.suggest_float("alpha", 1e-6, 1e-1, log=True)
        eta0 = trial.suggest_float("eta0", 1e-4, 1.0, log=True)
        trial.set_user_attr("dataset", "sklearn digits, 600 validation images")
        model = SGDClassifier(
            loss=loss, alpha=alpha, learning_rate="constant", eta0=eta0, random_state=trial.number
        )
        rng = np.random.default_rng(trial.number)
        error = 1.0
        for epoch in range(1, EPOCHS + 1):
            order = rng.permutation(len(x_train))
            model.partial_fit(x_train[order], y_train[order], classes=classes)
            error = float(1.0 - model.score(x_valid, y_valid))
            if not np.isfinite(model.coef_).all():
                raise optuna.TrialPruned()  # diverged: the step size was too large
            trial.report(error, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return error

    study = optuna.create_study(
        study_name=STUDY,
        storage=storage,
        direction="minimize",
        sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=10, n_warmup_steps=10),
        load_if_exists=True,
    )
    remaining = n_trials - len(study.trials)  # the sweep grows to n_trials, never beyond
    if remaining > 0:
        study.optimize(objective, n_trials=remaining)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--logbook", type=Path, default=Path("logbook"))
    p.add_argument("--trials", type=int, default=60)
    p.add_argument(
        "--storage", type=Path, default=Path(".data/optuna-sgd-digits.db"),
        help="the sweep's SQLite file (kept: import again after more trials)",
    )  # fmt: skip
    args = p.parse_args(argv)
    args.storage.parent.mkdir(parents=True, exist_ok=True)
    db = args.storage
    sweep(f"sqlite:///{db}", args.trials)
    cmd = [
            sys.executable, "-m", "reportgen", "import", "optuna", str(db),
            "--optuna-study", STUDY, "--study", STUDY, "--logbook", str(args.logbook),
            "--scientific", "loss", "--baseline", "loss=hinge", "--candidate", "log_loss",
            "--objective", "objective", "--direction", "minimize",
            "--title", "Does the logistic loss beat the hinge loss for a linear classifier on digits?",
            "--goal", "An Optuna sweep imported as is: a linear classifier (SGD) on the digits "
            "data with the loss scientific and the regularisation strength (alpha) and constant "
            "step size (eta0) tuned away for each loss; the MedianPruner stopped weak trials.",
        ]  # fmt: skip
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())

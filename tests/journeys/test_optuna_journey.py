"""An Optuna sweep as Optuna's docs write one (TPE, a median pruner, ``trial.report`` each
epoch, a SQLite storage), imported, then imported again after it ran more trials. Before: the
second import kept the first import's ``trial_budget``, and `check` then failed ("40 search
trials, more than its trial_budget of 30"); the study's goal published the storage's absolute
local path."""

from __future__ import annotations

import optuna

from tests.journeys.helpers import reportgen


def _sweep(storage: str, n_trials: int) -> None:
    def objective(trial: optuna.Trial) -> float:
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        width = trial.suggest_categorical("width", [32, 64])
        loss = 1.0
        for epoch in range(1, 11):
            loss = abs(lr - 0.01) * 5 + 0.5 / epoch + 4 / width
            trial.report(loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return loss

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(
        study_name="lr-sweep", storage=storage, load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=0), pruner=optuna.pruners.MedianPruner(),
    )  # fmt: skip
    study.optimize(objective, n_trials=n_trials)


def test_a_running_sweep_imported_twice_keeps_check_green(tmp_path):
    storage = f"sqlite:///{tmp_path / 'optuna.db'}"
    _sweep(storage, 12)
    args = ("import", "optuna", storage, "--study", "lr-sweep", "--scientific", "width",
            "--baseline", "width=32", "--candidate", "64")  # fmt: skip
    r = reportgen(*args, cwd=tmp_path)
    assert r.returncode == 0 and "12 runs added" in r.stderr, r.stderr
    assert reportgen("check", cwd=tmp_path).returncode == 0
    _sweep(storage, 10)  # the sweep goes on
    r = reportgen(*args, cwd=tmp_path)
    assert r.returncode == 0 and "10 runs added, 12 already there" in r.stderr, r.stderr
    r = reportgen("check", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    spec = (tmp_path / "logbook" / "lr-sweep" / "study.yaml").read_text()
    assert "trial_budget: 22" in spec
    goal = next(line for line in spec.splitlines() if line.startswith("goal:"))
    assert "optuna.db" in goal and str(tmp_path) not in goal


def test_a_multi_objective_study_imports_every_objective_and_draws_the_trade_off(tmp_path):
    """Refused before (one objective only); now the first objective leads and the second is a
    trade-off its page draws against it."""
    import html

    storage = f"sqlite:///{tmp_path / 'mo.db'}"
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(study_name="mo", storage=storage, directions=["minimize", "maximize"],
                                sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=8)
    r = reportgen("import", "optuna", storage, "--study", "mo", cwd=tmp_path)
    assert r.returncode == 0 and "8 runs added" in r.stderr, r.stderr
    spec = (tmp_path / "logbook" / "mo" / "study.yaml").read_text()
    assert "trade_offs:" in spec and "metric: objective_1" in spec and "direction: maximize" in spec
    assert reportgen("check", cwd=tmp_path).returncode == 0
    r = reportgen("build", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    page = html.unescape((tmp_path / "docs" / "studies" / "mo" / "index.md").read_text())
    assert "## Trade-offs" in page and 'id="trade-off-0"' in page
    assert "front of objective_1 (maximize, final)" in page


def test_the_imported_page_says_what_the_source_did_not_record(tmp_path):
    """The imported study's page, as the user builds it: the sampler, the pruner and the
    schedule are "not recorded" (never a default such as "quasi_random, seed 0"), pruned trials
    are stopped on purpose (never infeasible), and no local path of the source is published."""
    import html

    storage = f"sqlite:///{tmp_path / 'optuna.db'}"
    _sweep(storage, 20)
    pruned = sum(t.state.name == "PRUNED"
                 for t in optuna.load_study(study_name="lr-sweep", storage=storage).trials)
    assert pruned > 0  # the median pruner stopped some trials
    r = reportgen("import", "optuna", storage, "--study", "lr-sweep", "--scientific", "width",
                  "--baseline", "width=32", "--candidate", "64", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = reportgen("build", cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    page = html.unescape((tmp_path / "docs" / "studies" / "lr-sweep" / "index.md").read_text())
    assert "sampler not recorded (imported)" in page
    assert "quasi_random" not in page and "seed 0" not in page
    assert f"pruner | not recorded; {pruned} of 20 trials were stopped early" in page
    assert f"0 infeasible (fraction 0); {pruned} stopped early on purpose, not counted as infeasible" in page
    assert "constant learning rate first | not recorded" in page
    site = (tmp_path / "site" / "studies" / "lr-sweep" / "index.html").read_text()
    assert str(tmp_path) not in page and str(tmp_path) not in site

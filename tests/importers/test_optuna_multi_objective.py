"""A multi-objective Optuna study, made the documented way (``create_study(directions=...)``,
``set_metric_names``, ``optimize``), imported with every objective kept: the first is the
study's objective, the others its trade-offs, and each trial records every value."""

from __future__ import annotations

import contextlib
import io
import math
import warnings

import pytest

from reportgen.cli import main
from reportgen.schema import Status
from reportgen.store import load_study

optuna = pytest.importorskip("optuna")


def _objective(trial):
    """Error falls and time per step rises with width: a real trade-off between the two."""
    width = trial.suggest_int("width", 16, 256, log=True)
    lr = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
    if trial.number == 5:
        raise RuntimeError("out of memory")
    error = 0.05 + 2.0 / width + abs(math.log10(lr) + 2) * 0.02
    seconds = 0.001 * width
    return error, seconds


def _study(storage: str, name: str, *, names: list[str] | None, directions=None):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(
        study_name=name, storage=storage, directions=directions or ["minimize", "minimize"],
        sampler=optuna.samplers.RandomSampler(seed=0),
    )
    if names is not None:
        with warnings.catch_warnings():  # Optuna marks set_metric_names experimental
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study.set_metric_names(names)
    study.optimize(_objective, n_trials=12, catch=(RuntimeError,))
    return study


def _import(storage: str, logbook, study: str, *extra: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = main(["import", "optuna", storage, "--optuna-study", study, "--study", study,
                   "--logbook", str(logbook), *extra])
    return rc, err.getvalue()


def test_every_objective_is_kept_with_the_studys_metric_names(tmp_path):
    storage = f"sqlite:///{tmp_path / 'mo.db'}"
    study = _study(storage, "mo", names=["valid_error", "step_seconds_measured"])
    assert study.metric_names == ["valid_error", "step_seconds_measured"]
    rc, err = _import(storage, tmp_path / "logbook", "mo")
    assert rc == 0, err
    records, problems = load_study(tmp_path / "logbook" / "mo")
    assert problems == [], problems
    spec = records.spec
    assert (spec.objective.metric, str(spec.objective.direction)) == ("valid_error", "minimize")
    assert [(t.metric, str(t.direction), t.constraint) for t in spec.trade_offs] == [
        ("step_seconds_measured", "minimize", None)]
    by_number = {int(t.provenance.source.run_id): t for t in records.trials}
    assert len(by_number) == 12
    for ft in study.trials:
        rec = by_number[ft.number]
        if ft.state != optuna.trial.TrialState.COMPLETE:
            assert rec.status is Status.FAILED
            continue
        err_col = rec.curves.column("valid_error")
        sec_col = rec.curves.extra["step_seconds_measured"]
        assert err_col[-1] == ft.values[0] and sec_col[-1] == ft.values[1]
        assert rec.best.value == ft.values[0] and rec.final_value == ft.values[0]
    assert sum(r.status is Status.FAILED for r in records.trials) == 1


def test_without_metric_names_the_objectives_are_numbered_and_any_can_lead(tmp_path):
    storage = f"sqlite:///{tmp_path / 'mo.db'}"
    study = _study(storage, "plain", names=None, directions=["minimize", "maximize"])
    rc, err = _import(storage, tmp_path / "logbook", "plain")
    assert rc == 0, err
    records, problems = load_study(tmp_path / "logbook" / "plain")
    assert problems == []
    assert records.spec.objective.metric == "objective"
    assert [(t.metric, str(t.direction)) for t in records.spec.trade_offs] == [
        ("objective_1", "maximize")]
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    recs = {int(t.provenance.source.run_id): t for t in records.trials}
    assert all(recs[t.number].curves.extra["objective_1"][-1] == t.values[1] for t in done)
    # the second objective as the study's objective: the first becomes the trade-off, and the
    # direction is the second's own
    rc, err = _import(storage, tmp_path / "logbook2", "plain", "--objective", "objective_1")
    assert rc == 0, err
    second, _ = load_study(tmp_path / "logbook2" / "plain")
    assert (second.spec.objective.metric, str(second.spec.objective.direction)) == (
        "objective_1", "maximize")
    assert [(t.metric, str(t.direction)) for t in second.spec.trade_offs] == [
        ("objective", "minimize")]
    assert len(second.trials) == 12
    assert {t.best.value for t in second.trials if t.best} == {t.values[1] for t in done}

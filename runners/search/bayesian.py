"""Bayesian optimisation for the exploitation phase: Optuna's TPE sampler through ask/tell.

Diverged and failed trials are told as ``FAIL`` (infeasible), so the sampler learns to avoid
them without a made-up objective value. Conditional hyperparameters are asked only when active.
"""

from __future__ import annotations

import optuna

from reportgen.schema import Direction, Hyperparameter, Scale, StudySpec
from runners.search.points import SampledPoint, _finish
from runners.search.space import is_active

optuna.logging.set_verbosity(optuna.logging.WARNING)


def _distribution(hp: Hyperparameter) -> optuna.distributions.BaseDistribution:
    if hp.scale in (Scale.LINEAR, Scale.LOG):
        return optuna.distributions.FloatDistribution(hp.low, hp.high, log=hp.scale is Scale.LOG)  # type: ignore[arg-type]
    return optuna.distributions.CategoricalDistribution(hp.values)  # type: ignore[arg-type]


class BayesianSearch:
    """An Optuna study seeded with the spec's sampler seed; ask a batch, tell the outcomes."""

    def __init__(self, spec: StudySpec, seed: int):
        self.spec = spec
        direction = "maximize" if spec.objective.direction is Direction.MAXIMIZE else "minimize"
        sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=8, constant_liar=True)
        self.study = optuna.create_study(direction=direction, sampler=sampler)
        self._pending: dict[int, optuna.trial.Trial] = {}

    def _fixed(self) -> dict:
        return {hp.name: hp.value for hp in self.spec.search_space if not hp.varied}

    def ask(self, index: int) -> SampledPoint:
        trial = self.study.ask()
        values = self._fixed()
        raw = {}
        for hp in self.spec.varied:
            if not is_active(hp, values):
                continue
            if hp.scale in (Scale.LINEAR, Scale.LOG):
                v = trial.suggest_float(hp.name, hp.low, hp.high, log=hp.scale is Scale.LOG)  # type: ignore[arg-type]
            else:
                v = trial.suggest_categorical(hp.name, hp.values)  # type: ignore[arg-type]
            values[hp.name] = v
            raw[hp.name] = v
        self._pending[index] = trial
        return _finish(self.spec, index, raw)

    def tell(self, index: int, value: float | None) -> None:
        """Report a trial's objective, or ``None`` when it diverged or failed (infeasible)."""
        trial = self._pending.pop(index)
        if value is None:
            self.study.tell(trial, state=optuna.trial.TrialState.FAIL)
        else:
            self.study.tell(trial, value)

    def add_done(self, point_values: dict, value: float | None) -> None:
        """Replay a trial already on disk (``--resume``)."""
        dists = {hp.name: _distribution(hp) for hp in self.spec.varied if hp.name in point_values}
        params = {k: point_values[k] for k in dists}
        state = optuna.trial.TrialState.FAIL if value is None else optuna.trial.TrialState.COMPLETE
        self.study.add_trial(
            optuna.trial.create_trial(params=params, distributions=dists, value=value, state=state)
        )

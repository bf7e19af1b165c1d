"""Simulated studies for ``decision_calibration.py``, vectorised over a batch of studies.

A study searches each scientific value (``width``) over a nuisance learning rate (or holds it at
its optimum), in this search and in every rerun, then retrains the chosen configurations. Every
trial is a validation-error curve: two falling evaluations, then a plateau at the configuration's
value plus the trial's seed noise, with white evaluation noise on each evaluation. The candidate
(value 1) is better by ``effect`` retrain standard deviations (sd).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SD = 0.005  # retrain (seed) standard deviation
LEVEL = 0.2  # validation error of the baseline's plateau
EVAL_SD = 0.001  # noise of one evaluation
LOG_LR = (-4.0, -1.0)  # searched learning rate, log10
LOG_BEST = math.log10(3e-3)  # the optimum of the learning rate for every value
LUCK = 0.03  # objective penalty per squared decade away from the optimum
T = 10  # evaluations per curve
SHAPE = np.array([0.3, 0.1] + [0.0] * (T - 2))
LATE = max(3, T // 2)  # evaluations in the late half (as ``noise.late_half``)


@dataclass(frozen=True)
class Design:
    values: int = 2  # scientific values; 0 is the baseline, 1 the candidate with the effect
    nuisance: bool = True
    trials: tuple[int, ...] = ()  # search trials per value (default 8, 1 without nuisance)
    reruns: int = 0
    retrains: int = 10  # retrains drawn per retrained value (analyses use the first n)
    eval_sd: tuple[float, ...] = ()  # per value (default EVAL_SD)
    luck: float = LUCK
    retrain_all: bool = False  # retrain every value (else the baseline and the best other)

    def per_value(self) -> tuple[int, ...]:
        return self.trials or (((8,) if self.nuisance else (1,)) * self.values)

    def noise(self) -> tuple[float, ...]:
        return self.eval_sd or ((EVAL_SD,) * self.values)


@dataclass(frozen=True)
class Scores:
    """One score of every trial: ``bot`` best over training, ``late`` the late-half mean."""

    bot: np.ndarray
    late: np.ndarray
    noise: np.ndarray  # evaluation-noise estimate of the late half (second differences)


def score(curves: np.ndarray) -> Scores:
    y = curves[..., -LATE:]
    d2 = y[..., 2:] - 2 * y[..., 1:-1] + y[..., :-2]
    noise = np.sqrt((d2**2).mean(-1) / 6)
    return Scores(curves.min(-1), y.mean(-1), noise)


def curves_of(plateau: np.ndarray, eval_sd: float, rng: np.random.Generator) -> np.ndarray:
    noise = eval_sd * rng.standard_normal((*plateau.shape, T - 2))
    tail = np.concatenate([np.zeros((*plateau.shape, 2)), noise], axis=-1)
    return plateau[..., None] + SHAPE + tail


@dataclass(frozen=True)
class Batch:
    """B simulated studies of one design."""

    design: Design
    search: list[Scores]  # per value: (B, seeds, trials) scores of every search trial
    retrain: list[Scores | None]  # per value: (B, retrains) scores (None: not retrained)
    candidate: np.ndarray  # (B,) the value compared with the baseline (best other in seed 0)
    curves: list[np.ndarray]  # per value: (B, seeds, trials, T) search curves (for records)
    retrain_curves: list[np.ndarray | None]
    lr: list[np.ndarray]  # per value: (B, seeds, trials) log10 learning rates
    source: np.ndarray  # (B, values) index of the retrained search trial in seed 0


def simulate(design: Design, effect: float, n: int, rng: np.random.Generator) -> Batch:
    """``n`` studies with the candidate (value 1) better by ``effect`` sd."""
    seeds = design.reruns + 1
    search, curves, lrs, values, picks = [], [], [], [], []
    for a, (m, esd) in enumerate(zip(design.per_value(), design.noise(), strict=True)):
        shift = -effect * SD if a == 1 else 0.0
        if design.nuisance:
            x = rng.uniform(*LOG_LR, size=(n, seeds, m))
        else:
            x = np.full((n, seeds, m), LOG_BEST)
        v = LEVEL + shift + design.luck * (x - LOG_BEST) ** 2
        c = curves_of(v + SD * rng.standard_normal(v.shape), esd, rng)
        s = score(c)
        search.append(s)
        curves.append(c)
        lrs.append(x)
        pick = s.bot[:, 0].argmin(-1)  # the search picks by the objective (best over training)
        picks.append(pick)
        values.append(np.take_along_axis(v[:, 0], pick[:, None], 1)[:, 0])
    best0 = np.stack([s.bot[:, 0].min(-1) for s in search], axis=1)  # (B, values)
    cand = 1 + best0[:, 1:].argmin(1)
    retrain: list[Scores | None] = []
    retrain_curves: list[np.ndarray | None] = []
    for a, esd in enumerate(design.noise()):
        chosen = design.retrain_all or a == 0 or design.values == 2 or np.any(cand == a)
        if not chosen:
            retrain.append(None)
            retrain_curves.append(None)
            continue
        p = values[a][:, None] + SD * rng.standard_normal((n, design.retrains))
        c = curves_of(p, esd, rng)
        retrain.append(score(c))
        retrain_curves.append(c)
    return Batch(design, search, retrain, cand, curves, retrain_curves, lrs, np.stack(picks, 1))

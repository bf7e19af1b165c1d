"""The launch effect with both sources of variance, vectorised over a leading batch axis.

Inputs are *scores* (lower is better) on the decision's one estimand: ``c`` and ``b`` hold each
arm's retrains (``(B, n)``, NaN where a retrain is missing), ``c_runs`` and ``b_runs`` each arm's
best score in every rerun (``(B, R)``, one per other sampler seed). The effect is positive when
the candidate is better. Three models, chosen by the study's design (``launch`` says which):

- ``retrains``: no nuisance hyperparameters, so no tuning luck: Welch's comparison of the two
  retrain groups (trial variance only), Welch–Satterthwaite degrees of freedom.
- ``seeds``: nuisance hyperparameters tuned in every sampler seed: one difference per seed, this
  search's from its retrains (seed noise averaged) and each rerun's from the arms' best scores.
  Nuisance-tuning luck moves every seed's difference; the effect is their mean and its standard
  error their spread over sqrt(S) (never below this search's retrain standard error over S), with
  S - 1 degrees of freedom: the paired t over seeds to which
  the REML answer of a random-intercept model reduces in a balanced design. (Weighting the seeds
  by a modelled within-seed variance, with a DerSimonian–Laird luck variance, was measured
  liberal by ``bench/decision_calibration.py``: a rerun's best value is a selected minimum, not
  one seed draw, so its modelled variance is wrong; equal weights hold the level with the same
  power.)
- ``retrains+spread``: nuisance hyperparameters but arms whose evaluation noise differs (the
  late-half score): a rerun's best score is then picked partly by evaluation noise, more so for
  the noisier arm, so reruns do not measure the effect; they measure the luck. The effect is the
  retrains' difference, and its variance adds the spread of the reruns' differences to the
  retrains' (an upper bound on the luck of the retrained pair), with Satterthwaite's degrees of
  freedom for the sum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.analysis.distributions import t_isf, t_sf

MODELS = ("retrains", "seeds", "retrains+spread")


@dataclass(frozen=True)
class Estimate:
    effect: np.ndarray  # positive = candidate better
    se: np.ndarray
    df: np.ndarray
    retrain_effect: np.ndarray  # this search's difference (its retrains)
    retrain_var: np.ndarray  # its variance from the retrains' spread (trial variance)
    seed_var: np.ndarray  # the part of se**2 that the spread across sampler seeds brings


def _nan_stats(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = np.sum(np.isfinite(x), axis=-1).astype(float)
    mean = np.nanmean(x, axis=-1)
    var = np.nansum((x - mean[..., None]) ** 2, axis=-1) / np.maximum(n - 1, 1)
    return n, mean, var


def welch(c: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Difference of retrain means (positive = candidate better), its variance and Welch df."""
    nc, mc, vc = _nan_stats(c)
    nb, mb, vb = _nan_stats(b)
    a, bb = vc / nc, vb / nb
    v = a + bb
    with np.errstate(divide="ignore", invalid="ignore"):
        df = v**2 / (a**2 / (nc - 1) + bb**2 / (nb - 1))
    df = np.where(np.isfinite(df) & (df > 0), df, nc + nb - 2)
    return mb - mc, v, df


def estimate(
    c: np.ndarray,
    b: np.ndarray,
    c_runs: np.ndarray,
    b_runs: np.ndarray,
    model: str,
) -> Estimate:
    """The effect, its standard error and degrees of freedom under ``model`` (see the module)."""
    if model not in MODELS:
        raise ValueError(f"unknown effect model {model!r}; known: {', '.join(MODELS)}")
    d0, v0, df0 = welch(c, b)
    zero = np.zeros_like(d0)
    if model == "retrains" or c_runs.shape[-1] == 0:
        return Estimate(d0, np.sqrt(v0), df0, d0, v0, zero)
    runs = b_runs - c_runs  # (B, R): positive = candidate better
    r = runs.shape[-1]
    if model == "seeds":
        d = np.concatenate([d0[..., None], runs], axis=-1)
        s = d.shape[-1]
        # never below what this search's difference alone brings (its retrains' variance / S**2):
        # seeds that happen to agree exactly do not make the effect exact
        var = np.maximum(d.var(axis=-1, ddof=1) / s, v0 / s**2)
        return Estimate(d.mean(axis=-1), np.sqrt(var), np.full_like(d0, s - 1.0), d0, v0, var)
    # retrains+spread
    spread = runs.var(axis=-1, ddof=1) if r >= 2 else np.full_like(d0, np.inf)
    var = v0 + spread
    with np.errstate(divide="ignore", invalid="ignore"):
        df = var**2 / (v0**2 / df0 + spread**2 / max(r - 1, 1))
    df = np.where(np.isfinite(df) & (df > 0), df, max(r - 1, 1))
    return Estimate(d0, np.sqrt(var), df, d0, v0, spread)


def bounds(
    effect: np.ndarray, se: np.ndarray, df: np.ndarray, level: float
) -> tuple[np.ndarray, np.ndarray]:
    """The pair of one-sided ``level`` bounds (an interval of coverage 1 - 2 level)."""

    if level <= 0:
        return np.full_like(effect, -np.inf), np.full_like(effect, np.inf)
    half = t_isf(level, df) * se
    return effect - half, effect + half


def adopt_p(effect: np.ndarray, se: np.ndarray, df: np.ndarray, min_effect: float) -> np.ndarray:
    """One-sided p-value of 'the effect exceeds ``min_effect``' (small = adopt)."""

    with np.errstate(divide="ignore", invalid="ignore"):
        z = (effect - min_effect) / se
    return np.where(se > 0, t_sf(z, df), np.where(effect > min_effect, 0.0, 1.0))

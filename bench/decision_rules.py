"""The two launch rules of ``decision_calibration.py``, vectorised over simulated studies.

- ``new_rule``: the rule ``reportgen.analysis.launch_decision`` applies (same effect models,
  spending plan and Holm step-down; ``decision_calibration.py --check`` runs simulated studies
  through ``analyze_study`` and compares the verdicts one by one);
- ``old_rule``: the rule before issue 33 (a five-look Pocock plan at 1.41 % per look, the
  late-half score switched on for the retrains only, reruns' best-over-training differences
  averaged with the retrains' with a t interval from their spread, never narrower than the
  retrains' own standard error; adopt withheld without reruns when nuisance hyperparameters
  exist, reject not).

Each returns ``(adopt, reject, more)``: booleans per study and the retrains per arm its "Next:"
asks for (0 when it asks for none).
"""

from __future__ import annotations

import math

import numpy as np
from decision_sims import Batch
from scipy import stats

from reportgen.analysis import effect_model as em
from reportgen.analysis.sequential import look_reached, plan_levels
from reportgen.schema import Policy

OLD_LOOKS = (3, 5, 10, 20, 40)
OLD_LEVEL = 0.01410559231721558  # Pocock's level of the five looks at 5 %


def _retrains(batch: Batch, value: np.ndarray, n: int, late: np.ndarray) -> np.ndarray:
    """(B, n) first n retrains of ``value`` (per study) on each study's score."""
    bot = np.stack([r.bot if r is not None else _nan(batch) for r in batch.retrain], 1)
    lat = np.stack([r.late if r is not None else _nan(batch) for r in batch.retrain], 1)
    pick = lambda a: np.take_along_axis(a, value[:, None, None], 1)[:, 0, :n]  # noqa: E731
    return np.where(late[:, None], pick(lat), pick(bot))


def _nan(batch: Batch) -> np.ndarray:
    b = batch.search[0].bot.shape[0]
    return np.full((b, batch.design.retrains), np.nan)


def _run_bests(batch: Batch, value: np.ndarray, late: np.ndarray) -> np.ndarray:
    """(B, R) each rerun's best score of ``value`` (min over its trials)."""
    bot = np.stack([s.bot.min(-1) for s in batch.search], 1)[:, :, 1:]
    lat = np.stack([s.late.min(-1) for s in batch.search], 1)[:, :, 1:]
    pick = lambda a: np.take_along_axis(a, value[:, None, None], 1)[:, 0]  # noqa: E731
    return np.where(late[:, None], pick(lat), pick(bot))


def _noise(batch: Batch, n: int) -> np.ndarray:
    """(B, values) RMS evaluation noise of each value's first n retrains (NaN: not retrained)."""
    b = batch.candidate.shape[0]
    return np.stack(
        [
            np.sqrt((r.noise[:, :n] ** 2).mean(1)) if r is not None else np.full(b, np.nan)
            for r in batch.retrain
        ],
        1,
    )


def new_rule(
    batch: Batch, n: int, policy: Policy, min_effect: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = batch.design
    b_count = batch.candidate.shape[0]
    none = np.zeros(b_count, dtype=bool)
    looks = policy.looks()
    k = look_reached(n, looks)
    if k is None:
        return none, none, np.full(b_count, looks[0] - n)
    levels = plan_levels(looks, policy.false_adopt_rate, policy.spending)
    nl, level = looks[k], levels[k]
    # the estimand: from the look's retrains of every group the study retrained
    groups = [a for a, r in enumerate(batch.retrain) if r is not None]
    family = groups[1:] if d.retrain_all else None
    cands = [np.full(b_count, a) for a in family] if family else [batch.candidate]
    every = _noise(batch, nl)
    noise = np.concatenate(
        [every[:, :1], *[np.take_along_axis(every, c[:, None], 1) for c in cands]], 1
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = noise.max(1) / noise.min(1)
    late = ratio > policy.eval_noise_ratio
    reruns = policy.nuisance_reruns
    if d.nuisance and d.reruns < reruns:
        return none, none, np.zeros(b_count, dtype=int)  # waits for reruns
    base = np.zeros(b_count, dtype=int)
    b = _retrains(batch, base, nl, late)
    br = _run_bests(batch, base, late)[:, :reruns] if d.nuisance else np.zeros((b_count, 0))
    stats_ = []
    for c_value in cands:
        c = _retrains(batch, c_value, nl, late)
        if d.nuisance:
            cr = _run_bests(batch, c_value, late)[:, :reruns]
            seeds = em.estimate(c, b, cr, br, "seeds")
            spread = em.estimate(c, b, cr, br, "retrains+spread")
            eff = np.where(late, spread.effect, seeds.effect)
            se = np.where(late, spread.se, seeds.se)
            df = np.where(late, spread.df, seeds.df)
            dom = np.where(late, False, seeds.retrain_var < 0.5 * seeds.seed_var)
        else:
            est = em.estimate(c, b, np.zeros((b_count, 0)), np.zeros((b_count, 0)), "retrains")
            eff, se, df, dom = est.effect, est.se, est.df, np.zeros(b_count, dtype=bool)
        stats_.append((c_value, eff, se, df, dom))
    # Holm's step-down over the family
    m = len(stats_)
    p = np.stack([em.adopt_p(e, s, f, min_effect) for _, e, s, f, _ in stats_], 1)
    order = np.argsort(p, axis=1, kind="stable")
    steps = level / (m - np.arange(m))
    passed = np.take_along_axis(p, order, 1) <= steps
    failed_before = np.cumsum(~passed, axis=1) > 0
    first_fail = np.where(failed_before.any(1), failed_before.argmax(1), m)
    lvl_sorted = np.where(
        np.arange(m)[None, :] < first_fail[:, None],
        steps[None, :],
        steps[np.minimum(first_fail, m - 1)][:, None],
    )
    lvl = np.empty_like(lvl_sorted)
    np.put_along_axis(lvl, order, lvl_sorted, 1)
    trials = d.per_value()
    adopt_any = np.zeros(b_count, dtype=bool)
    reject_all = np.ones(b_count, dtype=bool)
    dominated = np.ones(b_count, dtype=bool)
    for j, (c_value, eff, se, df, dom) in enumerate(stats_):
        half = stats.t.isf(lvl[:, j], df) * se
        low, high = eff - half, eff + half
        n_c = np.asarray(trials)[c_value]
        adopt = (low > min_effect) & ~(n_c > policy.coverage_ratio * trials[0])
        reject = (high < min_effect) & ~(trials[0] > policy.coverage_ratio * n_c)
        adopt_any |= adopt
        reject_all &= reject
        dominated &= dom
    reject_all &= ~adopt_any
    more = np.where(
        adopt_any | reject_all | dominated | (k + 1 >= len(looks)),
        0,
        looks[min(k + 1, len(looks) - 1)] - nl,
    )
    return adopt_any, reject_all, more


def old_rule(batch: Batch, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = batch.design
    b_count = batch.candidate.shape[0]
    k = look_reached(n, OLD_LOOKS)
    none = np.zeros(b_count, dtype=bool)
    if k is None:
        return none, none, np.full(b_count, OLD_LOOKS[0] - n)
    nl = OLD_LOOKS[k]
    cand = batch.candidate
    noise = _noise(batch, nl)
    nc = np.take_along_axis(noise, cand[:, None], 1)[:, 0]
    nb = noise[:, 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.maximum(nc, nb) / np.minimum(nc, nb)
    late = ratio > 1.5
    c = _retrains(batch, cand, nl, late)
    b = _retrains(batch, np.zeros(b_count, dtype=int), nl, late)
    est = em.estimate(c, b, np.zeros((b_count, 0)), np.zeros((b_count, 0)), "retrains")
    eff, se, df = est.effect, est.se, est.df
    if d.reruns:
        false = np.zeros(b_count, dtype=bool)
        runs = _run_bests(batch, np.zeros(b_count, dtype=int), false) - _run_bests(
            batch, cand, false
        )
        vals = np.concatenate([eff[:, None], runs], 1)
        s = vals.shape[1]
        se = np.maximum(vals.std(1, ddof=1) / math.sqrt(s), se)
        eff = vals.mean(1)
        df = np.full(b_count, s - 1.0)
    half = stats.t.isf(OLD_LEVEL, df) * se
    low, high = eff - half, eff + half
    trials = d.per_value()
    n_c = np.asarray(trials)[cand]
    adopt = (low > 0) & ~(n_c > 1.5 * trials[0])
    if d.nuisance and not d.reruns:
        adopt &= False
    reject = high < 0
    z = stats.norm.isf(OLD_LEVEL) + stats.norm.ppf(0.8)
    var_sum = c.var(1, ddof=1) + b.var(1, ddof=1)
    with np.errstate(divide="ignore"):
        want = np.where(eff != 0, z**2 * var_sum / eff**2, np.inf)
    later = np.array(OLD_LOOKS[k + 1 :])
    if later.size:
        target = np.array([later[later >= w][0] if (later >= w).any() else later[-1] for w in want])
        more = np.where(adopt | reject | ((low > 0) & ~adopt), 0, target - nl)
    else:
        more = np.zeros(b_count, dtype=int)
    return adopt, reject, more

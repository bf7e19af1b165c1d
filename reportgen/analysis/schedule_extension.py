"""Round 2: how to extend the best round-1 schedule to the next round's step budget.

The learning rate of a trial is rebuilt from its recorded hyperparameters with the runners'
schedule rule (linear warmup to the peak, then constant, linear or cosine decay to zero at the
last step). The extension keeps the extra steps at a high rate: linear decay keeps its decay
length and lengthens the constant phase before it; cosine keeps its base rate and stretches to
the new budget. The share of steps at or above half the peak rate (tool default) tells an
extension that spends its extra steps at a tiny rate from one that does not.
"""

from __future__ import annotations

import numpy as np

from reportgen.analysis.hyperparameters import is_learning_rate
from reportgen.schema import TrialRecord
from reportgen.schema.playbook import ScheduleExtension

POINTS = 60  # samples per drawn schedule
HIGH = 0.5  # (tool default) "high" learning rate: at least half the peak


def schedule_curve(
    steps: np.ndarray, peak: float, warmup: float, kind: str, total: int, hold: int = 0
) -> np.ndarray:
    """The learning rate at 0-based ``steps``; ``hold`` constant steps inserted before the decay."""
    s = np.asarray(steps, dtype=float)
    warm = np.minimum(1.0, (s + 1.0) / max(warmup, 1.0)) if warmup > 0 else np.ones_like(s)
    start = warmup + hold
    span = max(total - start, 1.0)
    frac = np.clip((s - start) / span, 0.0, 1.0)
    if kind == "linear":
        decay = 1.0 - frac
    elif kind == "cosine":
        decay = 0.5 * (1.0 + np.cos(np.pi * frac))
    else:
        decay = np.ones_like(s)
    return peak * warm * decay


def _share_high(lr: np.ndarray, peak: float) -> float:
    return float(np.mean(lr >= HIGH * peak)) if lr.size else 0.0


def extend_schedule(best: TrialRecord, new_total: int) -> ScheduleExtension | None:
    hps = best.hyperparameters
    lr_name = next((k for k in hps if is_learning_rate(k)), None)
    peak = hps.get(lr_name) if lr_name else None
    if not isinstance(peak, int | float) or isinstance(peak, bool):
        return None
    kind = str(hps.get("schedule", "constant"))
    warmup = hps.get("warmup_steps", 0)
    warmup = float(warmup) if isinstance(warmup, int | float) else 0.0
    old_total = best.max_train_steps
    old_steps = np.arange(old_total)
    new_steps = np.arange(new_total)
    old = schedule_curve(old_steps, float(peak), warmup, kind, old_total)
    naive = schedule_curve(new_steps, float(peak), warmup, kind, new_total)
    if kind == "linear":
        hold = new_total - old_total  # keep the decay length, lengthen the constant phase
        new = schedule_curve(new_steps, float(peak), warmup, kind, new_total, hold=hold)
        how = (f"keep the {old_total - int(warmup)}-step linear decay and hold the peak rate "
               f"{hold} steps longer before it")
    elif kind == "cosine":
        new = naive
        how = "keep the base rate and stretch the cosine to the new budget"
    else:
        new = naive
        how = "a constant rate extends as it is; consider adding a decay in this round"
    pick = np.unique(np.linspace(0, new_total - 1, POINTS).astype(int))
    pick_old = np.unique(np.linspace(0, old_total - 1, POINTS).astype(int))
    points = [("round 1", int(s) + 1, float(old[s])) for s in pick_old]
    points += [("next round", int(s) + 1, float(new[s])) for s in pick]
    if kind == "linear":
        points += [("stretched (pitfall)", int(s) + 1, float(naive[s])) for s in pick]
    return ScheduleExtension(
        trial_id=best.trial_id,
        family=kind,
        how=how,
        old_share_high=_share_high(old, float(peak)),
        new_share_high=_share_high(new, float(peak)),
        stretched_share_high=_share_high(naive, float(peak)),
        points=points,
    )

"""An initial ``max_train_steps`` from a constant-learning-rate sweep (playbook, item 42).

A study whose only varied hyperparameter is a learning rate is read as a learning-rate sweep.
When every trial trained with a constant schedule and without regularisation (dropout, weight
decay and label smoothing at 0, no warmup, no augmentation), each learning rate's first
evaluation where the training set is fit (training error at most ``policy.fit_train_error``,
tool default 0: no sampled training example misclassified since the previous evaluation) is
read from the ``train_error`` curve, and the fastest fit is the suggested starting budget for
the studies that follow.

The suggestion is refused, with the reason on the page, when the records carry no training
error, when no rate fits the training set within its steps, and when the fastest rate is the
smallest or the largest of the grid (a rate beyond it might fit sooner: the playbook's guard
against a grid of rates that are all too small). A sweep with a decaying schedule or with
regularisation is not the procedure's input: nothing is suggested, and the page says why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import is_learning_rate, leaf
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Policy, Severity, Status, StudySpec, TrialRecord
from reportgen.schema.playbook import FitRow, InitialSteps

TRAIN_ERROR = "train_error"
# settings that must be off for the sweep to measure how fast the bare training set is fit
REGULARISERS = ("dropout", "weight_decay", "label_smoothing", "warmup_steps")


def sweep_rate(spec: StudySpec) -> str | None:
    """The learning rate a learning-rate sweep varies: the study's only varied hyperparameter,
    when it is a learning rate; None for any other study."""
    varied = spec.varied
    if len(varied) == 1 and is_learning_rate(varied[0].name):
        return varied[0].name
    return None


def _number(v: object) -> float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return float(v)


def regularisation(trials: Sequence[TrialRecord]) -> str:
    """Why these trials are not a constant-rate, unregularised sweep ("" when they are)."""
    why: list[str] = []
    schedules = sorted({str(t.hyperparameters.get("schedule", "not recorded")) for t in trials})
    if schedules != ["constant"]:
        why.append(f"schedule {', '.join(schedules)} (the procedure needs a constant rate)")
    on: dict[str, set[str]] = {}
    for t in trials:
        for name, v in t.hyperparameters.items():
            part = leaf(name)
            if part in REGULARISERS or "augment" in part:
                x = _number(v)
                off = x == 0.0 if x is not None else v in (False, "none", "", None)
                if not off:
                    on.setdefault(name, set()).add(fmt(x) if x is not None else str(v))
    why += [f"{name} = {', '.join(sorted(vals))}" for name, vals in sorted(on.items())]
    return "; ".join(why)


def fit_step(trial: TrialRecord, threshold: float) -> int | None:
    """The first recorded step whose training error is at most ``threshold`` (None: never)."""
    col = trial.curves.extra.get(TRAIN_ERROR)
    if col is None:
        return None
    for s, e in zip(trial.curves.step, col, strict=True):
        if math.isfinite(e) and e <= threshold:
            return int(s)
    return None


def _row(t: TrialRecord, name: str, threshold: float) -> FitRow:
    col = t.curves.extra.get(TRAIN_ERROR)
    finite = [e for e in col if math.isfinite(e)] if col is not None else []
    return FitRow(
        trial_id=t.trial_id,
        learning_rate=float(t.hyperparameters[name]),  # type: ignore[arg-type]
        # a diverged run's fit before it blew up is not a usable budget
        fit_step=fit_step(t, threshold) if t.status is Status.COMPLETE else None,
        last_train_error=finite[-1] if finite else None,
        status=str(t.status),
    )


def initial_steps(spec: StudySpec, search: ScoredTrials, policy: Policy) -> InitialSteps | None:
    """The sweep's fit table and suggestion; None when the study is no learning-rate sweep."""
    name = sweep_rate(spec)
    if name is None:
        return None
    trials = [t for t in search.trials if _number(t.hyperparameters.get(name)) is not None]
    rows = sorted((_row(t, name, policy.fit_train_error) for t in trials),
                  key=lambda r: (r.learning_rate, r.trial_id))
    out = InitialSteps(learning_rate_name=name, fit_threshold=policy.fit_train_error,
                       eval_every=spec.eval_every, rows=rows)
    why, refusal = regularisation(trials), ""
    if not trials:
        why, refusal = "no search trial records the learning rate", "unrecorded"
    elif why:
        refusal = "schedule" if why.startswith("schedule") else "regularised"
        why = f"not a constant-rate, unregularised sweep: {why}"
    elif not any(TRAIN_ERROR in t.curves.extra for t in trials):
        refusal = "unrecorded"
        why = ("the records carry no training error (curves.extra.train_error): the fit cannot "
               "be read from the training loss alone, which keeps creeping down")
    if why:
        return out.model_copy(update={"reason": why, "refusal": refusal})
    fits = [r for r in rows if r.fit_step is not None]
    if not fits:
        return out.model_copy(update={"refusal": "no_fit", "reason": (
            f"no learning rate fit the training set (training error at most "
            f"{fmt(policy.fit_train_error)}) within {spec.max_train_steps} steps: run the sweep "
            "longer, or check that this model can fit its training set at all")})
    best = min(fits, key=lambda r: (r.fit_step, r.learning_rate))
    grid = sorted({r.learning_rate for r in rows})
    caveat = ""
    if len(grid) < 3:
        caveat = (f"only {len(grid)} learning rate(s) in the sweep: whether the fastest sits "
                  "inside the grid cannot be told")
    elif best.learning_rate == grid[-1]:
        caveat = (f"the fastest rate, {fmt(best.learning_rate)}, is the largest tried: a larger "
                  "one may fit sooner; extend the grid upward before trusting the budget")
    elif best.learning_rate == grid[0]:
        caveat = (f"the fastest rate, {fmt(best.learning_rate)}, is the smallest tried: the grid "
                  "does not bracket the fastest rate; extend it downward")
    update = {"fastest_trial": best.trial_id, "reason": caveat,
              "refusal": "boundary" if caveat else ""}
    if not caveat:
        update["suggested_steps"] = best.fit_step
    return out.model_copy(update=update)


def check_initial_steps(spec: StudySpec, result: InitialSteps | None) -> list[Finding]:
    """The suggestion as a finding, or why a constant-rate sweep suggests nothing. A sweep with a
    decaying schedule says so only on the page (it is an ordinary sweep, not this procedure)."""
    if result is None:
        return []
    if result.suggested_steps is not None:
        row = next(r for r in result.rows if r.trial_id == result.fastest_trial)
        return [finding(
            "steps.initial_max_train_steps",
            Severity.INFO,
            f"The fastest learning rate, {result.learning_rate_name} = {fmt(row.learning_rate)} "
            f"({row.trial_id}), fit the training set at step {row.fit_step} (training error at "
            f"most {fmt(result.fit_threshold)}, read every {result.eval_every} steps); the "
            f"other rates were slower or never fit. Start the studies that follow with "
            f"`max_train_steps: {row.fit_step}` in their study.yaml. Raise it when augmentation "
            "or dropout is added, lower it once the optimiser and schedule are tuned.",
            subject=result.learning_rate_name,
            suggested_steps=row.fit_step,
            learning_rate=row.learning_rate,
        )]
    if result.refusal == "schedule":
        return []
    return [finding(
        "steps.lr_sweep_no_budget",
        # the sweep was the procedure's input and still gave no budget: a warning
        Severity.WARNING if result.refusal in ("no_fit", "boundary") else Severity.INFO,
        f"No initial max_train_steps from this learning-rate sweep: {result.reason}.",
        subject=result.learning_rate_name,
    )]

"""Rows of two page parts read from dedicated runs: the initial step budget of a
learning-rate sweep (How long to train) and the early-instability probes (Training stability)."""

from __future__ import annotations

from reportgen.pages.context import KeyValue
from reportgen.pages.format import fmt
from reportgen.schema.playbook import EarlyProbe, InitialSteps


def initial_steps_summary(x: InitialSteps | None) -> str:
    """One sentence: the suggested budget and how to set it, or why there is none."""
    if x is None:
        return ""
    if x.suggested_steps is not None:
        return (
            f"Suggested initial max_train_steps: {x.suggested_steps} (the first evaluation at "
            f"which the fastest learning rate, {x.fastest_trial}, fit the training set; read "
            f"every {x.eval_every} steps). Set max_train_steps: {x.suggested_steps} in the "
            "study.yaml of the studies that follow."
        )
    return f"No initial max_train_steps suggested: {x.reason}."


def initial_steps_rows(x: InitialSteps | None) -> tuple[KeyValue, ...]:
    """Per learning rate: where it fit the training set (or its last training error)."""
    if x is None:
        return ()
    out = []
    for r in x.rows:
        if r.fit_step is not None:
            fit = f"step {r.fit_step}"
        elif r.status != "complete":
            fit = f"never ({r.status})"
        elif r.last_train_error is None:
            fit = "not recorded"
        else:
            fit = f"not within the run (last training error {fmt(r.last_train_error)})"
        note = "fastest" if r.trial_id == x.fastest_trial else ""
        out.append(KeyValue(f"{fmt(r.learning_rate)} ({r.trial_id})", fit, note))
    return tuple(out)


def early_probe_rows(probes: list[EarlyProbe]) -> tuple[KeyValue, ...]:
    """Per probe: what it repeated and what it showed."""
    return tuple(
        KeyValue(
            p.trial_id,
            f"first {p.steps} steps of {p.source_trial} at learning rate {fmt(p.learning_rate)}",
            p.outcome
            + "".join(f"; steps {e.start_step}–{e.end_step}, {e.peak_ratio:.2f}× running minimum"
                      for e in p.episodes),
        )
        for p in probes
    )

"""What an early-instability probe showed (``reportgen run STUDY --probe early``).

A probe trial (kind ``probe``) repeats the first steps of a search trial (its group) at twice
its learning rate with an evaluation every step. Its training loss is read with the spike rule
of `loss_spikes` (the same threshold and smoothing): no episode is "stable"; episodes that end
before the probe's last step are "spiked and recovered" (the early blow-up and recovery that a
coarse evaluation cadence hides); an episode still open at the last step is "spiked, not
recovered"; a probe whose loss turned non-finite or exploded is "diverged".
"""

from __future__ import annotations

from collections.abc import Sequence

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.hyperparameters import is_learning_rate
from reportgen.analysis.loss_spikes import spike_episodes
from reportgen.schema import Finding, Policy, Severity, Status, StudySpec, TrialRecord
from reportgen.schema.playbook import EarlyProbe


def _rate(t: TrialRecord) -> float | None:
    for name, v in sorted(t.hyperparameters.items()):
        if is_learning_rate(name) and isinstance(v, int | float) and not isinstance(v, bool):
            return float(v)
    return None


def read_probe(t: TrialRecord, policy: Policy) -> EarlyProbe:
    """The outcome of one probe trial."""
    episodes = spike_episodes(t, policy)
    last = int(t.curves.step[-1]) if len(t.curves) else 0
    if t.status is not Status.COMPLETE:
        outcome = "diverged"
    elif not episodes:
        outcome = "stable"
    elif episodes[-1].end_step < last:
        outcome = "spiked and recovered"
    else:
        outcome = "spiked, not recovered"
    return EarlyProbe(
        trial_id=t.trial_id,
        source_trial=t.group,
        learning_rate=_rate(t),
        steps=t.max_train_steps,
        outcome=outcome,
        episodes=episodes,
        diverged_step=last if outcome == "diverged" else None,
    )


def read_probes(probes: Sequence[TrialRecord], policy: Policy) -> list[EarlyProbe]:
    return [read_probe(t, policy) for t in sorted(probes, key=lambda t: t.trial_id)]


def _what(p: EarlyProbe, eval_every: int) -> tuple[Severity, str]:
    hidden = (f"; with evaluations every {eval_every} steps the study's own curves cannot show it"
              if eval_every > 1 else "")
    if p.outcome == "stable":
        return Severity.INFO, (
            "no loss spike (the training loss never rose above its running minimum by the spike "
            "threshold), so no early blow-up is hiding between the study's evaluations at this "
            "rate")
    if p.outcome == "diverged":
        return Severity.WARNING, (
            f"the loss blew up and did not recover (diverged by step {p.diverged_step}){hidden}; "
            "warmup is the first fix to try")
    worst = max(p.episodes, key=lambda e: e.peak_ratio)
    if p.outcome == "spiked and recovered":
        return Severity.WARNING, (
            f"the loss rose {worst.peak_ratio:.2f}× above its running minimum between steps "
            f"{worst.start_step} and {worst.end_step} and then recovered: an early blow-up and "
            f"recovery{hidden}; warmup is the first fix to try")
    return Severity.WARNING, (
        f"the loss rose {worst.peak_ratio:.2f}× above its running minimum from step "
        f"{worst.start_step} and had not recovered by step {p.steps}{hidden}")


def check_early_probes(spec: StudySpec, probes: Sequence[EarlyProbe]) -> list[Finding]:
    """One finding per probe run on this revision, saying what it showed."""
    out = []
    for p in probes:
        severity, what = _what(p, spec.eval_every)
        rate = f"learning rate {fmt(p.learning_rate)}" if p.learning_rate is not None else (
            "twice the source's learning rate")
        out.append(finding(
            "instability.early_probe",
            severity,
            f"Early-instability probe {p.trial_id} (the first {p.steps} steps of {p.source_trial} "
            f"at {rate}, evaluated every step): {what}.",
            subject=p.trial_id,
            outcome=p.outcome,
            probe_steps=p.steps,
            episodes=len(p.episodes),
        ))
    return out

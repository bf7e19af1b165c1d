"""The early-instability probe: the first steps of the study's best trial again, at twice its
learning rate, evaluated every step (playbook: some runs blow up in their first few hundred
steps and recover, which an evaluation every few hundred steps never shows).

The probe is recorded as its own trial, kind ``probe``, id ``<best trial id>-probe``, group the
best trial's id, with the best trial's seeds (only the learning rate differs) and
``max_train_steps`` the probe's length (`early_probe_steps` of the study's budget). Its
learning-rate schedule spans the study's whole budget, so a decaying schedule is at the same
point of its decay as in the study. The analysis keeps probe trials out of the search.
"""

from __future__ import annotations

from reportgen.errors import ReportgenError
from reportgen.schema import TrialKind, TrialRecord
from reportgen.schema.playbook import EARLY_PROBE_LR_FACTOR, early_probe_steps
from runners.search import SampledPoint
from runners.study_runner import StudyRunner, TrialJob
from runners.trial_config import resolve


def probe_trial_id(source_trial_id: str) -> str:
    return f"{source_trial_id}-probe"


def probe_job(runner: StudyRunner, source: TrialRecord) -> TrialJob:
    """The probe of ``source``: its values with the learning rate doubled, and its seeds."""
    spec = runner.spec
    names = {hp.name for hp in spec.search_space}
    values = {k: v for k, v in source.hyperparameters.items() if k in names}
    cfg = resolve(spec, runner.workload, values)
    lr_name = f"{cfg.optimizer}.learning_rate"
    if lr_name not in names:
        raise ReportgenError(
            f"--probe early: the search space of {spec.study_id!r} does not name {lr_name!r}, "
            "the learning rate the probe doubles; add it (fixed or varied) to search_space"
        )
    lr = cfg.recorded.get(lr_name)
    if not isinstance(lr, int | float) or isinstance(lr, bool):
        raise ReportgenError(f"--probe early: {source.trial_id} records no number for {lr_name!r}")
    values[lr_name] = float(lr) * EARLY_PROBE_LR_FACTOR
    point = SampledPoint(source.index, values, list(source.unit_coords or []))
    return TrialJob(
        probe_trial_id(source.trial_id), TrialKind.PROBE, source.trial_id, point, source.seeds
    )


def run_early_probe(runner: StudyRunner, resume: bool = False) -> list[TrialRecord]:
    """Train the early probe of the study's best search trial and write its record."""
    spec = runner.spec
    if runner.executor != "local":
        # a Ray worker rebuilds its runner from the spec alone, which would squeeze the
        # study's schedule into the probe's steps
        raise ReportgenError(
            "--probe early trains one short trial on this machine: drop --executor ray"
        )
    source = runner.best_trial()
    steps = early_probe_steps(spec.max_train_steps)
    job = probe_job(runner, source)
    # the probe's own budget and cadence; the schedule still spans the study's budget
    runner.schedule_steps = spec.max_train_steps
    runner.spec = spec.model_copy(update={"max_train_steps": steps, "eval_every": 1})
    runner._trainers.clear()
    try:
        return runner.execute(runner._pending([job], resume))
    finally:
        runner.spec, runner.schedule_steps = spec, None
        runner._trainers.clear()

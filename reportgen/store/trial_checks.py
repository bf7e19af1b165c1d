"""Cross-checks of one valid trial against its folder and its study's spec: what pydantic cannot
see from the record alone (pure: no I/O)."""

from __future__ import annotations

from reportgen.errors import Problem
from reportgen.schema import Role, StudySpec, TrialKind, TrialRecord
from reportgen.store.consistency import trial_consistency


def trial_problems(trial: TrialRecord, spec: StudySpec, study_id: str, shown: str) -> list[Problem]:
    """Cross-checks of one trial against its folder and its study's spec (pure)."""
    out: list[Problem] = []
    if trial.study_id != study_id:
        out.append(
            Problem(
                shown,
                None,
                "study_id",
                f"{trial.study_id!r} does not match its folder {study_id!r}",
            )
        )
    if trial.study_revision > spec.revision:
        out.append(
            Problem(
                shown,
                None,
                "study_revision",
                f"{trial.study_revision} is above the spec's revision {spec.revision}",
            )
        )
    by_name = {hp.name: hp for hp in spec.search_space}
    hps = trial.hyperparameters
    for name, value in hps.items():
        hp = by_name.get(name)
        if hp is None:
            continue  # defaults of the optimizer and workload are recorded too
        if hp.condition is not None and hps.get(hp.condition.parent) not in hp.condition.values:
            out.append(
                Problem(
                    shown,
                    None,
                    f"hyperparameters.{name}",
                    f"set although {hp.condition.parent} is not one of {hp.condition.values}",
                )
            )
        # an early-instability probe trains at twice a searched learning rate, on purpose
        probe_rate = trial.kind is TrialKind.PROBE and name.rsplit(".", 1)[-1] == "learning_rate"
        if not hp.contains(value) and not probe_rate:
            where = (
                f"[{hp.low}, {hp.high}]"
                if hp.low is not None
                else f"{hp.values if hp.values is not None else [hp.value]}"
            )
            out.append(
                Problem(
                    shown,
                    None,
                    f"hyperparameters.{name}",
                    f"{value!r} is outside its range {where}",
                )
            )
    for hp in spec.search_space:
        if hp.name in hps:
            continue
        active = hp.condition is None or hps.get(hp.condition.parent) in hp.condition.values
        if active and (hp.role is not Role.FIXED or hp.condition is None):
            out.append(Problem(shown, None, f"hyperparameters.{hp.name}", "missing"))
    return out + trial_consistency(trial, spec, shown)

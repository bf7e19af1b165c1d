"""What a revision that re-decides an earlier revision's records must share with it.

A spec with ``records_from: N`` runs nothing of its own design: its analysis reads the trials
recorded under revision N. That is only the same experiment when everything that decided which
runs exist and what each run is scored on is unchanged; the fields below are that list, and the
only one (the store compares them, the docs name them). Every other field (title, goal, notes,
changelog, policy, override, baseline and candidate, trade-offs, the playbook's descriptive
fields) may change between the two revisions: they shape the decision and the page, not the
records.
"""

from __future__ import annotations

from pydantic import BaseModel

EXPERIMENT_FIELDS: tuple[str, ...] = (
    "workload",
    "objective",
    "search_space",
    "search",
    "trial_budget",
    "max_train_steps",
    "eval_every",
)


def experiment_differences(later: BaseModel, earlier: BaseModel) -> list[str]:
    """The experiment fields whose dumped values differ between two study specs, in list order."""
    a = later.model_dump(mode="json", include=set(EXPERIMENT_FIELDS))
    b = earlier.model_dump(mode="json", include=set(EXPERIMENT_FIELDS))
    return [name for name in EXPERIMENT_FIELDS if a.get(name) != b.get(name)]

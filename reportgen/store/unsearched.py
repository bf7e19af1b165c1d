"""Trials of one study revision that disagree on a hyperparameter the spec does not search.

Every trial records its full configuration, defaults included. When two trials of the same
revision recorded different values for a name that is not in the search space, something other
than the study changed it (a workload default edited between runs, an external loop passing a
different value): the comparison of those trials is no longer the one the spec describes.
"""

from __future__ import annotations

import os
from collections import Counter

from reportgen.errors import Problem
from reportgen.schema import Scalar
from reportgen.store.load import StudyRecords


def _key(v: Scalar) -> tuple[str, object]:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return (type(v).__name__, v)
    return ("number", float(v))


def unsearched_disagreements(study: StudyRecords) -> list[Problem]:
    """One problem per trial whose value of an unsearched hyperparameter differs from the
    value most trials of its revision recorded (the trials the revision analyses: a
    ``records_from`` revision's reruns are compared with the records it reads; a trial is
    named once, by the lowest revision that finds it)."""
    out: list[Problem] = []
    named: set[tuple[str, str]] = set()
    revisions = sorted({t.study_revision for t in study.trials})
    for revision in revisions:
        searched = {hp.name for hp in study.spec_at(revision).search_space}
        trials = study.trials_at(revision)
        names = sorted({k for t in trials for k in t.hyperparameters} - searched)
        for name in names:
            having = [t for t in trials if name in t.hyperparameters]
            counts = Counter(_key(t.hyperparameters[name]) for t in having)
            if len(counts) < 2:
                continue
            first = {}
            for t in having:
                first.setdefault(_key(t.hyperparameters[name]), t.hyperparameters[name])
            common_key, n_common = max(counts.items(), key=lambda kv: kv[1])
            common = first[common_key]
            for t in having:
                if _key(t.hyperparameters[name]) == common_key or (t.trial_id, name) in named:
                    continue
                named.add((t.trial_id, name))
                path = study.folder / "trials" / f"{t.trial_id}.json"
                rel = os.path.relpath(path)
                out.append(
                    Problem(
                        str(path) if rel.startswith("..") else rel,
                        None,
                        f"hyperparameters.{name}",
                        f"{t.hyperparameters[name]!r}, but {n_common} other trial(s) of revision "
                        f"{revision} recorded {common!r}; the spec does not search {name!r}, so "
                        "a default changed between trials (search it, or fix it in the spec)",
                    )
                )
    return out

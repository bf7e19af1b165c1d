"""Short guidance notes, in this project's own words, for each section of a study page.

Each note names the playbook section it paraphrases; pages link to it. The per-finding notes
live in the analysis' guidance registry; these cover the page's sections and checklist.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

PLAYBOOK = "https://github.com/google-research/tuning_playbook"


_ANCHOR = re.compile(r"^[a-z0-9_-]{1,200}$")


def playbook_url(anchor: str) -> Markup:
    """Deep link to a section of the playbook's README (lowercase GitHub anchor).

    Anything that is not a plain anchor links to the playbook's start instead, so the link
    is safe to place in a page as it is.
    """
    return Markup(f"{PLAYBOOK}#{anchor}" if _ANCHOR.match(anchor or "") else PLAYBOOK)


@dataclass(frozen=True)
class SectionNote:
    """What a section of the page is for, and where the playbook discusses it."""

    title: str
    note: str
    anchor: str

    @property
    def url(self) -> Markup:
        return playbook_url(self.anchor)


DESIGN = SectionNote(
    "Scientific, nuisance and fixed",
    "Scientific hyperparameters are what the study is about; nuisance ones are tuned away so the "
    "comparison is fair; fixed ones are held constant, so every conclusion is conditional on "
    "their values.",
    "identifying-scientific-nuisance-and-fixed-hyperparameters",
)
AXIS = SectionNote(
    "Reading an axis plot",
    "If the best trials crowd against a bound of the range, the range is probably too narrow "
    "on that side: widen it and run again before drawing conclusions. Crosses mark trials that "
    "failed or diverged.",
    "identifying-bad-search-space-boundaries",
)
CURVES = SectionNote(
    "Reading training curves",
    "Look for validation loss turning upward (overfitting), large step-to-step noise late in "
    "training, and curves still falling at the last step (the run may be too short) or flat "
    "long before it (the run may be too long).",
    "examining-the-training-curves",
)
ISOLATION = SectionNote(
    "Reading an isolation plot",
    "Each point is the best trial found at one value of the scientific hyperparameter after "
    "the nuisance hyperparameters were tuned. Compare these best points, not single runs.",
    "detecting-whether-a-change-is-useful-with-isolation-plots",
)
VARIANCE = SectionNote(
    "Trial variance and study variance",
    "Retraining one configuration with new seeds shows how much a single result moves by "
    "chance; repeating the whole search shows how much the best of a study moves. A difference "
    "smaller than this noise is not evidence.",
    "determining-whether-to-adopt-a-training-pipeline-change-or-hyperparameter-configuration",
)
DECISION = SectionNote(
    "Deciding whether to adopt",
    "Adopt a change only when its improvement is larger than the variance between runs and "
    "pays for the complexity it adds; otherwise keep the baseline or gather more retrains.",
    "determining-whether-to-adopt-a-training-pipeline-change-or-hyperparameter-configuration",
)


@dataclass(frozen=True)
class CheckTopic:
    """One question of the "before you conclude" checklist, matched to findings by anchor."""

    title: str
    question: str
    anchors: tuple[str, ...]


CHECKLIST = (
    CheckTopic(
        "Search-space boundaries",
        "Do the best trials sit away from the edges of every varied range?",
        ("identifying-bad-search-space-boundaries",),
    ),
    CheckTopic(
        "Sampling density",
        "Were enough trials sampled near the best one to trust where it lies?",
        (
            "not-sampling-enough-points-in-the-search-space",
            "how-many-trials-are-needed-to-get-good-results-with-quasi-random-search",
        ),
    ),
    CheckTopic(
        "Infeasible trials",
        "Are failed or diverged trials few, and is their cause understood?",
        (
            "how-can-optimization-failures-be-debugged-and-mitigated",
            "identifying-unstable-workloads",
            "potential-fixes-for-common-instability-patterns",
        ),
    ),
    CheckTopic(
        "Training curves",
        "Do the best trials' curves show no overfitting, late noise or unfinished training?",
        (
            "examining-the-training-curves",
            "deciding-how-long-to-train-when-training-is-not-compute-bound",
            "deciding-how-long-to-train-when-training-is-compute-bound",
        ),
    ),
    CheckTopic(
        "Isolation",
        "Was each scientific value compared at its best, with nuisance hyperparameters tuned?",
        ("detecting-whether-a-change-is-useful-with-isolation-plots",),
    ),
    CheckTopic(
        "Variance",
        "Is the difference larger than trial and study variance?",
        (
            "determining-whether-to-adopt-a-training-pipeline-change-or-hyperparameter-configuration",
        ),
    ),
)

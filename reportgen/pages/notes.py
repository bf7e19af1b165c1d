"""Guidance on the study page, read from the one registry `reportgen.guidance`.

Section intros are the registry's ``section.*`` entries and every finding shows the entry of
its own key. Only the "before you conclude" checklist's questions live here: they group the
registry's finding keys into the checks a reader runs before drawing a conclusion.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from reportgen.guidance import GUIDANCE, PLAYBOOK_ANCHORS, PLAYBOOK_URL, Guidance
from reportgen.guidance import playbook_url as _registry_url


def playbook_url(anchor: str) -> Markup:
    """Deep link to a playbook section; anything but a known anchor links to the playbook's start
    (so the link is always safe to place in a page)."""
    return Markup(_registry_url(anchor) if anchor in PLAYBOOK_ANCHORS else PLAYBOOK_URL)


def section(name: str) -> Guidance:
    """The intro note of a page section (``section.<name>`` in the registry)."""
    return GUIDANCE[f"section.{name}"]


def finding_guidance(key: str, anchor: str) -> Guidance:
    """The guidance of a finding's own key; a key the registry lacks keeps its own anchor."""
    return GUIDANCE.get(key) or Guidance(anchor, key, "")


@dataclass(frozen=True)
class CheckTopic:
    """One question of the "before you conclude" checklist and the finding keys it covers
    (a key prefix ``curves`` covers ``curves.*``)."""

    title: str
    question: str
    keys: tuple[str, ...]
    anchor: str
    id: str = ""  # the analysis' scope of this question (`CheckScope.topic`)

    def covers(self, key: str) -> bool:
        return any(key == k or key.startswith(k + ".") for k in self.keys)


CHECKLIST = (
    CheckTopic(
        "Training stability",
        "Is training stable at the learning rates that matter (no spikes, no clipping every step)?",
        ("instability", "gradients"),
        "how-can-optimization-failures-be-debugged-and-mitigated",
        "stability",
    ),
    CheckTopic(
        "Study design",
        "Are the scientific, nuisance and fixed roles chosen so the comparison is fair?",
        ("design",),
        "identifying-scientific-nuisance-and-fixed-hyperparameters",
        "design",
    ),
    CheckTopic(
        "Search-space boundaries",
        "Do the best trials sit away from the edges of every varied range?",
        ("search_space.boundary",),
        "identifying-bad-search-space-boundaries",
        "boundaries",
    ),
    CheckTopic(
        "Sampling density",
        "Were enough trials sampled near the best one to trust where it lies?",
        ("density",),
        "not-sampling-enough-points-in-the-search-space",
        "density",
    ),
    CheckTopic(
        "Infeasible trials",
        "Are failed or diverged trials few, and is their cause understood?",
        ("infeasible", "search_space.stability_edge"),
        "how-can-optimization-failures-be-debugged-and-mitigated",
        "infeasible",
    ),
    CheckTopic(
        "Training curves",
        "Do the best trials' curves show no overfitting, late noise or unfinished training?",
        ("curves",),
        "examining-the-training-curves",
        "curves",
    ),
    CheckTopic(
        "Isolation",
        "Was each scientific value compared at its best, with nuisance hyperparameters tuned?",
        ("isolation",),
        "detecting-whether-a-change-is-useful-with-isolation-plots",
        "isolation",
    ),
    CheckTopic(
        "Variance",
        "Is the difference larger than trial and study variance, and than the validation noise?",
        ("variance", "below_noise_floor"),
        "determining-whether-to-adopt-a-training-pipeline-change-or-hyperparameter-configuration",
        "variance",
    ),
)

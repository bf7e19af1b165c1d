"""The study page's line on checkpoints: where the trials' best parameters live, as far as the
records name them (a page never claims a checkpoint that no record names)."""

from __future__ import annotations

from markupsafe import Markup

from reportgen.pages.escape import md_text_code


def checkpoints_line(study_id: str, asked: bool, named: int, trials: int) -> Markup | str:
    """``named`` of ``trials`` records name their best checkpoint; ``asked``: the spec has
    ``checkpoints:``. "" when there is nothing to say (no record names one, none was asked)."""
    if named:
        return md_text_code(
            f"best parameters of {named} of {trials} trials, each in "
            f"`{study_id}/trials/TRIAL_ID/STEP` under the checkpoint root (outside git; "
            "by default `.checkpoints` beside the logbook), as its record names; "
            f"`reportgen export {study_id}` writes one out"
        )
    if asked:
        return "asked for by the spec, but no trial record names one"
    return ""

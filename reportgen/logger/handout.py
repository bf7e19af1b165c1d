"""Who may write a point handed out by `reportgen suggest`: its owner, named once the point has
been handed out more than once; another owner only when it asks to take the point over."""

from __future__ import annotations

from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.schema import Suggestion
from reportgen.store import study_folder
from reportgen.store.claims import ClaimBook
from reportgen.store.suggested import write_suggestion


def take_over_point(logbook: Path, suggested: Suggestion, owner: str) -> Suggestion:
    """Hand ``suggested`` to ``owner``, asked for explicitly: its current claim is ended."""
    ClaimBook(study_folder(logbook, suggested.study_id), suggested.owner, suggested.lease_seconds,
              bound_to_process=False).expire(suggested.trial_id)  # fmt: skip
    taken = suggested.model_copy(update={"owner": owner, "handout": suggested.handout + 1})
    write_suggestion(logbook, taken)
    return taken


def check_handout(suggested: Suggestion, owner: str | None) -> None:
    """Refuse to write a handed-out point for someone who does not hold it: ``owner`` must be
    the suggestion's owner when given, and must be given once the point has been handed out
    again (an earlier claim ran out: without a name, the late first owner and the new one
    cannot be told apart)."""
    if owner is not None and owner != suggested.owner:
        raise ReportgenError(
            f"trial {suggested.trial_id!r} is handed out to another owner (your claim ran out "
            "and the point went to someone else, or it was never yours); nothing was written. "
            "Ask `reportgen suggest` for another point (or take it over on purpose: "
            "take_over=True)"
        )
    if owner is None and suggested.handout > 1:
        raise ReportgenError(
            f"trial {suggested.trial_id!r} has been handed out {suggested.handout} times (an "
            "earlier claim ran out); name the owner `reportgen suggest` printed for it "
            "(--owner, or owner=) to write it; nothing was written"
        )

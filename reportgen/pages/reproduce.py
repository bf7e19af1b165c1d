"""The page's "reproduce" row: the commands the revision's trial records say made them."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from pathlib import PurePath

from markupsafe import Markup

from reportgen.pages.escape import md_text

SHOWN = 6  # distinct commands listed; the rest are counted


def _shortened(command: str) -> str:
    """A recorded command with an absolute ``--logbook`` folder shown by its name (the rest as
    recorded)."""
    try:
        words = shlex.split(command)
    except ValueError:
        return command
    for i, w in enumerate(words[:-1]):
        if w == "--logbook" and PurePath(words[i + 1]).is_absolute():
            words[i + 1] = PurePath(words[i + 1]).name
    return shlex.join(words)


def reproduce_line(commands: Iterable[str]) -> Markup:
    """The distinct recorded commands in the order their first trials were made, as code."""
    distinct = list(dict.fromkeys(_shortened(c) for c in commands if c.strip()))
    if not distinct:
        return Markup("not recorded (no trial record names the command that made it)")
    shown = Markup("; ").join(Markup("<code>{}</code>").format(md_text(c))
                              for c in distinct[:SHOWN])  # fmt: skip
    rest = len(distinct) - SHOWN
    more = Markup(" and {} more").format(rest) if rest > 0 else Markup("")
    return shown + more + Markup(" (as recorded in the trials; from the repository root)")

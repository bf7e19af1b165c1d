"""`check` and `build` agree: every problem that makes `build` exit 1 is one `check` reports.

Before: a study whose ``round.previous`` named a missing study passed `check` ("ok"), while
`build` exited 1 and told the user to "run `reportgen check` for details".
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.store import write_spec, write_trial
from tests.conftest import REPO, make_spec, make_trial

SPEC = "demo/study.yaml"


def _book(root: Path) -> Path:
    book = root / "logbook"
    write_spec(book, make_spec())
    write_spec(book, make_spec(study_id="other"))
    write_trial(book, make_trial())
    write_trial(book, make_trial(study_id="other"))
    return book


def _append(book: Path, text: str) -> None:
    path = book / SPEC
    path.write_text(path.read_text() + text)


BREAKS = {
    "baseline study missing": lambda b: _append(b, "baseline:\n  study: nowhere\n"),
    "previous round missing": lambda b: _append(b, "round:\n  index: 2\n  previous: nowhere\n"),
    "trial status unknown": lambda b: (b / "demo/trials/t0000.json").write_text(
        (b / "demo/trials/t0000.json").read_text().replace('"complete"', '"exploded"')
    ),
    "spec field unknown": lambda b: _append(b, "colour: red\n"),
    "trial of a later revision": lambda b: (b / "demo/trials/t0000.json").write_text(
        (b / "demo/trials/t0000.json").read_text().replace('"study_revision": 1', '"study_revision": 3')
    ),
}


def _run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("case", list(BREAKS))
def test_what_fails_the_build_fails_the_check(tmp_path, case):
    book = _book(tmp_path)
    BREAKS[case](book)
    checked, said = _run("check", "--logbook", str(book))
    built, told = _run(
        "build", "--logbook", str(book), "--docs", str(tmp_path / "docs"),
        "--site", str(tmp_path / "site"), "--config", str(REPO / "mkdocs.yml"), "--jobs", "1",
    )  # fmt: skip
    assert built == 1, told
    assert checked == 1, f"build fails but check says: {said}"
    # every file and field build names is named by check too
    for line in told.splitlines():
        m = re.match(r"(\S+?\.(?:json|yaml))(?::\d+)?: ([\w.\[\]]+): ", line)
        if m:
            path, field = m.groups()
            assert any(path in x and field in x for x in said.splitlines()), (line, said)

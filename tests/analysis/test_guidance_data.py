"""The guidance notes as packaged data files: loaded from a folder, validated with the file and
key named on any fault, and (at the move out of Python) equal to the literal they replaced."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import reportgen.guidance as registry
from reportgen.guidance import (
    DATA,
    GUIDANCE,
    OPEN_RESEARCH,
    PLAYBOOK_ANCHORS,
    GuidanceDataError,
    load_guidance,
    load_playbook,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the packaged data folder (playbook.yaml and notes/*.yaml) to spoil."""
    folder = tmp_path / "guidance"
    shutil.copytree(DATA, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return folder


def _note(folder: Path, text: str, name: str = "zz-bad.yaml") -> Path:
    path = folder / "notes" / name
    path.write_text(text)
    return path


def test_the_packaged_folder_loads_to_the_registry(data):
    assert load_guidance(data) == GUIDANCE
    assert load_playbook(data) == (PLAYBOOK_ANCHORS, OPEN_RESEARCH)
    assert sorted(p.name for p in (DATA / "notes").glob("*.yaml"))  # data files, not code


def test_loaded_once():
    assert registry._packaged() is registry._packaged()
    assert registry._packaged()[2] is GUIDANCE


def test_open_research_titles_are_badged_when_loaded(data):
    _note(data, "x.key:\n  anchor: gradient-clipping\n  title: Clip\n  note: A note.\n")
    assert load_guidance(data)["x.key"].title == "Clip (open research)"


@pytest.mark.parametrize(
    ("text", "where", "why"),
    [
        (
            "x.key:\n  anchor: gradient-clipping\n  title: T\n  note: N.\n  anchr: momentum\n",
            "x.key: anchr",
            "Extra inputs are not permitted",
        ),
        (
            "x.key:\n  anchor: no-such-section\n  title: T\n  note: N.\n",
            "x.key: anchor",
            "'no-such-section' is not a section anchor",
        ),
        ("x.key:\n  anchor: momentum\n  title: T\n  note: ''\n", "x.key: note", "at least 1"),
        ("x.key:\n  anchor: momentum\n  title: T\n", "x.key: note", "Field required"),
        ("x.key: just a string\n", "x.key: (entry)", "valid dictionary"),
    ],
    ids=["unknown-field", "bad-anchor", "empty-note", "missing-note", "not-a-mapping"],
)
def test_a_malformed_note_names_the_file_the_key_and_the_field(data, text, where, why):
    path = _note(data, text)
    with pytest.raises(GuidanceDataError) as e:
        load_guidance(data)
    assert str(e.value).startswith(f"{path}: {where}: "), str(e.value)
    assert why in str(e.value)


def test_a_key_given_twice_is_refused_in_one_file_and_across_files(data):
    entry = "  anchor: momentum\n  title: T\n  note: N.\n"
    path = _note(data, f"x.key:\n{entry}x.key:\n{entry}")
    with pytest.raises(GuidanceDataError, match=f"^{re.escape(str(path))}:5: x.key: given twice"):
        load_guidance(data)
    path.unlink()
    path = _note(data, f"search_space.boundary:\n{entry}")
    with pytest.raises(
        GuidanceDataError, match=f"^{re.escape(str(path))}: search_space.boundary: already given in"
    ):
        load_guidance(data)


def test_bad_yaml_a_bad_playbook_and_no_notes_are_named(data):
    path = _note(data, "x.key: [unclosed\n")
    with pytest.raises(GuidanceDataError, match=f"^{re.escape(str(path))}: not valid YAML"):
        load_guidance(data)
    path.unlink()
    playbook = data / "playbook.yaml"
    playbook.write_text(playbook.read_text() + "  - not-an-anchor\n")  # appended to open_research
    with pytest.raises(
        GuidanceDataError, match=f"^{re.escape(str(playbook))}: open_research: .*not-an-anchor"
    ):
        load_playbook(data)
    shutil.rmtree(data / "notes")
    shutil.copy(DATA / "playbook.yaml", playbook)
    with pytest.raises(GuidanceDataError, match="no notes"):
        load_guidance(data)


def _as_tuples(notes: dict) -> dict[str, tuple[str, str, str]]:
    return {k: (g.anchor, g.title, g.note) for k, g in notes.items()}

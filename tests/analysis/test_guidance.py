"""The guidance registry: every finding key registered, every anchor a real playbook section."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from reportgen.guidance import GUIDANCE, OPEN_RESEARCH, PLAYBOOK_ANCHORS, guidance, playbook_url

ANALYSIS = Path(__file__).resolve().parents[2] / "reportgen" / "analysis"
# keys named as string literals anywhere in analysis (some reach `finding` through a variable)
KEY = re.compile(
    r'"((?:search_space|infeasible|density|isolation|curves|design|variance|instability'
    r'|gradients|regime|rounds|schedule|sanity|data)\.[a-z_]+)"'
)


def _finding_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "finding":
            yield node


def _keys_in_analysis() -> set[str]:
    """Every key the analysis can emit: literal first arguments of `finding(...)`, and the
    key-shaped string literals that reach it through a variable."""
    keys: set[str] = set()
    for f in ANALYSIS.rglob("*.py"):
        text = f.read_text()
        keys |= set(KEY.findall(text))
        for call in _finding_calls(ast.parse(text)):
            if call.args and isinstance(call.args[0], ast.Constant):
                keys.add(call.args[0].value)
    return keys


def test_every_key_the_analysis_can_emit_is_registered():
    keys = _keys_in_analysis()
    assert len(keys) >= 42
    assert {"below_noise_floor", "isolation.undertuned", "rounds.transfer"} <= keys
    assert keys - set(GUIDANCE) == set()


def test_every_finding_note_is_for_a_key_the_analysis_can_emit():
    """A note under a misspelt key in a data file would never be shown."""
    notes = {k for k in GUIDANCE if not k.startswith("section.")}
    assert notes - _keys_in_analysis() == set()


def test_every_anchor_is_a_real_playbook_section():
    assert {g.anchor for g in GUIDANCE.values()} - PLAYBOOK_ANCHORS == set()
    assert set() == OPEN_RESEARCH - PLAYBOOK_ANCHORS


def test_checklist_anchor_list_matches_the_reference_note():
    note = Path("/work/shared/reference/playbook-checklist.md")
    if not note.exists():
        pytest.skip("reference note not available")
    section = note.read_text().split("## 2.")[1].split("## 3.")[0]
    listed = set(re.findall(r"`#([a-z0-9_-]+)`", section))
    assert listed == PLAYBOOK_ANCHORS


def test_page_sections_have_guidance():
    for section in ("design", "axis_plots", "curves", "isolation", "variance", "decision"):
        assert f"section.{section}" in GUIDANCE


def test_notes_are_one_or_two_sentences():
    for key, g in GUIDANCE.items():
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", g.note.strip()) if s]
        assert 1 <= len(sentences) <= 2, key
        assert g.title and g.note.endswith(".")


def test_urls_and_unknown_keys():
    assert playbook_url("gradient-clipping") == (
        "https://github.com/google-research/tuning_playbook#gradient-clipping"
    )
    with pytest.raises(KeyError, match="not a section anchor"):
        playbook_url("no-such-section")
    with pytest.raises(KeyError, match="known:"):
        guidance("no.such.key")

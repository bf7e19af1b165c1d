"""The docs' example studies pass `reportgen check` as pasted; the reference page is current."""

from __future__ import annotations

import re

import pytest
import yaml

from reportgen.registry.reference import render
from tests.conftest import REPO, run_cli

PAGES = ("tune-your-own-model.md", "guide.md")


def example_studies(page: str) -> list[str]:
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    return [b for b in blocks if b.startswith("study_id:")]


def allow_list(page: str) -> str:
    """The page's own ``[tool.reportgen]`` block, as a reader pastes it into pyproject.toml."""
    text = (REPO / "docs" / page).read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    return next((b for b in blocks if b.startswith("[tool.reportgen]")), "")


CASES = [(page, i) for page in PAGES for i in range(len(example_studies(page)))]


@pytest.mark.parametrize(("page", "i"), CASES, ids=[f"{p}#{i}" for p, i in CASES])
def test_example_study_passes_check_as_pasted(tmp_path, page, i):
    text = example_studies(page)[i]
    spec = yaml.safe_load(text)
    assert spec.get("baseline"), f"the example study in {page} names no baseline"
    folder = tmp_path / "logbook" / spec["study_id"]
    folder.mkdir(parents=True)
    (folder / "study.yaml").write_text(text, encoding="utf-8")
    if "entry:" in text:  # a plugin by import path: the page shows how to allow it too
        assert allow_list(page), f"{page} names a plugin by import path but never allows it"
        (tmp_path / "pyproject.toml").write_text(allow_list(page), encoding="utf-8")
    r = run_cli("check", "--logbook", str(tmp_path / "logbook"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == "", r.stdout  # no warning either


def test_the_guide_pages_hold_example_studies():
    assert len(example_studies("tune-your-own-model.md")) == 2
    assert len(example_studies("guide.md")) == 1


def test_reference_page_matches_the_registries():
    page = REPO / "docs" / "reference" / "registries.md"
    assert page.read_text(encoding="utf-8") == render(), (
        "docs/reference/registries.md drifted: run "
        "`python -m reportgen.registry.reference docs/reference/registries.md`"
    )

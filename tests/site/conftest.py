"""Fixtures of the site tests: one small logbook built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.site import build_site
from tests.conftest import REPO
from tests.site.helpers import hand_analysis, write_logbook


def build_into(root: Path, logbook: Path, **kw) -> Path:
    docs = root / "docs"
    if not docs.exists():
        shutil.copytree(REPO / "docs", docs, ignore=shutil.ignore_patterns("studies", "assets"))
    site = root / "site"
    build_site(
        logbook, docs, site, config=REPO / "mkdocs.yml", strict=True, analyze=hand_analysis, **kw
    )
    return site


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("built")
    logbook = write_logbook(root / "logbook")
    return build_into(root, logbook)

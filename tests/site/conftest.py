"""Fixtures of the site tests: sites built once per session with the real analysis."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reportgen.site import build_site
from reportgen.site.mkdocs_run import DEFAULT_DOCS
from tests.conftest import FIXTURES, REPO
from tests.site.helpers import write_logbook

FIXTURE_LOGBOOK = FIXTURES / "logbook"
FIXTURE_STUDY = "fixture-width"


def build_into(root: Path, logbook: Path, **kw) -> Path:
    docs = root / "docs"
    if not docs.exists():
        # the generic pages; the repository's home page lists the published studies
        shutil.copytree(DEFAULT_DOCS, docs)
    site = root / "site"
    build_site(logbook, docs, site, config=REPO / "mkdocs.yml", strict=True, **kw)
    return site


def copy_fixture_logbook(dest: Path) -> Path:
    """A copy of the runners' fixture logbook (tests may change their copy)."""
    shutil.copytree(FIXTURE_LOGBOOK, dest)
    return dest


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> Path:
    """The site of the real fixture logbook (study ``fixture-width``, written by the runners)."""
    root = tmp_path_factory.mktemp("fixture")
    return build_into(root, copy_fixture_logbook(root / "logbook"))


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("built")
    logbook = write_logbook(root / "logbook")
    return build_into(root, logbook)


@pytest.fixture(scope="session")
def published_site(tmp_path_factory) -> Path:
    """The site of the whole published logbook, built once per session (read-only for tests)."""
    root = tmp_path_factory.mktemp("published")
    shutil.copytree(REPO / "logbook", root / "logbook")
    return build_into(root, root / "logbook")

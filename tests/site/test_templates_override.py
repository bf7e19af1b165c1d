"""A project's own ``templates/`` folder: page templates and theme partials it overrides are
used by `reportgen build`, the rest come from the package, and editing an override rebuilds."""

from __future__ import annotations

import shutil

from reportgen.site.mkdocs_run import DEFAULT_DOCS
from tests.conftest import REPO
from tests.site.conftest import FIXTURE_STUDY, build_into, copy_fixture_logbook


def _page(site, study=FIXTURE_STUDY) -> str:
    return (site / "studies" / study / "index.html").read_text(encoding="utf-8")


def test_project_templates_override_the_packaged_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    logbook = copy_fixture_logbook(tmp_path / "logbook")
    partial = tmp_path / "templates" / "partials" / "summary_card.md.j2"
    partial.parent.mkdir(parents=True)
    packaged = (REPO / "reportgen" / "templates" / "partials" / "summary_card.md.j2").read_text()
    partial.write_text('<p class="our-card">first override</p>\n\n' + packaged)
    # a theme page of the project's own, named by a hand-written page's front matter
    theme = tmp_path / "templates" / "theme"
    theme.mkdir()
    shutil.copy(REPO / "templates" / "theme" / "home.html", theme / "home.html")
    shutil.copytree(DEFAULT_DOCS, tmp_path / "docs")
    (tmp_path / "docs" / "index.md").write_text(
        "---\ntemplate: home.html\n---\n\n# Home\n\nSee the [studies](studies/index.md).\n"
    )
    site = build_into(tmp_path, logbook)
    page = _page(site)
    assert 'class="our-card"' in page and "first override" in page
    assert "Verdict:" in page  # the rest of the packaged card is still there
    assert 'class="logbook-hero"' in (site / "index.html").read_text(encoding="utf-8")

    # editing the override re-renders the study though its records did not change
    partial.write_text('<p class="our-card">second override</p>\n\n' + packaged)
    site = build_into(tmp_path, logbook)
    page = _page(site)
    assert "second override" in page and "first override" not in page


def test_without_a_templates_folder_the_packaged_templates_are_used(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    site = build_into(tmp_path, copy_fixture_logbook(tmp_path / "logbook"))
    page = _page(site)
    assert "our-card" not in page and "Verdict:" in page
    assert 'class="logbook-hero"' not in (site / "index.html").read_text(encoding="utf-8")


def test_this_repository_uses_its_templates_for_the_home_page():
    home = (REPO / "docs" / "index.md").read_text(encoding="utf-8")
    assert home.startswith("---\n") and "template: home.html" in home.split("---")[1]
    assert (REPO / "templates" / "theme" / "home.html").is_file()

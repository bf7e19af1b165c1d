"""Vendored chart libraries match what Altair targets; packaged defaults match the repo's."""

from __future__ import annotations

import json

import altair as alt

from reportgen.site.assets import ASSETS
from reportgen.site.mkdocs_run import DEFAULT_CONFIG, DEFAULT_DOCS
from tests.conftest import REPO


def test_vendored_versions_match_altair():
    vendored = json.loads((ASSETS / "VENDORED.json").read_text())
    assert vendored["vega-lite"]["version"] == alt.VEGALITE_VERSION.lstrip("v")
    assert vendored["vega"]["version"].split(".")[0] == alt.VEGA_VERSION.lstrip("v").split(".")[0]
    assert (
        vendored["vega-embed"]["version"].split(".")[0]
        == alt.VEGAEMBED_VERSION.lstrip("v").split(".")[0]
    )
    for name, entry in vendored.items():
        text = (ASSETS / entry["file"]).read_text()
        if name != "iframe-worker":
            assert f'"{entry["version"]}"' in text, (
                f"{entry['file']} is not {name} {entry['version']}"
            )
        assert (ASSETS / "licenses" / f"{name}-{entry['version']}.LICENSE").is_file()


def test_no_asset_or_config_requests_outside_the_site():
    config = (REPO / "mkdocs.yml").read_text()
    assert "font: false" in config and "iframe-worker-shim.js" in config
    for path in (ASSETS / "js" / "charts.js", ASSETS / "css" / "charts.css"):
        assert "http" not in path.read_text()


def test_packaged_defaults_match_the_repository():
    assert DEFAULT_CONFIG.read_text() == (REPO / "mkdocs.yml").read_text()
    # index.md differs on purpose: the repository's home page introduces the published studies.
    for page in ("guide.md", "attribution.md", "finding-calibration.md"):
        assert (DEFAULT_DOCS / page).read_text() == (REPO / "docs" / page).read_text(), page

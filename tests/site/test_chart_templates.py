"""Chart templates kept by one build and adopted by the next give the same site, Altair unused."""

from __future__ import annotations

import shutil

import altair as alt

from reportgen.charts import spec
from reportgen.site import build_site
from reportgen.site.mkdocs_run import DEFAULT_DOCS
from reportgen.store import record_cache
from tests.conftest import REPO
from tests.site.test_incremental_build import _assert_same, _tree


def _build(root, name):  # type: ignore[no-untyped-def]
    docs = root / f"docs-{name}"
    shutil.copytree(DEFAULT_DOCS, docs)
    build_site(root / "logbook", docs, root / name, config=REPO / "mkdocs.yml", strict=True, jobs=1)
    return _tree(root / name)


def test_kept_templates_build_the_same_site_without_altair(tmp_path, monkeypatch):
    monkeypatch.setenv(record_cache.CACHE_ENV, str(tmp_path / "cache"))
    shutil.copytree(REPO / "logbook" / "clip-digits", tmp_path / "logbook" / "clip-digits")
    monkeypatch.setattr(spec, "_TEMPLATES", {})  # a fresh process: nothing built yet
    first = _build(tmp_path, "first")
    (kept,) = (tmp_path / "cache" / "charts").glob("*.json")
    assert len(spec.built_templates()) > 5

    def no_altair(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a chart template was built again")

    monkeypatch.setattr(spec, "_TEMPLATES", {})
    monkeypatch.setattr(alt.TopLevelMixin, "to_dict", no_altair)
    _assert_same(_build(tmp_path, "second"), first)
    # a torn file is only a miss: the templates are built again
    kept.write_text(kept.read_text()[:-20])
    monkeypatch.undo()
    monkeypatch.setenv(record_cache.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(spec, "_TEMPLATES", {})
    _assert_same(_build(tmp_path, "third"), first)

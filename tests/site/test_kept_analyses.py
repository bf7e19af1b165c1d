"""A build keeps each study's analyses under the digest of the files they read
(`reportgen.site.kept_analyses`): a fresh docs folder with a kept cache renders the same bytes
without analysing; a changed record, a tampered entry or another analysis is analysed again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

STUDY = "fixture-width"


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", str(folder))
    monkeypatch.setenv("REPORTGEN_OVERLAP", "off")  # every analysis in this process
    return folder


def _build(logbook: Path, out: Path) -> dict[str, bytes]:
    from reportgen.site import build_site

    result = build_site(logbook, out / "docs", out / "site", run_site=False, jobs=1)
    assert result.problems == [] and result.rendered == [STUDY]
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted((out / "docs" / "studies").rglob("*"))
        if p.is_file() and p.name != ".manifest.json"  # the manifest holds file times
    }


def _count_analyses(monkeypatch) -> list[str]:
    """Count the analyses run (``analyze_study`` itself stays the function the build checks)."""
    import reportgen.analysis.study_analysis as study_analysis

    runs: list[str] = []
    real = study_analysis.playbook_extras

    def counted(spec, *args, **kwargs):
        runs.append(spec.study_id)
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(study_analysis, "playbook_extras", counted)
    return runs


@pytest.fixture
def logbook(tmp_path) -> Path:
    folder = tmp_path / "logbook"
    shutil.copytree(FIXTURES / "logbook", folder)
    return folder


def test_a_fresh_docs_folder_renders_the_same_bytes_from_kept_analyses(
    tmp_path, cache, logbook, monkeypatch
):
    runs = _count_analyses(monkeypatch)
    first = _build(logbook, tmp_path / "one")
    assert runs and set(runs) == {STUDY}
    assert len(list((cache / "build-analyses").glob("*.json"))) == 1
    runs.clear()
    again = _build(logbook, tmp_path / "two")
    assert runs == []  # recalled, not analysed
    assert again == first and any(k.endswith(".md") for k in again)


def test_a_changed_record_or_a_tampered_entry_is_analysed_again(
    tmp_path, cache, logbook, monkeypatch
):
    runs = _count_analyses(monkeypatch)
    _build(logbook, tmp_path / "one")
    (entry,) = (cache / "build-analyses").glob("*.json")
    body = bytearray(entry.read_bytes())
    body[-10] ^= 0x01
    entry.write_bytes(bytes(body))
    runs.clear()
    _build(logbook, tmp_path / "two")
    assert runs  # the edited entry failed its seal
    trial = sorted((logbook / STUDY / "trials").glob("*.json"))[0]
    trial.write_bytes(trial.read_bytes() + b"\n")  # the same record, other bytes
    runs.clear()
    changed = _build(logbook, tmp_path / "three")
    assert runs  # another records digest: a new key
    assert len(list((cache / "build-analyses").glob("*.json"))) == 2
    assert changed


def test_another_analysis_or_no_cache_keeps_nothing(tmp_path, cache, logbook, monkeypatch):
    from reportgen.analysis import analyze_study
    from reportgen.site import build_site

    def mine(*args, **kwargs):
        return analyze_study(*args, **kwargs)

    build_site(logbook, tmp_path / "a" / "docs", tmp_path / "a" / "site", run_site=False,
               analyze=mine, jobs=1)  # fmt: skip
    assert not (cache / "build-analyses").exists()
    monkeypatch.setenv("REPORTGEN_CACHE_DIR", "off")
    _build(logbook, tmp_path / "b")
    assert not (cache / "build-analyses").exists()

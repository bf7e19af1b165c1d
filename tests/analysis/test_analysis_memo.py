"""`reportgen analyze` answers from its kept analysis only while no file it read has changed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reportgen.commands import analysis_memo as am
from reportgen.commands import analyze as cmd
from reportgen.schema import TrialKind
from reportgen.store import record_cache as rc
from reportgen.store import write_spec, write_trial
from reportgen.store.cache_seal import read_sealed, sealer, write_sealed
from tests.analysis.analysis_builders import flat, spec, trial
from tests.conftest import run_cli


@pytest.fixture
def book(tmp_path, monkeypatch):
    monkeypatch.setenv(rc.CACHE_ENV, str(tmp_path / "cache"))
    root = tmp_path / "logbook"
    write_spec(root, spec(baseline={"study": "incumbent"}, nuisance=False))
    mine = [trial("s0", flat(0.15))] + [
        trial(f"s0-r{i}", flat(v), kind=TrialKind.RETRAIN, group="s0", index=i)
        for i, v in enumerate([0.15 + 0.01 * x for x in (-1, 0, 1, 0, -1, 1, 0, 0, 1, -1)])
    ]
    for t in mine:
        write_trial(root, t)
    write_spec(root, spec(study_id="incumbent", nuisance=False))
    theirs = [trial("b0", flat(0.20)), trial("b1", flat(0.30), index=1)] + [
        trial(f"b0-r{i}", flat(v), kind=TrialKind.RETRAIN, group="b0", index=i)
        for i, v in enumerate([0.20 + 0.01 * x for x in (-1, 0, 1, 0, -1, 1, 0, 0, 1, -1)])
    ]
    for t in theirs:
        write_trial(root, t.model_copy(update={"study_id": "incumbent"}))
    return root


def _kept(f: Path) -> dict:
    body = read_sealed(f, sealer(f.parent), 1 << 28)
    assert body is not None
    return json.loads(body)


def _keep(f: Path, kept: dict) -> None:
    """Write a kept answer as reportgen would (sealed with the cache folder's key)."""
    write_sealed(f, sealer(f.parent), json.dumps(kept).encode())


def _settle(cache: Path) -> None:
    """Move the kept answers' stat time 10 s on, as if the files had been written long before
    (a file changed in the clock tick of its stat is never trusted)."""
    for f in (cache / "analyses").glob("*.json"):
        kept = _kept(f)
        kept["noted_at_ns"] += 10**10
        _keep(f, kept)


def _counting(monkeypatch) -> list[str]:
    calls: list[str] = []
    fresh = cmd._analyse

    def counted(logbook, study_id, revision, memo):  # type: ignore[no-untyped-def]
        calls.append(study_id)
        return fresh(logbook, study_id, revision, memo)

    monkeypatch.setattr(cmd, "_analyse", counted)
    return calls


def test_an_unchanged_study_is_answered_from_the_kept_analysis(book, tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    first = cmd.analyse(book, "demo")
    _settle(tmp_path / "cache")
    again = cmd.analyse(book, "demo")
    assert calls == ["demo"]
    assert again == first
    assert cmd.to_text(again) == cmd.to_text(first)
    assert cmd.to_json(again) == cmd.to_json(first)
    assert first.decision.verdict == "adopt"  # the baseline study was read


@pytest.mark.parametrize("study", ["demo", "incumbent"])
def test_an_edit_to_the_study_or_its_baseline_study_is_analysed_afresh(
    book, tmp_path, monkeypatch, study
):
    calls = _counting(monkeypatch)
    cmd.analyse(book, "demo")
    _settle(tmp_path / "cache")
    trial_file = sorted((book / study / "trials").glob("*.json"))[-1]
    st = os.stat(trial_file)
    text = trial_file.read_text()
    trial_file.write_text(text.replace('"wall_seconds": 1.0', '"wall_seconds": 2.0'))
    os.utime(trial_file, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime
    cmd.analyse(book, "demo")
    assert calls == ["demo", "demo"]


def test_a_new_trial_a_new_revision_or_a_fresh_request_is_analysed_afresh(
    book, tmp_path, monkeypatch
):
    calls = _counting(monkeypatch)
    cmd.analyse(book, "demo")
    _settle(tmp_path / "cache")
    cmd.analyse(book, "demo", recall=False)
    cmd.analyse(book, "demo", 1)  # another key: revision 1 asked for by number
    write_trial(book, trial("s1", flat(0.17), index=1))
    _settle(tmp_path / "cache")
    cmd.analyse(book, "demo")
    assert calls == ["demo"] * 4


def test_recently_written_files_are_never_trusted(book, monkeypatch):
    calls = _counting(monkeypatch)
    cmd.analyse(book, "demo")
    cmd.analyse(book, "demo")  # the files are seconds old: their stat may hide an edit
    assert calls == ["demo", "demo"]


def test_a_torn_or_foreign_entry_is_a_miss(book, tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    first = cmd.analyse(book, "demo")
    _settle(tmp_path / "cache")
    (entry,) = (tmp_path / "cache" / "analyses").glob("*.json")
    kept = _kept(entry)
    _keep(entry, {**kept, "code": "0" * 64})
    assert cmd.analyse(book, "demo") == first
    _settle(tmp_path / "cache")
    entry.write_text(entry.read_text()[:-10])
    assert cmd.analyse(book, "demo") == first
    assert calls == ["demo"] * 3


def test_an_edited_answer_is_a_miss(book, tmp_path, monkeypatch):
    """An answer edited in place (its verdict changed by hand, the seal left as it was) is never
    given: the study is analysed again."""
    calls = _counting(monkeypatch)
    first = cmd.analyse(book, "demo")
    _settle(tmp_path / "cache")
    (entry,) = (tmp_path / "cache" / "analyses").glob("*.json")
    text = entry.read_text()
    assert '"verdict": "adopt"' in text
    entry.write_text(text.replace('"verdict": "adopt"', '"verdict": "reject"'))
    assert cmd.analyse(book, "demo") == first
    assert calls == ["demo"] * 2


def test_cli_output_is_the_same_from_the_kept_analysis(book, tmp_path):
    env_cache = tmp_path / "cache"
    outs = []
    for _ in range(2):
        r = run_cli("analyze", "demo", "--logbook", str(book), "--json")
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout)
        text = run_cli("analyze", "demo", "--logbook", str(book))
        outs.append(text.stdout)
        _settle(env_cache)
    assert outs[0] == outs[2] and outs[1] == outs[3]
    assert json.loads(outs[0])["decision"]["verdict"] == "adopt"
    assert list((env_cache / "analyses").glob("*.json"))


def test_folder_stats_skips_dot_folders(tmp_path):
    (tmp_path / "trials").mkdir()
    (tmp_path / "trials" / "a.json").write_text("{}")
    (tmp_path / ".claims").mkdir()
    (tmp_path / ".claims" / "x").write_text("")
    assert sorted(am.folder_stats(tmp_path)) == [os.path.join("trials", "a.json")]

"""Problems name a trial file the same way whether its path is worked out per file or per folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportgen.store.load import _in_folder, _rel


@pytest.mark.parametrize("where", ["above", "inside", "beside", "absolute"])
def test_folder_then_name_is_the_files_own_relative_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    trials = tmp_path / "logbook" / "study-a" / "trials"
    trials.mkdir(parents=True)
    other = tmp_path / "elsewhere"
    other.mkdir()
    cwd = {"above": tmp_path, "inside": trials, "beside": other, "absolute": Path("/")}[where]
    monkeypatch.chdir(cwd)
    folder = trials if where != "beside" else Path(os.path.relpath(trials))
    f = folder / "t0001.json"
    assert _in_folder(_rel(folder, tmp_path), f.name) == _rel(f, tmp_path)

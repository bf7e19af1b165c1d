"""Issue 16 through `build`: bad records beside good ones give exit 1, a listed problem and a site
that still holds every valid study, never a traceback (items 5, 6, 7, 10)."""

from __future__ import annotations

from pathlib import Path

from reportgen.store import write_spec, write_trial
from tests.conftest import make_spec, make_trial, run_cli


def test_build_goes_on_beside_records_check_refuses(tmp_path: Path):
    root = tmp_path / "logbook"
    for sid in ("good", "bigint", "baddate", "future", "nometric", "nobaseline"):
        write_spec(root, make_spec(study_id=sid))
        write_trial(root, make_trial(study_id=sid))
    t = root / "bigint/trials/t0000.json"
    t.write_text(t.read_text().replace('"index": 0', '"index": ' + "7" * 5000))
    s = root / "baddate/study.yaml"
    s.write_text(s.read_text() + "override:\n  verdict: adopt\n  reason: r\n  by: me\n  date: 2026-13-45\n")
    t = root / "future/trials/t0000.json"
    t.write_text(t.read_text().replace("2026-11-23T00:00:00Z", "2200-01-01T00:00:00Z"))
    s = root / "nometric/study.yaml"
    s.write_text(s.read_text() + "objective:\n  metric: valid_accuracy\n")
    s = root / "nobaseline/study.yaml"
    s.write_text(s.read_text() + "baseline:\n  study: nowhere\n")

    r = run_cli("build", "--logbook", "logbook", "--docs", "docs", "--site", "site", cwd=tmp_path)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1, r.stderr
    assert "logbook/bigint/trials/t0000.json:8: file: a number has more than 4300 digits" in r.stderr
    assert "logbook/nobaseline/study.yaml: baseline.study: 'nowhere'" in r.stderr
    assert "valid_accuracy" in r.stderr
    assert "studies with invalid records: baddate, bigint, future, nobaseline, nometric" in r.stderr
    site = tmp_path / "site"
    for sid in ("good", "future", "nometric", "nobaseline"):  # valid specs: their pages exist
        assert (site / "studies" / sid / "index.html").is_file(), sid
    assert (site / "sitemap.xml.gz").is_file()


def test_spec_with_50000_hyperparameters_is_refused_quickly_and_builds_no_page(tmp_path: Path):
    """It once gave a 120-159 MB page and a build that did not end in 10 minutes."""
    root = tmp_path / "logbook"
    for sid in ("good", "huge"):
        write_spec(root, make_spec(study_id=sid))
        write_trial(root, make_trial(study_id=sid))
    for n, label in ((50_000, "larger than"), (98, "101 hyperparameters; a study holds at most 100")):
        s = root / "huge/study.yaml"
        flow = "".join(f"- {{name: h{i}, role: fixed, value: {i}}}\n" for i in range(n))
        s.write_text(make_spec_text(root, flow))
        r = run_cli("build", "--logbook", "logbook", "--docs", "docs", "--site", "site", cwd=tmp_path)
        assert "Traceback" not in r.stderr, r.stderr
        assert r.returncode == 1 and label in r.stderr, r.stderr
        assert (tmp_path / "site/studies/good/index.html").is_file()
        assert not (tmp_path / "docs/studies/huge").exists()


def make_spec_text(root: Path, flow: str) -> str:
    text = (root / "good/study.yaml").read_text().replace("study_id: good", "study_id: huge")
    return text.replace("search_space:\n", "search_space:\n" + flow)

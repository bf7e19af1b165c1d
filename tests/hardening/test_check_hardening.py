"""Issue 16: bad records that crashed or fooled `check` are reported as `path[:line]: field: message`.

Every test runs the real CLI in a subprocess on a small real logbook, and asserts exit 1, the
message, no traceback, and that the other study is still checked as valid.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from reportgen.schema.limits import (
    MAX_CURVE_POINTS,
    MAX_HYPERPARAMETERS,
    MAX_RECORD_BYTES,
    MAX_SPEC_BYTES,
)
from reportgen.store import load_logbook, write_spec, write_trial
from tests.conftest import make_spec, make_trial, run_cli

TRIAL = "demo/trials/t0000.json"
SPEC = "demo/study.yaml"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """Two valid studies: `demo` (two trials) and `other` (one trial)."""
    root = tmp_path / "logbook"
    write_spec(root, make_spec())
    write_spec(root, make_spec(study_id="other"))
    write_trial(root, make_trial())
    write_trial(
        root,
        make_trial(
            trial_id="t0001",
            index=1,
            hyperparameters={"optimizer": "adam", "adam.learning_rate": 0.002, "width": 32},
        ),
    )
    write_trial(root, make_trial(study_id="other"))
    return root


def check(root: Path) -> tuple[list[str], str]:
    r = run_cli("check", "--logbook", str(root), cwd=root.parent)
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1, r.stdout + r.stderr
    return r.stdout.splitlines(), r.stderr


def has(lines: list[str], *parts: str) -> bool:
    return any(all(p in line for p in parts) for line in lines)


def edit_trial(book: Path, fn, name: str = TRIAL) -> None:
    path = book / name
    path.write_text(fn(path.read_text()))


# item 5 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["index", "hyperparameter"])
def test_integer_of_more_than_4300_digits_in_a_trial(book, where):
    big = "9" * 5000
    if where == "index":
        edit_trial(book, lambda s: s.replace('"index": 0', f'"index": {big}'))
    else:
        edit_trial(book, lambda s: s.replace('"width": 64', f'"width": {big}'))
    lines, err = check(book)
    assert has(lines, TRIAL, "file: a number has more than 4300 digits"), lines
    assert "valid: 2 studies, 2 trials" in err  # every other record still checked


def test_integer_of_more_than_4300_digits_in_a_spec(book):
    path = book / SPEC
    path.write_text(path.read_text().replace("trial_budget: 8", "trial_budget: " + "9" * 5000))
    lines, err = check(book)
    line = path.read_text().splitlines().index("trial_budget: " + "9" * 5000) + 1
    assert has(lines, f"{SPEC}:{line}: file:", "4300 digits"), lines
    assert "valid: 1 study, 1 trial" in err


# item 6 ------------------------------------------------------------------------------------------


def test_impossible_yaml_date(book):
    path = book / SPEC
    path.write_text(
        path.read_text() + "changelog:\n- revision: 1\n  date: 2026-13-45\n  summary: first\n"
    )
    lines, _ = check(book)
    line = len(path.read_text().splitlines()) - 1
    assert has(lines, f"{SPEC}:{line}: file:", "'2026-13-45' is not a valid timestamp"), lines


# item 7 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["2106-02-08T00:00:00Z", "2200-01-01T00:00:00Z", "1969-12-31T23:59:59Z"])
def test_trial_time_the_site_cannot_write(book, when):
    edit_trial(book, lambda s: s.replace("2026-11-23T00:00:00Z", when))
    lines, _ = check(book)
    assert has(lines, TRIAL, "provenance.created_utc", "outside 1970-01-01..2106-02-07"), lines


# item 8 (folders that cannot be listed) -----------------------------------------------------------


def test_unreadable_trials_and_study_folders(book, monkeypatch, capsys):
    """As root, permissions do not stop reading; the OS error is raised where listing fails."""
    from reportgen import cli

    if os.geteuid() != 0:
        (book / "demo" / "trials").chmod(0)
    else:
        real = Path.iterdir

        def iterdir(self):  # type: ignore[no-untyped-def]
            if self.name == "trials" and self.parent.name == "demo":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "iterdir", iterdir)
    try:
        assert cli.main(["check", "--logbook", str(book)]) == 1
    finally:
        (book / "demo" / "trials").chmod(0o755)
    out = capsys.readouterr()
    assert "trials: file: cannot be listed: Permission denied" in out.out
    assert "valid: 2 studies, 1 trial" in out.err


# item 10 -----------------------------------------------------------------------------------------


def test_objective_metric_without_a_curve(book):
    path = book / SPEC
    path.write_text(path.read_text() + "objective:\n  metric: valid_accuracy\n")
    lines, _ = check(book)
    assert has(lines, SPEC, "objective.metric: 'valid_accuracy' is not a curve of 2 trial(s)"), lines


def test_baseline_study_that_does_not_exist(book):
    path = book / SPEC
    path.write_text(path.read_text() + "baseline:\n  study: nowhere\n")
    lines, _ = check(book)
    assert has(lines, SPEC, "baseline.study: 'nowhere' is not a valid study", "other"), lines


# item 11 -----------------------------------------------------------------------------------------


def test_duplicate_key_in_a_trial_names_both(book):
    def twice(s: str) -> str:
        return s.replace('"valid_error": [0.9, 0.3, 0.1],', '"valid_error": [0.9, 0.3, 0.1],\n    "valid_error": [0.9, 0.3, 0.0001],')

    edit_trial(book, twice)
    text = (book / TRIAL).read_text().splitlines()
    first, second = [i + 1 for i, x in enumerate(text) if '"valid_error"' in x]
    lines, _ = check(book)
    assert has(lines, f"{TRIAL}:{second}", "duplicate key 'valid_error'", f"first at line {first}, again at line {second}"), lines
    # the loaded store never sees the silently-winning second value
    demo = load_logbook(book).study("demo")
    assert [t.trial_id for t in demo.trials] == ["t0001"]


def test_duplicate_key_in_a_spec_names_both(book):
    path = book / SPEC
    path.write_text(path.read_text() + "trial_budget: 800\n")
    n = len(path.read_text().splitlines())
    first = path.read_text().splitlines().index("trial_budget: 8") + 1
    lines, _ = check(book)
    assert has(lines, f"{SPEC}:{n}: file:", "duplicate key 'trial_budget'", f"first at line {first}, again at line {n}"), lines


# item 12 -----------------------------------------------------------------------------------------


def test_trial_file_that_is_a_symlink_outside_the_logbook(book, tmp_path):
    outside = tmp_path / "outside.json"
    shutil.move(book / TRIAL, outside)
    (book / TRIAL).symlink_to(outside)
    lines, err = check(book)
    assert has(lines, TRIAL, "file: is a symbolic link"), lines
    assert "valid: 2 studies, 2 trials" in err


def test_trial_ids_that_differ_only_by_case(book):
    shutil.copy(book / "demo/trials/t0001.json", book / "demo/trials/T0001.json")
    edit_trial(book, lambda s: s.replace('"trial_id": "t0001"', '"trial_id": "T0001"').replace('"index": 1', '"index": 2').replace("0.002", "0.003"), "demo/trials/T0001.json")
    lines, _ = check(book)
    assert has(lines, "demo/trials/t0001.json", "trial_id: differs from 'T0001' only by case"), lines


def test_study_ids_that_differ_only_by_case(book):
    shutil.copytree(book / "other", book / "Other")
    path = book / "Other/study.yaml"
    path.write_text(path.read_text().replace("study_id: other", "study_id: Other"))
    edit_trial(book, lambda s: s.replace('"study_id": "other"', '"study_id": "Other"'), "Other/trials/t0000.json")
    lines, _ = check(book)
    assert has(lines, "other: study_id: differs from 'Other' only by case"), lines


def test_same_search_point_under_two_ids(book):
    shutil.copy(book / TRIAL, book / "demo/trials/t0099.json")
    edit_trial(book, lambda s: s.replace('"trial_id": "t0000"', '"trial_id": "t0099"'), "demo/trials/t0099.json")
    lines, _ = check(book)
    assert has(lines, "demo/trials/t0099.json", "hyperparameters: the same search point as 't0000'"), lines
    assert len(load_logbook(book).study("demo").trials) == 2


def test_more_search_trials_than_the_budget(book):
    path = book / SPEC
    path.write_text(path.read_text().replace("trial_budget: 8", "trial_budget: 1"))
    lines, _ = check(book)
    assert has(lines, SPEC, "trial_budget: revision 1 has 2 search trials, more than its trial_budget of 1"), lines


def test_revision_file_above_the_current_revision(book):
    (book / "demo/revisions").mkdir()
    spec = (book / SPEC).read_text()
    (book / "demo/revisions/r3.yaml").write_text(spec + "revision: 3\n")
    lines, _ = check(book)
    assert has(lines, "demo/revisions/r3.yaml", "revision: r3 is above the current revision 1"), lines
    assert 3 not in load_logbook(book).study("demo").revisions


# item 14 -----------------------------------------------------------------------------------------


def test_size_is_checked_before_reading(book):
    """A sparse file far above the limit is refused from its size alone (nothing is read)."""
    path = book / TRIAL
    with open(path, "r+b") as fh:
        fh.truncate(4 * 1024**3)  # 4 GiB, sparse: reading it would take 4 GiB of memory
    lines, _ = check(book)
    assert has(lines, TRIAL, f"file: larger than {MAX_RECORD_BYTES} bytes"), lines


def test_valid_record_over_the_cap_is_refused_on_the_fast_path(book):
    """A *valid* record above the cap used to be accepted (the cap guarded only the slow path)."""
    data = json.loads((book / TRIAL).read_text())
    data["status_reason"] = "x" * (MAX_RECORD_BYTES + 1)
    (book / TRIAL).write_text(json.dumps(data))
    lines, _ = check(book)
    assert has(lines, TRIAL, "larger than"), lines


def test_spec_over_its_cap(book):
    path = book / SPEC
    path.write_text(path.read_text() + "notes: " + "x" * MAX_SPEC_BYTES + "\n")
    lines, _ = check(book)
    assert has(lines, SPEC, f"larger than {MAX_SPEC_BYTES} bytes"), lines


# item 15 -----------------------------------------------------------------------------------------


def test_hyperparameter_limit(book):
    path = book / SPEC
    extra = "".join(
        f"- name: h{i}\n  role: fixed\n  value: {i}\n" for i in range(MAX_HYPERPARAMETERS)
    )
    path.write_text(path.read_text().replace("search_space:\n", "search_space:\n" + extra))
    lines, _ = check(book)
    assert has(lines, SPEC, f"search_space: {MAX_HYPERPARAMETERS + 3} hyperparameters; a study holds at most {MAX_HYPERPARAMETERS}"), lines


def test_curve_points_limit(book):
    n = MAX_CURVE_POINTS + 1
    data = json.loads((book / TRIAL).read_text())
    data["curves"] = {k: ([*range(n)] if k == "step" else [0.5] * n) for k in data["curves"] if k != "extra"}
    data["max_train_steps"] = n
    data["best"] = {"step": 1, "value": 0.5}
    (book / TRIAL).write_text(json.dumps(data))
    lines, _ = check(book)
    assert has(lines, TRIAL, f"curves.step: {n} points; a curve holds at most {MAX_CURVE_POINTS}"), lines


def test_trial_time_without_a_time_zone(book):
    """Mixing naive and aware times made the build's newest-record comparison raise."""
    edit_trial(book, lambda s: s.replace("2026-11-23T00:00:00Z", "2026-11-23T00:00:00"))
    lines, _ = check(book)
    assert has(lines, TRIAL, "provenance.created_utc", "has no time zone"), lines


def test_same_point_with_other_seeds_is_not_a_duplicate(book):
    """A Bayesian search may propose one point twice; trained with other seeds, both are kept."""
    shutil.copy(book / TRIAL, book / "demo/trials/t0099.json")
    edit_trial(
        book,
        lambda s: s.replace('"trial_id": "t0000"', '"trial_id": "t0099"').replace('"init": 1', '"init": 7'),
        "demo/trials/t0099.json",
    )
    r = run_cli("check", "--logbook", str(book), cwd=book.parent)
    assert r.returncode == 0, r.stdout + r.stderr

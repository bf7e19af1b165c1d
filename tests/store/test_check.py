"""`reportgen check`: every bad-input class exits 1 naming the file; nothing raises."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reportgen.store import dumps_record, load_logbook, write_spec, write_trial
from reportgen.store.load import parse_trial
from tests.conftest import REPO, make_spec, make_trial, run_cli


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A valid logbook with one study and two trials."""
    root = tmp_path / "logbook"
    write_spec(root, make_spec())
    write_trial(root, make_trial())
    write_trial(
        root,
        make_trial(
            trial_id="t0001",
            index=1,
            hyperparameters={"optimizer": "adam", "adam.learning_rate": 0.002, "width": 32},
        ),
    )
    return root


def check(root: Path):
    return run_cli("check", "--logbook", str(root))


def test_valid_logbook_passes(book):
    r = check(book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""
    assert "1 study, 2 trials" in r.stderr


def test_published_logbook_passes():
    r = check(REPO / "logbook")
    assert r.returncode == 0, r.stdout + r.stderr


TRIAL = "demo/trials/t0001.json"

BAD_TRIAL_BYTES = {
    "empty": (b"", "is empty"),
    "truncated": (None, "not valid JSON"),
    "invalid_utf8": (b'{"study_id": "\xff\xfe"}', "not valid UTF-8"),
    "binary": (bytes(range(256)) * 4, "not valid UTF-8"),
    "deeply_nested": (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    "array": (b"[1, 2, 3]", "expected a JSON object, got list"),
}


@pytest.mark.parametrize("case", sorted(BAD_TRIAL_BYTES))
def test_bad_trial_bytes(book, case):
    raw, message = BAD_TRIAL_BYTES[case]
    path = book / TRIAL
    if raw is None:
        raw = path.read_bytes()[: len(path.read_bytes()) // 2]
    path.write_bytes(raw)
    r = check(book)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stdout.splitlines()
    assert any(TRIAL in line and message in line for line in lines), r.stdout


def _edit_trial(book: Path, edit) -> None:
    path = book / TRIAL
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


@pytest.mark.parametrize(
    ("edit", "field", "message"),
    [
        (lambda d: d.update(surprise=1), "surprise", "Extra inputs are not permitted"),
        (lambda d: d.pop("seeds"), "seeds", "Field required"),
        (lambda d: d.update(index="first"), "index", "valid integer"),
        (
            lambda d: d["hyperparameters"].update({"adam.learning_rate": 5.0}),
            "hyperparameters.adam.learning_rate",
            "outside its range",
        ),
        (
            lambda d: d["hyperparameters"].update(width=33),
            "hyperparameters.width",
            "outside its range",
        ),
        (lambda d: d["hyperparameters"].pop("width"), "hyperparameters.width", "missing"),
        (lambda d: d.update(trial_id="t0000"), "trial_id", "does not match its file name"),
        (lambda d: d.update(study_id="other"), "study_id", "does not match its folder"),
        (lambda d: d.update(trial_id="../x"), "trial_id", "should match pattern"),
        (lambda d: d.update(study_revision=7), "study_revision", "above the spec's revision"),
    ],
)
def test_bad_trial_fields(book, edit, field, message):
    _edit_trial(book, edit)
    r = check(book)
    assert r.returncode == 1
    assert any(
        TRIAL in line and f": {field}: " in line and message in line
        for line in r.stdout.splitlines()
    ), r.stdout


def test_duplicate_trial_id(book):
    shutil.copy(book / TRIAL, book / "demo/trials/t0002.json")
    r = check(book)
    assert r.returncode == 1
    assert "demo/trials/t0002.json: trial_id: 't0001' does not match its file name" in r.stdout


def test_study_folder_without_spec(book):
    (book / "orphan" / "trials").mkdir(parents=True)
    r = check(book)
    assert r.returncode == 1
    assert "orphan: study.yaml: study folder has no study.yaml" in r.stdout


def test_yaml_alias_bomb_is_refused_quickly(book):
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(9)
    )
    (book / "demo/study.yaml").write_text(bomb)
    r = check(book)
    assert r.returncode == 1
    assert "demo/study.yaml:2: file: not valid YAML" in r.stdout and "aliases" in r.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- just\n- a list\n", "demo/study.yaml:1: (spec): expected a mapping of fields, got list"),
        ("title: [unclosed\n", "demo/study.yaml:2: file: not valid YAML"),
        ("{" * 5000, "file: "),
    ],
)
def test_bad_spec_text(book, text, expected):
    (book / "demo/study.yaml").write_text(text)
    r = check(book)
    assert r.returncode == 1
    assert expected in r.stdout, r.stdout
    assert "Traceback" not in r.stderr


def test_spec_field_errors_carry_line_numbers(book):
    data = yaml.safe_load((book / "demo/study.yaml").read_text())
    data["search_space"][1]["low"] = -1.0
    data["trial_budget"] = 0
    data["study_id"] = "../escape"
    (book / "demo/study.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    r = check(book)
    assert r.returncode == 1
    out = r.stdout
    assert "demo/study.yaml:" in out
    assert ": trial_budget: Input should be greater than 0" in out
    assert ": search_space.1: a log scale needs positive bounds, got low=-1.0" in out
    assert ": study_id: String should match pattern" in out
    # every problem in one run, each with a line number
    assert all(line.split(":")[1].isdigit() for line in out.splitlines())


def test_one_bad_study_does_not_hide_others(book):
    write_spec(book, make_spec(study_id="second"))
    write_trial(book, make_trial(study_id="second"))
    (book / TRIAL).write_text("{")
    (book / "second/trials/t0000.json").write_text("[]")
    lb = load_logbook(book)
    assert [s.study_id for s in lb.studies] == ["demo", "second"]
    assert lb.bad_studies == ("demo", "second")
    assert [len(s.trials) for s in lb.studies] == [1, 0]
    r = check(book)
    assert TRIAL in r.stdout and "second/trials/t0000.json" in r.stdout


def test_temporary_files_of_interrupted_writes_are_ignored(book):
    (book / "demo/trials/.t0005.json.tmp-123").write_text("{torn")
    assert check(book).returncode == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_parse_trial_never_raises_on_arbitrary_bytes(raw):
    record, problems = parse_trial(raw, "x.json")
    assert (record is None) == bool(problems)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=1024), st.text(max_size=1024).map(str.encode)))
def test_load_study_never_raises_on_arbitrary_spec_bytes(tmp_path_factory, raw):
    root = tmp_path_factory.mktemp("fuzz") / "logbook"
    folder = root / "demo"
    (folder / "trials").mkdir(parents=True)
    (folder / "study.yaml").write_bytes(raw)
    (folder / "trials" / "t0000.json").write_text(dumps_record(make_trial()))
    lb = load_logbook(root)
    assert lb.problems  # arbitrary bytes are never a valid spec with this trial


def test_a_study_over_the_curve_point_limit_keeps_its_first_trials_by_id(book, monkeypatch):
    import reportgen.store.crosscheck as crosscheck

    write_trial(
        book,
        make_trial(
            trial_id="t0002",
            index=2,
            hyperparameters={"optimizer": "adam", "adam.learning_rate": 0.003, "width": 128},
        ),
    )
    # three trials of 3 points each: a limit of 7 points holds the first two
    monkeypatch.setattr(crosscheck, "MAX_EVALUATIONS_PER_STUDY", 7)
    loaded = load_logbook(book)
    (study,) = loaded.studies
    assert [t.trial_id for t in study.trials] == ["t0000", "t0001"]
    (problem,) = loaded.problems
    assert problem.path.endswith("trials") and problem.field == "file", problem
    assert "9 curve points over 3 trials; a study holds at most 7 (the first 2 trials" in (
        problem.message
    )
    monkeypatch.setattr(crosscheck, "MAX_EVALUATIONS_PER_STUDY", 9)
    assert load_logbook(book).problems == ()


def test_a_probe_trial_may_train_outside_the_learning_rate_range_and_nothing_else():
    """An early-instability probe trains at twice a searched learning rate on purpose: its rate
    may leave the searched range; any other value of it, and a search trial's rate, may not."""
    from reportgen.schema import TrialKind
    from reportgen.store.trial_checks import trial_problems

    spec = make_spec()  # adam.learning_rate in [1e-4, 1e-2]
    hps = {"optimizer": "adam", "adam.learning_rate": 0.02, "width": 64}
    probe = make_trial(kind=TrialKind.PROBE, group="t0000", trial_id="t0000-probe",
                       hyperparameters=hps)
    assert trial_problems(probe, spec, "demo", "p") == []
    search = make_trial(hyperparameters=hps)
    assert [p.field for p in trial_problems(search, spec, "demo", "s")] == [
        "hyperparameters.adam.learning_rate"]
    wide = make_trial(kind=TrialKind.PROBE, group="t0000", trial_id="t0000-probe",
                      hyperparameters={**hps, "width": 33})
    assert [p.field for p in trial_problems(wide, spec, "demo", "w")] == ["hyperparameters.width"]

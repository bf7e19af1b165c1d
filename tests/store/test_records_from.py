"""A revision that re-decides an earlier revision's records (``records_from``): which trials it
analyses, and every way its spec can be wrong, named by file and field."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from reportgen.schema import TrialKind
from reportgen.schema.revision import EXPERIMENT_FIELDS, experiment_differences
from reportgen.store import load_study, write_spec, write_trial
from reportgen.store.lineage import read_revisions
from tests.conftest import make_spec, make_trial, run_cli

R1_LOG = [{"revision": 1, "summary": "The first run."}]
R2_LOG = [*R1_LOG, {"revision": 2, "summary": "Re-decided: was inconclusive, now adopt."}]


def write_revision(root: Path, spec) -> Path:
    """``revisions/r<N>.yaml`` as a person keeps it (the spec as write_spec writes study.yaml)."""
    path = root / spec.study_id / "revisions" / f"r{spec.revision}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(spec.model_dump_json(exclude_defaults=True))
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def search_trial(revision: int, i: int, *, sampler: int = 0, kind: str = "search"):
    return make_trial(
        trial_id=f"r{revision}-s{sampler}-{i:04d}",
        study_revision=revision,
        kind=kind,
        group="" if kind == "search" else f"sampler-seed-{sampler}",
        index=i,
        hyperparameters={"optimizer": "adam", "adam.learning_rate": 0.001 + 0.001 * i,
                         "width": [32, 64, 128][i % 3]},
        seeds={"init": 10 * sampler + i, "data_order": 100 + 10 * sampler + i, "sampler": sampler},
    )  # fmt: skip


def redecided_book(root: Path, *, r1_trials: int = 4, **r2_changes) -> Path:
    """Study 'demo': r1 (budget 4) with its search trials, r2 re-deciding them."""
    write_revision(root, make_spec(trial_budget=4, changelog=R1_LOG))
    r2 = dict(trial_budget=4, revision=2, records_from=1, changelog=R2_LOG, title="Re-decided")
    write_spec(root, make_spec(**(r2 | r2_changes)))
    for i in range(r1_trials):
        write_trial(root, search_trial(1, i))
    return root


def loaded(root: Path):
    study, problems = load_study(root / "demo", root)
    return study, [str(p) for p in problems]


def test_trials_at_follows_records_from_and_adds_the_revisions_own_reruns(tmp_path):
    root = redecided_book(tmp_path / "logbook")
    write_trial(root, search_trial(2, 0, sampler=1, kind="rerun"))  # a rerun recorded under r2
    study, problems = loaded(root)
    assert problems == []
    r1 = {t.trial_id for t in study.trials_at(1)}
    r2 = {t.trial_id for t in study.trials_at(2)}
    assert r1 == {f"r1-s0-{i:04d}" for i in range(4)}
    assert r2 == r1 | {"r2-s1-0000"}  # the earlier records and its own rerun
    assert read_revisions(study.revisions, 2) == (2, 1)
    # the earlier revision does not see the later one's trials
    assert all(t.study_revision == 1 for t in study.trials_at(1))


def test_records_from_follows_a_chain_of_re_decisions(tmp_path):
    root = redecided_book(tmp_path / "logbook")
    write_revision(root, make_spec(trial_budget=4, revision=2, records_from=1, changelog=R2_LOG))
    log3 = [*R2_LOG, {"revision": 3, "summary": "Re-decided again."}]
    write_spec(root, make_spec(trial_budget=4, revision=3, records_from=2, changelog=log3))
    write_trial(root, search_trial(2, 1, sampler=1, kind="rerun"))
    study, problems = loaded(root)
    assert problems == []
    assert len(study.trials_at(3)) == 5 and len(study.trials_at(2)) == 5
    assert len(study.trials_at(1)) == 4


def test_records_from_must_name_an_earlier_revision(tmp_path):
    root = redecided_book(tmp_path / "logbook")
    text = (root / "demo/study.yaml").read_text().replace("records_from: 1", "records_from: 2")
    (root / "demo/study.yaml").write_text(text)
    line = text.splitlines().index("records_from: 2") + 1
    _, problems = loaded(root)
    assert f"{root}/demo/study.yaml:{line}: records_from: 2 is not an earlier revision than this " \
        "one (2)" in problems, problems


def test_records_from_must_name_a_kept_revision(tmp_path):
    root = redecided_book(tmp_path / "logbook")
    (root / "demo/revisions/r1.yaml").unlink()
    _, problems = loaded(root)
    assert any(
        p.startswith(f"{root}/demo/study.yaml: records_from: revision 1 is not kept in this study")
        and "revisions/r1.yaml is missing or invalid" in p
        for p in problems
    ), problems


def test_records_from_refuses_another_experiment(tmp_path):
    root = redecided_book(tmp_path / "logbook", max_train_steps=200, eval_every=40)
    _, problems = loaded(root)
    found = [p for p in problems if ": records_from: " in p]
    assert len(found) == 1, problems
    assert found[0].startswith(f"{root}/demo/study.yaml: records_from: revision 1 ran another "
                               "experiment (its spec differs in max_train_steps, eval_every)")
    assert "write a new revision without records_from" in found[0]


def test_a_revision_file_is_named_when_its_own_records_from_is_wrong(tmp_path):
    root = redecided_book(tmp_path / "logbook")
    r2 = make_spec(trial_budget=8, revision=2, records_from=1, changelog=R2_LOG)
    write_revision(root, r2)
    log3 = [*R2_LOG, {"revision": 3, "summary": "A new run."}]
    write_spec(root, make_spec(trial_budget=4, revision=3, changelog=log3))
    _, problems = loaded(root)
    assert any(
        p.startswith(f"{root}/demo/revisions/r2.yaml: records_from: revision 1 ran another "
                     "experiment (its spec differs in trial_budget)")
        for p in problems
    ), problems


def test_presentation_fields_may_change(tmp_path):
    root = redecided_book(
        tmp_path / "logbook", goal="Asked again.", notes="New notes.",
        policy={"min_effect": 0.01}, override={"verdict": "adopt", "reason": "a person"},
    )  # fmt: skip
    assert loaded(root)[1] == []


def test_the_experiment_fields_are_written_once():
    a = make_spec()
    assert experiment_differences(a, a.model_copy(update={"title": "other"})) == []
    b = a.model_copy(update={"trial_budget": 9, "search": a.search.model_copy(update={"seed": 3})})
    assert experiment_differences(b, a) == ["search", "trial_budget"]
    assert set(EXPERIMENT_FIELDS) <= set(type(a).model_fields)


def test_the_budget_counts_the_search_trials_a_revision_reads(tmp_path):
    root = redecided_book(tmp_path / "logbook")
    write_trial(root, search_trial(2, 4))  # a search trial of its own on top of a full budget
    study, problems = loaded(root)
    assert f"{root}/demo/study.yaml: trial_budget: revision 2 has 5 search trials (with those " \
        "of r1, which it reads), more than its trial_budget of 4" in problems, problems
    assert sum(t.kind is TrialKind.SEARCH for t in study.trials_at(1)) == 4


def test_check_prints_records_from_problems_as_path_field_message(tmp_path):
    root = redecided_book(tmp_path / "logbook", trial_budget=6)
    r = run_cli("check", "--logbook", str(root))
    assert r.returncode == 1
    assert "demo/study.yaml: records_from: revision 1 ran another experiment (its spec " \
        "differs in trial_budget)" in r.stdout, r.stdout


def test_a_later_rerun_is_compared_with_the_records_it_joins_once(tmp_path):
    """An unsearched value (adam.b1) that differs between r1's records and r2's rerun is named
    once, for the rerun, against the trials revision 2 analyses."""
    from reportgen.store.unsearched import unsearched_disagreements

    root = tmp_path / "logbook"
    redecided_book(root, r1_trials=0)
    trials = [*(search_trial(1, i) for i in range(4)), search_trial(2, 0, sampler=1, kind="rerun")]
    for t in trials:
        b1 = 0.95 if t.study_revision == 2 else 0.9
        hps = t.hyperparameters | {"adam.b1": b1}
        write_trial(root, t.model_copy(update={"hyperparameters": hps}))
    study, problems = loaded(root)
    assert problems == []
    found = [str(p) for p in unsearched_disagreements(study)]
    assert len(found) == 1, found
    assert "r2-s1-0000.json: hyperparameters.adam.b1: 0.95, but 4 other trial(s) of revision 2 " \
        "recorded 0.9" in found[0]

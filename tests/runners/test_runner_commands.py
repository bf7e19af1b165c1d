"""``reportgen run / retrain / rerun`` end to end, as subprocesses against real training."""

from __future__ import annotations

import pytest

from reportgen.store import load_study
from tests.conftest import run_cli

pytest.importorskip("jax")
pytestmark = pytest.mark.jax


def _trials(logbook, study="tiny"):
    study_records, problems = load_study(logbook / study)
    assert problems == []
    return study_records.trials


def test_run_resume_retrain_rerun(tiny_logbook):
    lb = str(tiny_logbook)
    done = run_cli("run", "tiny", "--logbook", lb, "--quiet")
    assert done.returncode == 0, done.stderr
    trials = _trials(tiny_logbook)
    assert [t.trial_id for t in trials] == [f"r1-s0-{i:04d}" for i in range(4)]
    t0 = trials[0]
    assert t0.kind.value == "search" and t0.execution.mode == "vectorised"
    assert t0.execution.group_size == 2  # two widths -> two groups of two
    assert t0.curves.step == [20, 40] and t0.dataset["n_train"] == 1197
    assert t0.hyperparameters["adam.b1"] == 0.9 and t0.test_metrics["test_accuracy"] > 0
    before = (tiny_logbook / "tiny" / "trials" / "r1-s0-0000.json").read_text()

    again = run_cli("run", "tiny", "--logbook", lb, "--quiet")
    assert again.returncode == 1 and "--resume" in again.stderr
    resumed = run_cli("run", "tiny", "--logbook", lb, "--resume", "--quiet")
    assert resumed.returncode == 0 and "wrote 0 trial" in resumed.stderr
    assert (tiny_logbook / "tiny" / "trials" / "r1-s0-0000.json").read_text() == before

    rt = run_cli("retrain", "tiny", "--logbook", lb, "--seeds", "2", "--quiet")
    assert rt.returncode == 0, rt.stderr
    retrains = [t for t in _trials(tiny_logbook) if t.kind.value == "retrain"]
    assert len(retrains) == 2 and len({t.group for t in retrains}) == 1
    source = next(t for t in _trials(tiny_logbook) if t.trial_id == retrains[0].group)
    assert all(t.hyperparameters == source.hyperparameters for t in retrains)
    assert len({t.seeds.init for t in [*retrains, source]}) == 3

    rr = run_cli(
        "rerun", "tiny", "--logbook", lb, "--sampler-seeds", "1", "--quiet", "--mode", "sequential"
    )
    assert rr.returncode == 0, rr.stderr
    reruns = [t for t in _trials(tiny_logbook) if t.kind.value == "rerun"]
    assert len(reruns) == 4 and {t.group for t in reruns} == {"sampler-seed-1"}
    assert {t.execution.mode for t in reruns} == {"sequential"}
    assert {t.seeds.sampler for t in reruns} == {1}
    assert run_cli("check", "--logbook", lb).returncode == 0


def test_bad_spec_and_unknown_study_exit_1_with_a_clear_message(tmp_path):
    lb = tmp_path / "logbook"
    (lb / "broken").mkdir(parents=True)
    (lb / "broken" / "study.yaml").write_text("study_id: broken\ntitle: x\n")
    bad = run_cli("run", "broken", "--logbook", str(lb))
    assert bad.returncode == 1 and "study.yaml" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli("run", "nope", "--logbook", str(lb))
    assert missing.returncode == 1 and "no study 'nope'" in missing.stderr


def test_unknown_workload_is_reported(tmp_path):
    from reportgen.store import write_spec
    from tests.runners.conftest import tiny_spec

    lb = tmp_path / "logbook"
    write_spec(lb, tiny_spec(workload={"name": "mnist_mlp", "settings": {}}))
    out = run_cli("run", "tiny", "--logbook", str(lb))
    assert (
        out.returncode == 1
        and "known: digits_mlp, external, fashion_cnn, shakespeare_lm" in out.stderr
    )


def test_bayesian_search_runs_through_the_study_runner(tmp_path):
    from reportgen.store import write_spec
    from runners.study_runner import StudyRunner
    from tests.runners.conftest import tiny_spec

    lb = tmp_path / "logbook"
    write_spec(
        lb, tiny_spec(search={"kind": "bayesian", "seed": 5}, phase="exploitation", trial_budget=3)
    )
    records = StudyRunner(lb, "tiny", quiet=True).run_search()
    assert sorted(r.trial_id for r in records) == ["r1-s5-0000", "r1-s5-0001", "r1-s5-0002"]
    assert all(1e-3 <= r.hyperparameters["adam.learning_rate"] <= 1e-2 for r in records)
    study, problems = load_study(lb / "tiny")
    assert problems == [] and len(study.trials) == 3

"""Store cross-checks: integer values written as floats, best.value against the curve, retrains
that repeat their source's seeds. Each is reported as ``path: field: message`` and the record is
kept out of the analysis."""

from __future__ import annotations

from pathlib import Path

from reportgen.schema import Best, Seeds, TrialKind
from reportgen.store import write_spec, write_trial
from reportgen.store.load import load_study
from tests.conftest import make_spec, make_trial, run_cli


def _load(root: Path):
    study, problems = load_study(root / "demo", root)
    # problems name the file relative to the working folder; keep the part inside the logbook
    return study, [str(p).split("/logbook/", 1)[1] for p in problems]


def test_integer_value_written_as_float_is_rejected_with_the_fix(tmp_path):
    root = tmp_path / "logbook"
    write_spec(root, make_spec())
    write_trial(root, make_trial())
    write_trial(
        root,
        make_trial(
            trial_id="t0001",
            index=1,
            hyperparameters={"optimizer": "adam", "adam.learning_rate": 0.001, "width": 32.0},
        ),
    )
    study, problems = _load(root)
    assert problems == [
        "demo/trials/t0001.json: hyperparameters.width: 32.0 is a float where the spec's "
        "values [32, 64, 128] are integers; write 32"
    ]
    assert [t.trial_id for t in study.trials] == ["t0000"]
    r = run_cli("check", "--logbook", str(root))
    assert r.returncode == 1 and "write 32" in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def test_best_value_must_match_the_curve(tmp_path):
    root = tmp_path / "logbook"
    write_spec(root, make_spec())
    write_trial(root, make_trial(best=Best(step=100, value=0.05)))  # the curve says 0.1
    write_trial(root, make_trial(trial_id="t0001", index=1, best=Best(step=50, value=0.3)))
    _, problems = _load(root)
    assert problems == [
        "demo/trials/t0000.json: best.value: 0.05 differs from valid_error at step 100 (0.1)",
        "demo/trials/t0001.json: best.value: 0.3 is not the best of valid_error: step 100 has 0.1",
    ]


def test_retrain_repeating_its_source_seeds_is_flagged(tmp_path):
    root = tmp_path / "logbook"
    write_spec(root, make_spec())
    write_trial(root, make_trial())  # seeds init=1, data_order=2
    write_trial(root, make_trial(trial_id="t0000-rt1", kind=TrialKind.RETRAIN, group="t0000"))
    fresh = Seeds(init=7, data_order=8, sampler=0)
    write_trial(
        root, make_trial(trial_id="t0000-rt2", kind=TrialKind.RETRAIN, group="t0000", seeds=fresh)
    )
    study, problems = _load(root)
    assert len(problems) == 1
    assert problems[0].startswith("demo/trials/t0000-rt1.json: seeds: a retrain of t0000 repeats")
    assert [t.trial_id for t in study.trials] == ["t0000", "t0000-rt2"]

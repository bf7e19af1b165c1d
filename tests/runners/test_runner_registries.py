"""Registries and trial resolution: unknown names fail with the known ones; namespacing."""

from __future__ import annotations

import pytest

from reportgen.errors import ReportgenError
from tests.conftest import make_spec

pytest.importorskip("jax")
pytestmark = pytest.mark.jax


def test_unknown_names_fail_with_the_known_names():
    from runners.optimizers import optimizer_def
    from runners.schedules import schedule_index
    from runners.workloads import get_workload

    with pytest.raises(
        ReportgenError, match="known: digits_mlp, external, fashion_cnn, shakespeare_lm"
    ):
        get_workload("mnist")
    with pytest.raises(
        ReportgenError, match="known: sgd, momentum, nesterov, rmsprop, adam, nadam, adamw"
    ):
        optimizer_def("lamb")
    with pytest.raises(ReportgenError, match="known: constant, linear, cosine"):
        schedule_index("step")


def test_resolve_namespaces_optimizer_hyperparameters_and_fills_defaults():
    from runners.trial_config import resolve
    from runners.workloads import get_workload

    spec = make_spec()
    cfg = resolve(spec, get_workload("digits_mlp"), {"adam.learning_rate": 0.003, "width": 128})
    assert cfg.optimizer == "adam"
    assert cfg.traced["learning_rate"] == pytest.approx(0.003)
    assert cfg.recorded["adam.learning_rate"] == 0.003
    assert cfg.recorded["adam.b2"] == 0.999  # default filled in
    assert cfg.recorded["width"] == 128 and cfg.recorded["batch_size"] == 32
    assert dict(cfg.shape)["width"] == 128
    other = resolve(spec, get_workload("digits_mlp"), {"adam.learning_rate": 0.001, "width": 32})
    assert other.group_key != cfg.group_key  # width changes shapes
    same = resolve(spec, get_workload("digits_mlp"), {"adam.learning_rate": 0.01, "width": 128})
    assert same.group_key == cfg.group_key  # the learning rate does not


def test_unknown_hyperparameters_and_settings_are_named():
    from runners.trial_config import check_spec
    from runners.workloads import get_workload

    w = get_workload("digits_mlp")
    bad = make_spec(
        search_space=[
            {
                "name": "adam.momentum",
                "role": "nuisance",
                "scale": "linear",
                "low": 0.1,
                "high": 0.9,
            }
        ]
    )
    with pytest.raises(ReportgenError, match="adam has no hyperparameter 'momentum'"):
        check_spec(bad, w)
    bad = make_spec(workload={"name": "digits_mlp", "settings": {"hidden": 3}})
    with pytest.raises(ReportgenError, match="workload.settings.hidden"):
        check_spec(bad, w)


def test_schedules_warm_up_then_decay():
    from runners.schedules import learning_rate

    lr = [float(learning_rate(s, 1.0, 10, 2, 110)) for s in (0, 9, 10, 60, 109)]
    assert lr[0] == pytest.approx(0.1) and lr[1] == pytest.approx(1.0)
    assert lr[3] == pytest.approx(0.5, abs=0.02) and lr[4] < 0.01
    lin = [float(learning_rate(s, 2.0, 0, 1, 100)) for s in (0, 50, 100)]
    assert lin == pytest.approx([2.0, 1.0, 0.0])
    assert float(learning_rate(500, 0.3, 0, 0, 100)) == pytest.approx(0.3)


def test_missing_dataset_names_the_setup_command(tmp_path, monkeypatch):
    from runners.workloads import get_workload

    monkeypatch.setenv("TUNING_LOGBOOK_DATA", str(tmp_path))
    with pytest.raises(ReportgenError, match=r"python -m runners\.datasets"):
        get_workload("fashion_cnn").load(get_workload("fashion_cnn").all_settings())
    with pytest.raises(ReportgenError, match="shakespeare"):
        get_workload("shakespeare_lm").load(get_workload("shakespeare_lm").all_settings())

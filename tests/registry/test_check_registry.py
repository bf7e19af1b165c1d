"""`reportgen check` rejects what `reportgen run` would reject, with JAX not importable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from reportgen.store import write_spec, write_trial
from tests.conftest import REPO, make_spec, make_trial

NO_JAX = (
    "import sys\n"
    "for m in ('jax', 'jaxlib', 'optax', 'flax'): sys.modules[m] = None\n"
    "from reportgen.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def check_without_jax(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", NO_JAX, "check", "--logbook", str(root)],
        cwd=root.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def book_with(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """A valid one-study logbook whose study.yaml is then edited as a person would."""
    root = tmp_path / "logbook"
    write_spec(root, make_spec())
    write_trial(root, make_trial())
    path = root / "demo" / "study.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return root


def _line_of(root: Path, needle: str) -> int:
    """The line where ``needle`` (possibly several lines) starts in the study file."""
    text = (root / "demo" / "study.yaml").read_text()
    return text[: text.index(needle)].count("\n") + 1


def test_valid_study_passes_without_jax(tmp_path):
    r = check_without_jax(book_with(tmp_path, lambda d: None))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == ""


def _set_workload(d, name):  # type: ignore[no-untyped-def]
    d["workload"]["name"] = name


def _set_optimizer(d, name):  # type: ignore[no-untyped-def]
    d["search_space"][0]["value"] = name


CASES = {
    "unknown_workload": (
        lambda d: _set_workload(d, "mnist_resnet"),
        "workload.name",
        "unknown workload 'mnist_resnet'; known: digits_mlp, external, fashion_cnn, shakespeare_lm",
        "name: mnist_resnet",
    ),
    "unknown_optimizer": (
        lambda d: _set_optimizer(d, "adamm"),
        "search_space.optimizer",
        "unknown optimizer 'adamm'; known: sgd, momentum",
        "value: adamm",
    ),
    "unknown_setting": (
        lambda d: d["workload"]["settings"].update(depht=3),
        "workload.settings.depht",
        "digits_mlp has no setting 'depht'; known: activation",
        "depht: 3",
    ),
    "bad_setting_value": (
        lambda d: d["workload"]["settings"].update(activation="swish"),
        "workload.settings.activation",
        "Input should be 'relu', 'gelu', 'tanh' or 'silu'",
        "activation: swish",
    ),
    "searched_name_not_a_setting": (
        lambda d: d["search_space"][2].update(name="widht"),
        "search_space.widht",
        "not a workload setting",
        "name: widht",
    ),
    "optimizer_has_no_such_hyperparameter": (
        lambda d: d["search_space"][1].update(name="adam.beta1"),
        "search_space.adam.beta1",
        "adam has no hyperparameter 'beta1'; known: learning_rate, b1, b2, eps",
        "name: adam.beta1",
    ),
    "searched_value_the_workload_refuses": (
        lambda d: d["search_space"].append(
            {"name": "activation", "role": "nuisance", "scale": "categorical", "values": ["relu", "swish"]}
        ),
        "search_space.activation",
        "'swish': Input should be",
        "values:\n  - relu\n  - swish",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_rejects_what_run_would_reject(tmp_path, case):
    edit, field, message, line_text = CASES[case]
    root = book_with(tmp_path, edit)
    r = check_without_jax(root)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr
    expected = f"logbook/demo/study.yaml:{_line_of(root, line_text)}: {field}: "
    hits = [ln for ln in r.stdout.splitlines() if ln.startswith(expected)]
    assert hits, f"no line starting {expected!r} in:\n{r.stdout}"
    assert message in hits[0]


def test_inactive_tuned_hyperparameter_is_a_warning(tmp_path):
    def edit(d):  # type: ignore[no-untyped-def]
        d["search_space"].append(
            {"name": "sgd.learning_rate", "role": "nuisance", "scale": "log", "low": 0.01, "high": 1.0}
        )

    root = book_with(tmp_path, edit)
    (root / "demo" / "trials" / "t0000.json").unlink()  # the study is designed, not yet run
    r = check_without_jax(root)
    assert r.returncode == 0, r.stdout + r.stderr
    line = _line_of(root, "name: sgd.learning_rate")
    assert r.stdout.strip() == (
        f"logbook/demo/study.yaml:{line}: search_space.sgd.learning_rate: warning: tuned but "
        "never active: study 'demo' trains with optimizer adam, never sgd"
    )
    assert "1 warning" in r.stderr


def test_trials_disagreeing_on_an_unsearched_hyperparameter(tmp_path):
    root = tmp_path / "logbook"
    write_spec(root, make_spec())
    hp = {"optimizer": "adam", "adam.learning_rate": 0.001, "width": 64, "batch_size": 32}
    for i in range(3):  # distinct search points (the same point twice is its own error)
        point = {**hp, "adam.learning_rate": 0.001 * (i + 1)}
        write_trial(root, make_trial(trial_id=f"t000{i}", index=i, hyperparameters=point))
    odd = {**hp, "adam.learning_rate": 0.004, "batch_size": 128}
    write_trial(root, make_trial(trial_id="t0003", index=3, hyperparameters=odd))
    r = check_without_jax(root)
    assert r.returncode == 1, r.stdout + r.stderr
    assert r.stdout.splitlines() == [
        "logbook/demo/trials/t0003.json: hyperparameters.batch_size: 128, but 3 other trial(s) "
        "of revision 1 recorded 32; the spec does not search 'batch_size', so a default changed "
        "between trials (search it, or fix it in the spec)"
    ]


def test_unimportable_plugin_dependency_is_a_warning_not_an_error(tmp_path):
    """A plugin whose framework is not installed where `check` runs: its settings are not
    checked, and `check` says so; a plugin module that does not exist at all is an error."""
    pkg = tmp_path / "needs_jax_plugin.py"
    pkg.write_text("import flax\n\ndef make_workload():\n    raise AssertionError\n")

    def edit(d, entry):  # type: ignore[no-untyped-def]
        d["workload"] = {"entry": entry, "settings": {}}

    root = book_with(tmp_path, lambda d: edit(d, "needs_jax_plugin:make_workload"))
    allow = '[tool.reportgen]\nplugins = ["needs_jax_plugin", "no_such_pkg"]\n'
    (tmp_path / "pyproject.toml").write_text(allow)
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{tmp_path}"}
    r = subprocess.run(
        [sys.executable, "-c", NO_JAX, "check", "--logbook", str(root)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert ": workload.entry: warning: not checked: workload 'needs_jax_plugin:make_workload': " in r.stdout
    root2 = book_with(tmp_path / "b", lambda d: edit(d, "no_such_pkg.models:make_workload"))
    (tmp_path / "b" / "pyproject.toml").write_text(allow)
    r = check_without_jax(root2)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "workload.entry: workload 'no_such_pkg.models:make_workload': cannot import" in r.stdout

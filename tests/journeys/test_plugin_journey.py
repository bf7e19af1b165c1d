"""A user's own workload plugin in their own project folder, as "Tune your own model" says:
allowed in the project's pyproject.toml, named by import path, and used by the console script
from the project folder with no PYTHONPATH. Before: `reportgen check/run/analyze/build` could
not import it (only `python -m reportgen` or `PYTHONPATH=.` could), and nothing asked the owner
whether a study may name code at all."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO
from tests.journeys.helpers import reportgen

pytestmark = pytest.mark.jax

STUDY = """\
study_id: my-blocks
title: One or two residual blocks in my Flax model
goal: Decide whether a second residual block helps once the learning rate is tuned.
workload:
  entry: my_models.residual:make_workload
  settings: {features: 16, batch_size: 32}
search_space:
- {name: optimizer, role: fixed, value: adam}
- {name: blocks, role: scientific, scale: discrete, values: [1, 2]}
- {name: adam.learning_rate, role: nuisance, scale: log, low: 0.001, high: 0.01}
trial_budget: 2
max_train_steps: 20
eval_every: 10
baseline: {hyperparameter: blocks, value: 1}
candidate: 2
"""


def test_a_plugin_in_the_users_folder_checks_runs_and_builds(tmp_path):
    project = tmp_path / "project"
    (project / "my_models").mkdir(parents=True)
    (project / "my_models" / "__init__.py").write_text("")
    shutil.copy(REPO / "examples" / "flax_digits.py", project / "my_models" / "residual.py")
    (project / "logbook" / "my-blocks").mkdir(parents=True)
    (project / "logbook" / "my-blocks" / "study.yaml").write_text(STUDY)
    r = reportgen("check", cwd=project)
    assert r.returncode == 0 and "is not an allowed plugin" in r.stdout, r.stdout + r.stderr
    assert 'plugins = ["my_models.residual"] under [tool.reportgen]' in r.stdout
    r = reportgen("run", "my-blocks", "--quiet", cwd=project)
    assert r.returncode == 1 and "is not an allowed plugin" in r.stderr, r.stderr
    (project / "pyproject.toml").write_text('[tool.reportgen]\nplugins = ["my_models"]\n')
    r = reportgen("check", cwd=project)
    assert r.returncode == 0 and r.stdout == "", r.stdout + r.stderr
    r = reportgen("run", "my-blocks", "--quiet", cwd=project)
    assert r.returncode == 0 and "wrote 2 trial(s)" in r.stderr, r.stderr
    assert reportgen("analyze", "my-blocks", cwd=project).returncode == 0
    r = reportgen("build", "--site", str(tmp_path / "site"), cwd=project)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "site" / "studies" / "my-blocks" / "index.html").is_file()

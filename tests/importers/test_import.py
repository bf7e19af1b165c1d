"""`reportgen import` against files written by Optuna, tensorboardX and MLflow in the test."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess

import pytest

from reportgen.cli import main
from reportgen.site.mkdocs_run import DEFAULT_DOCS
from reportgen.store import load_logbook
from tests.conftest import REPO, run_cli
from tests.importers import sources


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("sources")
    sources.optuna_study(f"sqlite:///{root / 'optuna.db'}")
    sources.optuna_study(sources.journal_storage(root / "journal.log"), n_trials=8)
    sources.tensorboard_runs(root / "tb")
    sources.mlflow_store((root / "mlruns").as_uri())
    sources.mlflow_store(f"sqlite:///{root / 'mlflow.db'}")
    return root


def _import(kind, source, logbook, study, *extra):
    """`reportgen import` in this process (the tools' import time is paid once per session)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = main(["import", kind, str(source), "--study", study, "--logbook", str(logbook), *extra])
    return subprocess.CompletedProcess(["reportgen", "import"], rc, "", err.getvalue())


def _trials(logbook, study):
    return {
        p.stem: json.loads(p.read_text()) for p in sorted((logbook / study / "trials").glob("*.json"))
    }


CASES = {
    "optuna-sqlite": ("optuna", "optuna.db", ("--scientific", "width", "--baseline", "width=64", "--candidate", "128")),
    "optuna-journal": ("optuna", "journal.log", ("--scientific", "width")),
    "tensorboard": ("tensorboard", "tb", ("--scientific", "width", "--baseline", "width=32", "--candidate", "64")),
    "mlflow-file": ("mlflow", "mlruns", ("--scientific", "width")),
    "mlflow-sqlite": ("mlflow", "sqlite:///{root}/mlflow.db", ("--scientific", "width")),
}


def _source(made, name):
    kind, src, extra = CASES[name]
    return kind, (src.format(root=made) if "{root}" in src else made / src), extra


@pytest.fixture(scope="module")
def imported(made, tmp_path_factory):
    """Every source imported into one logbook (each once)."""
    logbook = tmp_path_factory.mktemp("logbook")
    for name in CASES:
        kind, src, extra = _source(made, name)
        proc = _import(kind, src, logbook, name, *extra)
        assert proc.returncode == 0, proc.stderr
    return logbook


def test_every_import_passes_check(imported):
    proc = run_cli("check", "--logbook", str(imported))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    book = load_logbook(imported)
    counts = {s.spec.study_id: len(s.trials) for s in book.studies}
    assert counts == {
        "optuna-sqlite": 16,
        "optuna-journal": 8,
        "tensorboard": 4,  # add_hparams' timestamped subfolders are part of their run
        "mlflow-file": 4,
        "mlflow-sqlite": 4,
    }
    for s in book.studies:
        assert s.spec.source is not None and s.spec.source.tool_version
        for t in s.trials:
            src = t.provenance.source
            assert src is not None and src.kind == s.spec.source.kind and src.run_id


def test_optuna_states_curves_space_and_attrs(imported):
    book = load_logbook(imported)
    study = next(s for s in book.studies if s.spec.study_id == "optuna-sqlite")
    space = {hp.name: hp for hp in study.spec.search_space}
    assert (space["learning_rate"].scale, space["learning_rate"].low, space["learning_rate"].high) == ("log", 1e-4, 1e-1)
    assert space["width"].scale == "categorical" and space["width"].role == "scientific"
    assert space["depth"].scale == "discrete" and space["depth"].values == [1, 2, 3]
    assert study.spec.baseline.value == 64 and study.spec.candidate == 128
    by_id = {t.trial_id: t for t in study.trials}
    failed = by_id["optuna-0003"]
    assert failed.status == "failed" and "failed in Optuna" in failed.status_reason
    pruned = [t for t in study.trials if t.status_reason.startswith("pruned")]
    assert pruned, "the MedianPruner stopped some trials"
    assert all(len(t.curves) < 5 for t in pruned)  # the partial curve is kept
    assert all(t.status == "stopped" for t in pruned)  # stopped on purpose, not a failure
    complete = [t for t in study.trials if t.status == "complete"]
    assert complete and all(t.curves.step == [10, 20, 30, 40, 50] for t in complete)
    assert all(t.best.value == min(t.curves.extra["objective"]) for t in complete)
    assert all(t.provenance.source.attrs == {"dataset": "digits"} for t in study.trials)


def test_tensorboard_tags_and_hparams(imported):
    trials = _trials(imported, "tensorboard")
    assert sorted(trials) == [f"tensorboard-run{i}" for i in range(4)]
    t = trials["tensorboard-run1"]
    assert t["hyperparameters"] == {"learning_rate": 1e-2, "width": 64, "optimizer": "adam"}
    assert t["curves"]["step"] == [0, 10, 20, 30, 40]
    assert t["curves"]["train_loss"][0] == pytest.approx(1.01, rel=1e-6)
    assert t["curves"]["learning_rate"][0] == pytest.approx(1e-2, rel=1e-6)
    spec = (imported / "tensorboard" / "study.yaml").read_text()
    assert "name: optimizer\n  role: fixed\n  value: adam" in spec  # constant: fixed


def test_mlflow_params_metrics_and_status(imported):
    for study in ("mlflow-file", "mlflow-sqlite"):
        trials = list(_trials(imported, study).values())
        assert sorted(t["status"] for t in trials) == ["complete", "complete", "complete", "failed"]
        failed = next(t for t in trials if t["status"] == "failed")
        assert failed["status_reason"] == "MLflow run status FAILED"
        assert {t["hyperparameters"]["width"] for t in trials} == {32, 64}
        assert all(t["hyperparameters"]["use_bias"] is True for t in trials)
        assert all(len(t["curves"]["valid_loss"]) == 5 for t in trials)


@pytest.mark.parametrize("name", list(CASES))
def test_a_reimport_adds_nothing(made, imported, name):
    kind, src, extra = _source(made, name)
    before = {p.name: p.read_bytes() for p in (imported / name).rglob("*") if p.is_file()}
    proc = _import(kind, src, imported, name, *extra)
    assert proc.returncode == 0, proc.stderr
    assert "0 runs added" in proc.stderr
    after = {p.name: p.read_bytes() for p in (imported / name).rglob("*") if p.is_file()}
    assert after == before


def test_a_running_sweep_imported_again_adds_only_new_runs(tmp_path):
    db = f"sqlite:///{tmp_path / 'live.db'}"
    sources.optuna_study(db, n_trials=6)
    logbook = tmp_path / "logbook"
    assert _import("optuna", tmp_path / "live.db", logbook, "live").returncode == 0
    first = _trials(logbook, "live")
    sources.optuna_study(db, n_trials=4)  # the sweep goes on
    proc = _import("optuna", tmp_path / "live.db", logbook, "live")
    assert proc.returncode == 0, proc.stderr
    assert "4 runs added, 6 already there" in proc.stderr
    second = _trials(logbook, "live")
    assert len(second) == 10 and all(second[k] == v for k, v in first.items())


def test_pages_with_axis_plots_curves_and_source(imported, tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(DEFAULT_DOCS, docs)
    proc = run_cli(
        "build", "--logbook", str(imported), "--docs", str(docs), "--site", str(tmp_path / "site"),
        "--config", str(REPO / "mkdocs.yml"), cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    for name in CASES:
        page = (docs / "studies" / name / "index.md").read_text()
        # whole sections (``### Training curves`` is also a checklist heading)
        axis = page.split("\n## Axis plots\n")[1].split("\n## ")[0]
        curves = page.split("\n## Training curves\n")[1].split("\n## ")[0]
        assert 'class="vega-chart" id="axis-0"' in axis
        assert 'class="vega-chart" id="curves-0"' in curves
        assert "| **source** |" in page and CASES[name][0] in page.split("| **source** |")[1]
        assert (tmp_path / "site" / "studies" / name / "index.html").is_file()


def _truncate(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def test_a_truncated_sqlite_file_writes_nothing(made, tmp_path):
    bad = tmp_path / "bad.db"
    shutil.copy(made / "optuna.db", bad)
    _truncate(bad)
    logbook = tmp_path / "logbook"
    proc = _import("optuna", bad, logbook, "bad")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{bad}: cannot be read as an Optuna storage" in proc.stderr
    assert not logbook.exists() or not any(logbook.iterdir())


def test_an_event_file_cut_in_half_writes_nothing(made, tmp_path):
    tb = tmp_path / "tb"
    shutil.copytree(made / "tb", tb)
    event = next((tb / "run2").glob("*tfevents*"))
    _truncate(event)
    logbook = tmp_path / "logbook"
    proc = _import("tensorboard", tb, logbook, "bad")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert f"{event}: event file is truncated or corrupt" in proc.stderr
    assert not logbook.exists() or not any(logbook.iterdir())


def test_values_that_cannot_be_mapped_are_reported_and_nothing_written(made, tmp_path):
    logbook = tmp_path / "logbook"
    # a baseline value the study never tried cannot make a valid spec
    proc = _import("tensorboard", made / "tb", logbook, "tbx", "--scientific", "width", "--baseline", "width=48")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "study.yaml (from" in proc.stderr and "baseline value 48 is not a value of 'width'" in proc.stderr
    assert not logbook.exists() or not any(logbook.iterdir())


def test_a_hyperparameter_name_the_schema_cannot_hold_is_reported(tmp_path):
    from tensorboardX import SummaryWriter

    w = SummaryWriter(str(tmp_path / "tb" / "run0"))
    w.add_scalar("val/loss", 0.5, 10)
    w.add_hparams({"model/lr": 0.1}, {"hparam/val_loss": 0.5})
    w.close()
    logbook = tmp_path / "logbook"
    proc = _import("tensorboard", tmp_path / "tb", logbook, "names")
    assert proc.returncode == 1
    assert f"{tmp_path / 'tb'}#run0: hyperparameters.model/lr: name is not an identifier" in proc.stderr
    assert not logbook.exists() or not any(logbook.iterdir())


def test_a_missing_extra_names_it(tmp_path):
    import sys

    code = (
        "import sys; sys.modules['optuna'] = None\n"
        "from reportgen.cli import main\n"
        f"sys.exit(main(['import', 'optuna', 'x.db', '--study', 's', '--logbook', {str(tmp_path)!r}]))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": ""})
    assert r.returncode == 1, r.stderr
    assert "pip install 'tuning-logbook[optuna]'" in r.stderr and "Traceback" not in r.stderr


def test_an_unknown_role_name_is_reported_with_the_known_ones(tmp_path):
    from tensorboardX import SummaryWriter

    w = SummaryWriter(str(tmp_path / "tb" / "run0"))
    w.add_scalar("val/loss", 0.5, 10)
    w.add_hparams({"width": 32}, {"hparam/val_loss": 0.5})
    w.close()
    roles = tmp_path / "roles.yaml"
    roles.write_text("scientific: [widht]\n")
    logbook = tmp_path / "logbook"
    proc = _import("tensorboard", tmp_path / "tb", logbook, "roles", "--roles", str(roles))
    assert proc.returncode == 1
    assert "roles.widht: no such hyperparameter in the source; known: width" in proc.stderr
    assert not logbook.exists() or not any(logbook.iterdir())

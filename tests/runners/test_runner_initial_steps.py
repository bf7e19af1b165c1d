"""Item 42 on real training: the runners record the training error of the batches they sample
(computed inside the scanned step), and a real constant-learning-rate sweep of the digits MLP
gives the initial max_train_steps its records show, on the analysis and on the built page."""

from __future__ import annotations

import html

import numpy as np
import pytest

from tests.runners.conftest import ADAM_TRIAL

pytest.importorskip("jax")
pytestmark = pytest.mark.jax

BASE = dict(ADAM_TRIAL, learning_rate=0.0)
RATES = [0.001, 0.003, 0.01, 0.03, 0.1]


def test_train_error_is_the_error_of_the_sampled_batches():
    """At learning rate 0 the parameters stay at their initial values, so the training error
    recorded at each step (one eval per step) is the initial model's error on the batch that
    step sampled: recomputed here outside the compiled program, batch by batch."""
    import jax
    import jax.numpy as jnp

    from runners.device_data import device_data
    from runners.vectorised import GroupPlan, GroupTrainer
    from runners.workloads import get_workload

    w = get_workload("digits_mlp")
    cfg = {**w.all_settings(), "depth": 1, "width": 16, "batch_size": 32}
    data = w.load(cfg)
    trainer = GroupTrainer(GroupPlan(w, cfg, "adam", 6, 1), device_data(data, 1000))
    seeds = (5, 7, 0)
    [out] = trainer.train([BASE], [seeds], "vectorised").trials
    params = w.init(jax.random.PRNGKey(seeds[0]), cfg)
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    expected = []
    for step in range(6):
        key = jax.random.fold_in(jax.random.PRNGKey(seeds[1]), step)
        xb, yb = w.sample_batch(key, x, y, 32, cfg)
        logits = w.apply(params, xb, cfg, 0.0, jax.random.PRNGKey(0), False)
        expected.append(float((jnp.argmax(logits, -1) != yb).mean()))
    assert out.curves["train_error"] == pytest.approx(expected, abs=1e-6)
    assert len(set(expected)) > 1  # the batches differ: a constant would not pass


def sweep_spec():
    from reportgen.schema import StudySpec

    return StudySpec(
        study_id="lr-sweep",
        title="Constant learning-rate sweep of the digits MLP",
        goal="Find a first max_train_steps: the step where the fastest rate fits the training set.",
        workload={"name": "digits_mlp", "settings": {"batch_size": 64, "depth": 1, "width": 128}},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "discrete",
                "values": RATES,
            },
        ],
        search={"kind": "grid"},
        trial_budget=len(RATES),
        max_train_steps=600,
        eval_every=20,
    )


def test_a_real_constant_rate_sweep_suggests_the_fastest_fit(tmp_path):
    from reportgen.analysis import analyze_study
    from reportgen.site import build_site
    from reportgen.store import load_study, write_spec
    from runners.study_runner import StudyRunner

    logbook = tmp_path / "logbook"
    write_spec(logbook, sweep_spec())
    StudyRunner(logbook, "lr-sweep", quiet=True).run_search()
    records, problems = load_study(logbook / "lr-sweep")
    assert problems == [] and records is not None
    trials = list(records.trials)
    assert len(trials) == len(RATES)
    # every record carries the training error at each evaluation, a share of a batch
    fit = {}
    for t in trials:
        err = np.asarray(t.curves.extra["train_error"])
        assert err.shape == (30,) and np.all((err >= 0) & (err <= 1))
        assert t.hyperparameters["schedule"] == "constant" and t.hyperparameters["dropout"] == 0
        zero = [s for s, e in zip(t.curves.step, err, strict=True) if e == 0.0]
        if zero and t.status == "complete":
            fit[t.hyperparameters["adam.learning_rate"]] = zero[0]
    # the answer read straight off the records: the first zero of the fastest rate
    assert fit, "no learning rate fit the digits training set in 600 steps"
    fastest = min(fit, key=lambda lr: (fit[lr], lr))
    a = analyze_study(records.spec, trials)
    x = a.extras.initial_steps
    assert x is not None
    assert {r.learning_rate: r.fit_step for r in x.rows if r.fit_step} == fit
    interior = min(RATES) < fastest < max(RATES)
    assert interior, f"the fastest rate {fastest} sits at an end of {RATES}"
    assert x.suggested_steps == fit[fastest] and x.refusal == ""
    [f] = [f for f in a.findings if f.key == "steps.initial_max_train_steps"]
    assert f"`max_train_steps: {fit[fastest]}`" in f.message
    # the same records without the rates above the fastest: now it is the grid's top end
    cut = [t for t in trials if t.hyperparameters["adam.learning_rate"] <= fastest]
    b = analyze_study(records.spec, cut).extras.initial_steps
    assert b.suggested_steps is None and b.refusal == "boundary"
    # the page shows the section, the suggestion and the fit of each rate
    docs = tmp_path / "docs"
    build_site(logbook, docs, tmp_path / "site", run_site=False)
    page = html.unescape(
        "\n".join(
            p.read_text(encoding="utf-8")
            for p in sorted((docs / "studies" / "lr-sweep").glob("*.md"))
        )
    )
    assert "### Initial step budget from the learning-rate sweep" in page
    assert f"Suggested initial max_train_steps: {fit[fastest]}" in page
    assert "algorithm-for-picking-an-initial-candidate-for-max_train_steps" in page
    for row in x.rows:
        assert (
            f"({row.trial_id}) | " + (f"step {row.fit_step}" if row.fit_step else "not within")
            in page
        )

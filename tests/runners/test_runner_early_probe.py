"""Item 63 on real training: `reportgen run STUDY --probe early` trains the first steps of the
best trial of a digits study again at twice its learning rate, evaluated every step, records it
as a probe trial, and the study page draws its every-step loss and says what it showed."""

from __future__ import annotations

import html
import math

import pytest

from tests.conftest import run_cli
from tests.runners.conftest import tiny_spec

pytest.importorskip("jax")
pytestmark = pytest.mark.jax

LR = "adam.learning_rate"


def test_the_early_probe_run_records_and_page(tmp_path):
    from reportgen.analysis import analyze_study
    from reportgen.schema import TrialKind
    from reportgen.schema.playbook import early_probe_steps
    from reportgen.site import build_site
    from reportgen.store import load_study, write_spec

    logbook = tmp_path / "logbook"
    spec = tiny_spec(
        max_train_steps=200,
        eval_every=20,
        trial_budget=4,
        workload={
            "name": "digits_mlp",
            "settings": {"batch_size": 32, "depth": 1, "width": 16, "schedule": "cosine"},
        },
    )
    write_spec(logbook, spec)
    # before the search there is no best trial to probe: a clear error, no traceback
    early = run_cli("run", "tiny", "--logbook", str(logbook), "--probe", "early", "--quiet")
    assert early.returncode != 0 and "no complete search trial" in early.stderr
    assert "Traceback" not in early.stderr
    ray = run_cli(
        "run", "tiny", "--logbook", str(logbook), "--probe", "early", "--executor", "ray", "--quiet"
    )
    assert ray.returncode != 0 and "drop --executor ray" in ray.stderr
    done = run_cli("run", "tiny", "--logbook", str(logbook), "--quiet")
    assert done.returncode == 0, done.stderr
    records, _ = load_study(logbook / "tiny")
    search = list(records.trials)
    best = min((t for t in search if t.best), key=lambda t: (t.best.value, t.trial_id))

    done = run_cli("run", "tiny", "--logbook", str(logbook), "--probe", "early", "--quiet")
    assert done.returncode == 0, done.stderr
    assert "early probe of tiny: wrote 1 trial(s)" in done.stderr
    records, problems = load_study(logbook / "tiny")
    assert problems == []
    [probe] = [t for t in records.trials if t.kind is TrialKind.PROBE]
    n = early_probe_steps(200)
    assert n == 20
    assert probe.trial_id == f"{best.trial_id}-probe" and probe.group == best.trial_id
    assert probe.max_train_steps == n and list(probe.curves.step) == list(range(1, n + 1))
    assert probe.hyperparameters[LR] == pytest.approx(2 * best.hyperparameters[LR])
    assert probe.seeds == best.seeds  # only the learning rate differs
    # the schedule spans the study's 200 steps, not the probe's 20: a cosine decay has barely
    # started at step 20 (it would be at zero had it been squeezed into the probe)
    lr = list(probe.curves.learning_rate)
    cosine = 0.5 * (1 + math.cos(math.pi * 19 / 200))  # the rate of step 20 (0-based 19)
    assert lr[-1] == pytest.approx(2 * best.hyperparameters[LR] * cosine, rel=1e-5)
    assert len(probe.curves.extra["train_error"]) == n
    # a second probe run of the same best trial is refused without --resume
    again = run_cli("run", "tiny", "--logbook", str(logbook), "--probe", "early", "--quiet")
    assert again.returncode != 0 and "--resume" in again.stderr

    a = analyze_study(records.spec, list(records.trials))
    assert a.summary.n_trials == 4  # the probe is not a search trial
    [p] = a.extras.early_probes
    assert p.trial_id == probe.trial_id and p.steps == n
    [f] = [f for f in a.findings if f.key == "instability.early_probe"]
    assert f.subject == probe.trial_id and p.outcome in f.evidence["outcome"]
    assert f"the first {n} steps of {best.trial_id}" in f.message

    docs = tmp_path / "docs"
    build_site(logbook, docs, tmp_path / "site", run_site=False)
    folder = docs / "studies" / "tiny"
    page = html.unescape(
        "\n".join(
            x.read_text(encoding="utf-8")
            for x in [*sorted(folder.glob("*.md")), *sorted(folder.glob(".*.sidecar.txt"))]
        )
    )
    assert "### Early-instability probe" in page
    assert f"| {probe.trial_id} | first {n} steps of {best.trial_id}" in page
    assert 'id="pb-early-probe"' in page
    assert 'data-key="instability.early_probe"' in page
    assert f.message.split(":")[0] in page

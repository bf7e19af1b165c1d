"""Item 63: what an early-instability probe (a trial of kind probe, every step) showed, on
constructed records with known answers; probe trials stay out of the search."""

from __future__ import annotations

from reportgen.analysis import analyze_study
from reportgen.analysis.early_probe import check_early_probes, read_probe
from reportgen.analysis.loss_spikes import check_instability
from reportgen.analysis.objective import score_trials
from reportgen.schema import Curves, Policy, Status, TrialKind
from tests.analysis.analysis_builders import flat, spec, trial

NAN = float("nan")
POLICY = Policy()
N = 20  # the probe of a 200-step study


def probe(train: list[float], *, status=Status.COMPLETE, tid="best-probe"):
    """A probe of trial ``best`` at twice its learning rate, evaluated every step 1..len."""
    n = len(train)
    t = trial(tid, [0.5] * n, lr=2e-3, kind=TrialKind.PROBE, group="best", status=status,
              train=train)
    curves = Curves(step=list(range(1, n + 1)), train_loss=train, valid_loss=[1.0] * n,
                    valid_error=[0.5] * n, learning_rate=[2e-3] * n, grad_norm=[1.0] * n)
    return t.model_copy(update={"curves": curves, "max_train_steps": N,
                                "best": None if status is not Status.COMPLETE else t.best})


def falling_loss(n=N):
    return [2.3 * 0.9**i for i in range(n)]


def spike_then_recover():
    y = falling_loss()
    for i in range(5, 9):  # steps 6 to 9: the loss jumps back up to 2.0, then training recovers
        y[i] = 2.0
    return y


def test_a_smooth_probe_is_stable():
    p = read_probe(probe(falling_loss()), POLICY)
    assert (p.outcome, p.episodes, p.source_trial, p.steps) == ("stable", [], "best", N)
    assert p.learning_rate == 2e-3
    [f] = check_early_probes(spec(max_train_steps=200, eval_every=20), [p])
    assert f.key == "instability.early_probe" and f.severity == "info"
    assert "no loss spike" in f.message and "first 20 steps of best" in f.message


def test_an_early_spike_that_recovers_is_named_with_its_steps():
    p = read_probe(probe(spike_then_recover()), POLICY)
    assert p.outcome == "spiked and recovered"
    [e] = p.episodes
    assert e.start_step == 5 and 9 <= e.end_step < N
    [f] = check_early_probes(spec(max_train_steps=200, eval_every=20), [p])
    assert f.severity == "warning" and "recovered" in f.message
    assert "every 20 steps the study's own curves cannot show it" in f.message


def test_a_spike_still_open_at_the_end_and_a_divergence():
    y = falling_loss()
    y[-4:] = [2.0] * 4
    assert read_probe(probe(y), POLICY).outcome == "spiked, not recovered"
    dead = read_probe(probe([2.3, 2.0, 1.8, NAN], status=Status.DIVERGED), POLICY)
    assert dead.outcome == "diverged" and dead.diverged_step == 4
    [f] = check_early_probes(spec(), [dead])
    assert "did not recover" in f.message


def test_once_probed_the_suggestion_gives_way_to_the_outcome():
    s = spec(max_train_steps=200, eval_every=20)
    best = trial("best", flat(0.1), lr=1e-3, index=0)
    dead = trial("high", [2.0, NAN], lr=1e-2, index=2, status=Status.DIVERGED)
    scored = score_trials([best, dead], s.objective)
    before = [f for f in check_instability(s, scored, POLICY)[0]
              if f.key == "instability.early_probe"]
    assert len(before) == 1 and "--probe early" in before[0].message
    after = check_instability(s, scored, POLICY, probed=True)[0]
    assert "instability.early_probe" not in {f.key for f in after}
    a = analyze_study(s, [best, dead, probe(spike_then_recover())])
    [f] = [f for f in a.findings if f.key == "instability.early_probe"]
    assert f.subject == "best-probe" and "recovered" in f.message
    assert [p.outcome for p in a.extras.early_probes] == ["spiked and recovered"]


def test_probe_trials_are_not_search_trials():
    s = spec(max_train_steps=100, eval_every=10)
    search = [trial(f"t{i}", flat(0.1 + 0.01 * i), lr=1e-3 * (i + 1), index=i) for i in range(4)]
    with_probe = analyze_study(s, [*search, probe(falling_loss())])
    alone = analyze_study(s, search)
    assert with_probe.summary.n_trials == alone.summary.n_trials == 4
    # the probe's own max_train_steps (20) and cadence (every step) are not a design problem
    assert "design.max_steps_varies" not in {f.key for f in with_probe.findings}
    assert "design.eval_cadence" not in {f.key for f in with_probe.findings}
    assert [p.trial_id for p in with_probe.extras.early_probes] == ["best-probe"]

"""Simulated studies as trial records, analysed by ``analyze_study``: the vectorised new rule of
``decision_rules`` must give every one of them the same verdict as the analysis itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
from decision_rules import new_rule
from decision_sims import LOG_BEST, LOG_LR, Batch, Design, simulate

from reportgen.analysis import analyze_study
from reportgen.schema import (
    Best,
    Curves,
    Execution,
    Policy,
    Provenance,
    Seeds,
    Status,
    StudySpec,
    TrialKind,
    TrialRecord,
    Verdict,
)

WIDTHS = [64, 32, 128, 256, 16, 8]  # the first is the baseline, the second the candidate
STEPS = [10 * (i + 1) for i in range(10)]
_CURVES = Curves(
    step=STEPS,
    train_loss=[0.5] * 10,
    valid_loss=[0.4] * 10,
    valid_error=[0.4] * 10,
    learning_rate=[3e-3] * 10,
    grad_norm=[1.0] * 10,
)
_TRIAL = TrialRecord(
    study_id="sim",
    study_revision=1,
    trial_id="template",
    kind=TrialKind.SEARCH,
    index=0,
    hyperparameters={"lr": 3e-3, "width": 64},
    seeds=Seeds(init=0, data_order=0, sampler=0),
    status=Status.COMPLETE,
    curves=_CURVES,
    best=Best(step=10, value=0.4),
    max_train_steps=100,
    wall_seconds=1.0,
    step_seconds=0.01,
    execution=Execution(mode="sequential"),
    provenance=Provenance(created_utc=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
)


def spec_of(design: Design, policy: Policy) -> StudySpec:
    lr = (
        {
            "name": "lr",
            "role": "nuisance",
            "scale": "log",
            "low": 10 ** LOG_LR[0],
            "high": 10 ** LOG_LR[1],
        }
        if design.nuisance
        else {"name": "lr", "role": "fixed", "value": 10**LOG_BEST}
    )
    widths = WIDTHS[: design.values]
    return StudySpec(
        study_id="sim",
        title="Simulated study",
        goal="Calibrate the launch decision.",
        workload={"name": "digits_mlp"},
        search_space=[
            lr,
            {"name": "width", "role": "scientific", "scale": "discrete", "values": widths},
        ],
        baseline={"hyperparameter": "width", "value": widths[0]},
        trial_budget=sum(design.per_value()),
        max_train_steps=100,
        eval_every=10,
        policy=policy,
    )


def _record(
    tid: str, y: np.ndarray, width: int, x: float, kind: TrialKind, group: str, index: int
) -> TrialRecord:
    valid = [float(v) for v in y]
    b = int(np.argmin(valid))
    return _TRIAL.model_copy(
        update={
            "trial_id": tid,
            "kind": kind,
            "group": group,
            "index": index,
            "hyperparameters": {"lr": float(10**x), "width": width},
            "seeds": Seeds(init=index, data_order=index, sampler=0),
            "curves": _CURVES.model_copy(
                update={
                    "train_loss": [v + 0.1 for v in valid],
                    "valid_loss": valid,
                    "valid_error": valid,
                    "learning_rate": [float(10**x)] * len(valid),
                }
            ),
            "best": Best(step=STEPS[b], value=valid[b]),
        }
    )


def records(batch: Batch, i: int, n: int) -> list[TrialRecord]:
    """Study ``i`` of ``batch`` with its first ``n`` retrains per retrained value."""
    d = batch.design
    out = []
    sources = {}
    for seed in range(d.reruns + 1):
        kind = TrialKind.SEARCH if seed == 0 else TrialKind.RERUN
        group = "" if seed == 0 else f"sampler-seed-{seed}"
        k = 0
        for a in range(d.values):
            for j in range(d.per_value()[a]):
                tid = f"s{seed}-{k:03d}"
                out.append(
                    _record(
                        tid,
                        batch.curves[a][i, seed, j],
                        WIDTHS[a],
                        batch.lr[a][i, seed, j],
                        kind,
                        group,
                        k,
                    )
                )
                if seed == 0 and j == batch.source[i, a]:
                    sources[a] = (tid, batch.lr[a][i, seed, j])
                k += 1
    for a, rc in enumerate(batch.retrain_curves):
        if rc is None or not (d.retrain_all or a in (0, batch.candidate[i])):
            continue
        src, x = sources[a]
        for r in range(n):
            out.append(
                _record(f"{src}-rt{r + 1}", rc[i, r], WIDTHS[a], x, TrialKind.RETRAIN, src, r + 1)
            )
    return out


CASES = [
    ("no nuisance, 10 per arm", Design(nuisance=False), Policy(), 10),
    ("no nuisance, 5 per arm", Design(nuisance=False), Policy(), 5),
    ("4 reruns", Design(reruns=4), Policy(), 10),
    ("2 reruns", Design(reruns=2), Policy(nuisance_reruns=2), 10),
    ("noisy candidate, 4 reruns", Design(reruns=4, eval_sd=(0.002, 0.008)), Policy(), 10),
    ("6 values, 4 reruns", Design(values=6, reruns=4), Policy(), 10),
    ("4 values all retrained", Design(values=4, reruns=4, retrain_all=True), Policy(), 10),
    ("9 vs 3 trials", Design(trials=(3, 9), reruns=4), Policy(), 10),
]


def check(per_case: int, seed: int = 0, effect: float = 1.5) -> int:
    """How many simulated studies get a different verdict from ``analyze_study`` than from the
    vectorised new rule (``per_case`` studies of each case)."""
    bad = 0
    rng = np.random.default_rng(seed)
    for name, design, policy, n in CASES:
        batch = simulate(replace(design, retrains=n), effect, per_case, rng)
        adopt, reject, _ = new_rule(batch, n, policy)
        spec = spec_of(design, policy)
        for i in range(per_case):
            d = analyze_study(spec, records(batch, i, n)).decision
            want = (
                Verdict.ADOPT if adopt[i] else Verdict.REJECT if reject[i] else Verdict.INCONCLUSIVE
            )
            if d.verdict is not want:
                bad += 1
                print(f"  {name} #{i}: analyze_study {d.verdict}, vectorised {want}: {d.reason}")
    return bad

"""Test helpers for the site: a small logbook written through the store, and a hand-made
analysis (used until the analysis layer is wired in; it computes only trivial facts)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from reportgen.schema import (
    Decision,
    ExpectedBest,
    Finding,
    Isolation,
    IsolationPoint,
    RetrainGroup,
    Role,
    Severity,
    StudyAnalysis,
    StudySpec,
    StudyVariance,
    Summary,
    TrialKind,
    TrialPoint,
    TrialRecord,
    Variance,
    Verdict,
)
from reportgen.store import write_spec, write_trial
from tests.conftest import make_spec, make_trial


def hand_analysis(spec: StudySpec, trials: list[TrialRecord], **_: object) -> StudyAnalysis:
    feas = sorted(
        (t for t in trials if t.feasible and t.kind is TrialKind.SEARCH), key=lambda t: t.best.value
    )
    rank = {t.trial_id: i + 1 for i, t in enumerate(feas)}
    points = [
        TrialPoint(
            trial_id=t.trial_id,
            kind=t.kind,
            group=t.group,
            status=t.status,
            status_reason=t.status_reason,
            hyperparameters=t.hyperparameters,
            value=t.best.value if t.feasible and t.best else None,
            best_step=t.best.step if t.best else None,
            rank=rank.get(t.trial_id),
        )
        for t in trials
    ]
    by_status: dict[str, int] = {}
    for t in trials:
        by_status[str(t.status)] = by_status.get(str(t.status), 0) + 1
    best = next((p for p in points if p.rank == 1), None)
    top = sorted((p for p in points if p.rank), key=lambda p: p.rank)[:3]
    isolation = []
    for hp in spec.by_role(Role.SCIENTIFIC):
        pts = []
        for v in hp.values or []:
            mine = [p for p in points if p.hyperparameters.get(hp.name) == v]
            good = [p for p in mine if p.value is not None]
            b = min(good, key=lambda p: p.value) if good else None
            pts.append(
                IsolationPoint(
                    label=str(v),
                    value=v,
                    best_value=b.value if b else None,
                    best_trial_id=b.trial_id if b else None,
                    n_trials=len(mine),
                    n_feasible=len(good),
                )
            )
        isolation.append(Isolation(hyperparameter=hp.name, bucketed=False, points=pts))
    groups = {}
    for t in trials:
        if t.kind is TrialKind.RETRAIN and t.best:
            groups.setdefault(t.group, []).append(t)
    retrains = []
    for g, ts in sorted(groups.items()):
        vals = [t.best.value for t in ts]
        m = sum(vals) / len(vals)
        retrains.append(
            RetrainGroup(
                group=g,
                label=g,
                trial_ids=[t.trial_id for t in ts],
                values=vals,
                n=len(vals),
                mean=m,
                std=0.01,
                ci_low=m - 0.02,
                ci_high=m + 0.02,
            )
        )
    study = StudyVariance(
        source="bootstrap",
        n=3,
        values=[0.1, 0.11, 0.12],
        mean=0.11,
        std=0.01,
        label="resampled trials",
    )
    findings = [
        Finding(
            key="boundary",
            severity=Severity.WARNING,
            message=f"best trials near the upper bound of {spec.varied[0].name}",
            anchor="identifying-bad-search-space-boundaries",
            subject=spec.varied[0].name,
            evidence={"top_k": 3},
        ),
        Finding(
            key="curves",
            severity=Severity.INFO,
            message="still improving at the end",
            anchor="examining-the-training-curves",
            evidence={"trials": [t.trial_id for t in trials[:2]]},
        ),
    ]
    policy = spec.policy
    return StudyAnalysis(
        study_id=spec.study_id,
        revision=spec.revision,
        objective=spec.objective,
        summary=Summary(
            n_trials=len(trials),
            by_status=by_status,
            by_reason={},
            infeasible_fraction=1 - len(feas) / max(1, len(trials)),
            best=best,
            top=top,
            points=points,
        ),
        findings=findings,
        isolation=isolation,
        variance=Variance(
            trial=retrains,
            study=study,
            expected_best=[
                ExpectedBest(k=k, mean=0.2 / k, low=0.15 / k, high=0.25 / k) for k in (1, 2, 4, 8)
            ],
        ),
        decision=Decision(
            verdict=Verdict.INCONCLUSIVE,
            candidate_label="width = 128",
            baseline_label="width = 64",
            effect=0.01,
            ci_low=-0.01,
            ci_high=0.03,
            retrains_needed=6,
            reason="the interval crosses zero",
            next_step="retrain both arms",
            override=spec.override,
            policy=policy,
        ),
        policy=policy,
    )


def write_logbook(
    root: Path,
    *,
    spec_overrides: dict | None = None,
    extra_hps: list[dict] | None = None,
    n: int = 12,
    steps: int = 40,
) -> Path:
    """A small logbook of one study 'demo' with search and retrain trials (and one diverged)."""
    overrides = dict(spec_overrides or {})
    if extra_hps:
        overrides["search_space"] = make_spec().model_dump()["search_space"] + extra_hps
    spec = make_spec(**overrides)
    write_spec(root, spec)
    widths = [32, 64, 128]
    for i in range(n):
        lr = 10 ** (-4 + 2 * ((i * 0.618) % 1))
        step = [k * 5 for k in range(steps)]
        loss = [
            2.3 * math.exp(-k * lr * 40) + 0.05 + 0.01 * ((k * 7 + i) % 3) for k in range(steps)
        ]
        err = [min(0.9, x / 2.5) for x in loss]
        diverged = i == n - 1
        if diverged:
            loss = loss[:10] + [float("nan")] * (steps - 10)
            err = err[:10] + [float("nan")] * (steps - 10)
        best_i = min(range(len(err)), key=lambda k: err[k] if not math.isnan(err[k]) else 9)
        rec = make_trial(
            trial_id=f"t{i:04d}",
            index=i,
            hyperparameters={"optimizer": "adam", "adam.learning_rate": lr, "width": widths[i % 3]}
            | {hp["name"]: hp["values"][i % len(hp["values"])] for hp in extra_hps or []},
            curves=dict(
                step=step,
                train_loss=loss,
                valid_loss=loss,
                valid_error=err,
                learning_rate=[lr] * steps,
                grad_norm=[1.0] * steps,
            ),
            status="diverged" if diverged else "complete",
            status_reason="loss became NaN" if diverged else "",
            best={"step": step[best_i], "value": err[best_i]},
            final_value=None if diverged else err[-1],
            max_train_steps=step[-1],
            provenance={
                "created_utc": dt.datetime(2026, 11, 23, 10, i, tzinfo=dt.UTC),
                "code_version": "abc123",
            },
        )
        write_trial(root, rec)
    for j in range(3):
        rec = make_trial(
            trial_id=f"r{j}",
            kind="retrain",
            group="t0000",
            index=j,
            hyperparameters=make_trial().hyperparameters
            | {hp["name"]: hp["values"][0] for hp in extra_hps or []},
            best={"step": 100, "value": 0.1 + 0.005 * j},
            provenance={"created_utc": dt.datetime(2026, 11, 23, 11, j, tzinfo=dt.UTC)},
        )
        write_trial(root, rec)
    return root

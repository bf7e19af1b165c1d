"""Small constructed studies for the analysis tests: trials from a list of objective values."""

from __future__ import annotations

import datetime as dt

from reportgen.schema import (
    Best,
    Curves,
    Execution,
    Provenance,
    Seeds,
    Status,
    StudySpec,
    TrialKind,
    TrialRecord,
)


def spec(*, nuisance: bool = True, **overrides) -> StudySpec:
    """A study of learning rate (log nuisance) and width (discrete scientific).

    With ``nuisance=False`` the learning rate is fixed instead: the arms then differ by seed
    noise only, so a clear difference may be adopted without reruns."""
    base = dict(
        study_id="demo",
        title="Demo study",
        goal="Test the analysis.",
        workload={"name": "digits_mlp"},
        search_space=[
            {"name": "optimizer", "role": "fixed", "value": "adam"},
            {
                "name": "adam.learning_rate",
                "role": "nuisance",
                "scale": "log",
                "low": 1e-4,
                "high": 1e-1,
            },
            {"name": "width", "role": "scientific", "scale": "discrete", "values": [32, 64]},
        ],
        trial_budget=8,
        max_train_steps=100,
        eval_every=10,
    )
    if not nuisance:
        base["search_space"][1] = {"name": "adam.learning_rate", "role": "fixed", "value": 1e-3}
    base.update(overrides)
    return StudySpec(**base)


def trial(
    tid: str,
    valid: list[float],
    *,
    index: int = 0,
    lr: float = 1e-3,
    width: int = 64,
    train: list[float] | None = None,
    status: Status = Status.COMPLETE,
    kind: TrialKind = TrialKind.SEARCH,
    group: str = "",
    hyperparameters: dict | None = None,
) -> TrialRecord:
    """A trial whose valid_error curve is ``valid``, evaluated every 10 steps from step 10."""
    n = len(valid)
    steps = [10 * (i + 1) for i in range(n)]
    train = train if train is not None else [v + 0.1 for v in valid]
    finite = [(v, s) for v, s in zip(valid, steps, strict=True) if v == v]
    best = min(finite) if finite and status is Status.COMPLETE else None
    return TrialRecord(
        study_id="demo",
        study_revision=1,
        trial_id=tid,
        kind=kind,
        group=group,
        index=index,
        hyperparameters=hyperparameters
        or {"optimizer": "adam", "adam.learning_rate": lr, "width": width},
        seeds=Seeds(init=index + (0 if kind is TrialKind.SEARCH else 1000), data_order=index, sampler=0),
        status=status,
        status_reason="" if status is Status.COMPLETE else "loss became NaN",
        curves=Curves(
            step=steps,
            train_loss=train,
            valid_loss=valid,
            valid_error=valid,
            learning_rate=[lr] * n,
            grad_norm=[1.0] * n,
        ),
        best=Best(step=best[1], value=best[0]) if best else None,
        max_train_steps=max(100, steps[-1]),
        wall_seconds=1.0,
        step_seconds=0.01,
        execution=Execution(mode="sequential"),
        provenance=Provenance(created_utc=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    )


def flat(value: float, n: int = 10) -> list[float]:
    """A curve that falls quickly to ``value`` and stays there (no curve finding but early saturation)."""
    return [value + 0.5, value + 0.2] + [value] * (n - 2)


def falling(value: float, n: int = 10) -> list[float]:
    """A curve still going down steeply at the end, reaching ``value`` on its last evaluation."""
    return [value + 0.01 * (n - 1 - i) for i in range(n)]

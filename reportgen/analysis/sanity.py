"""Start-of-project checks: the initial-configuration sanity card, provenance, the variance
sources a result varied, data splits of candidate and baseline, and optimizer update rules."""

from __future__ import annotations

from collections.abc import Sequence

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Severity, StudySpec, TrialKind, TrialRecord
from reportgen.schema.playbook import Provenance, SanityCard

NEAR_CHANCE = 0.5  # (tool default) best closing less than half the gap from chance to perfect

# Update rules in the playbook's conventions (our notation); optax's ε placement differs.
UPDATE_RULES: dict[str, str] = {
    "sgd": "θ ← θ − η·g",
    "momentum": "v ← γ·v + g;  θ ← θ − η·v",
    "nesterov": "v ← γ·v + g;  θ ← θ − η·(γ·v + g)",
    "rmsprop": "v ← ρ·v + (1−ρ)·g²;  m ← γ·m + η·g/√(v+ε);  θ ← θ − m",
    "adam": "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  θ ← θ − η·b·m/(√v + ε), b = √(1−β₂ᵗ)/(1−β₁ᵗ)",
    "nadam": "as Adam with numerator β₁·m + (1−β₁)·g",
    "adamw": "as Adam, plus decoupled weight decay θ ← θ − η·λ·θ",
}
OPTAX_CONVENTION = (
    "Recorded with optax: its adam/nadam add ε after bias correction (the playbook folds the "
    "correction in first), so ε values are not comparable across the two conventions; its "
    "rmsprop starts v at 0, not 1."
)


# The hyperparameters each optimizer runs with (the runners' registry records all of them, defaults
# included; records from other tools may not).
OPTIMIZER_HPARAMS: dict[str, tuple[str, ...]] = {
    "sgd": ("learning_rate",),
    "momentum": ("learning_rate", "momentum"),
    "nesterov": ("learning_rate", "momentum"),
    "rmsprop": ("learning_rate", "decay", "eps"),
    "adam": ("learning_rate", "b1", "b2", "eps"),
    "nadam": ("learning_rate", "b1", "b2", "eps"),
    "adamw": ("learning_rate", "b1", "b2", "eps", "weight_decay"),
}


def check_optimizer_record(trials: Sequence[TrialRecord]) -> list[Finding]:
    """Every hyperparameter of the optimizer a trial used is recorded, defaults included."""
    missing: dict[str, int] = {}
    for t in trials:
        name = t.hyperparameters.get("optimizer")
        needed = OPTIMIZER_HPARAMS.get(str(name)) if name is not None else None
        if needed is None:
            continue
        for h in needed:
            if f"{name}.{h}" not in t.hyperparameters and h not in t.hyperparameters:
                missing[f"{name}.{h}"] = missing.get(f"{name}.{h}", 0) + 1
    if not missing:
        return []
    names = sorted(missing)
    return [
        finding(
            "design.optimizer_unrecorded",
            Severity.WARNING,
            f"Trials do not record {', '.join(names)}: the values they ran with (library "
            "defaults) are unknown to a reader, and defaults and ε conventions differ between "
            "libraries. Record every optimizer hyperparameter, defaults included.",
            missing=names,
            trials=max(missing.values()),
        )
    ]


def sanity_card(spec: StudySpec, search: ScoredTrials) -> SanityCard:
    ranking = search.ranking()
    best = float(search.values[int(ranking[0])]) if len(ranking) else None
    margin = None
    if spec.chance_level is not None and best is not None:
        margin = search.sign * (spec.chance_level - best)
    schedules = {t.hyperparameters.get("schedule") for t in search.trials}
    checks = [
        ("constant learning rate first",
         "yes" if schedules <= {"constant", None} else f"no ({', '.join(sorted(map(str, schedules - {None})))})"),
        ("no regularisation extras",
         "yes" if all(not t.hyperparameters.get(k) for t in search.trials[:1]
                      for k in ("dropout", "label_smoothing", "weight_decay")) else "no"),
    ]
    return SanityCard(chance_level=spec.chance_level, best_value=best, margin=margin,
                      simple_start=checks)


def check_sanity(card: SanityCard) -> list[Finding]:
    if card.chance_level is None or card.best_value is None or card.margin is None:
        return []
    gap = abs(card.chance_level)  # distance from chance to a perfect score of 0 (error, loss)
    if card.margin <= 0 or (gap > 0 and card.margin < NEAR_CHANCE * gap):
        return [
            finding(
                "sanity.near_chance",
                Severity.WARNING,
                f"The best value {fmt(card.best_value)} is not much better than chance "
                f"({fmt(card.chance_level)}): the starting configuration should beat chance "
                "clearly before tuning builds on it.",
                best=card.best_value,
                chance=card.chance_level,
            )
        ]
    return []


def _varies(values: Sequence[object]) -> str:
    vs = [v for v in values if v is not None]
    if not vs:
        return "not recorded"
    return "varied" if len(set(vs)) > 1 else "fixed"


def provenance(spec: StudySpec, trials: Sequence[TrialRecord]) -> Provenance:
    retrains = [t for t in trials if t.kind is TrialKind.RETRAIN] or list(trials)
    sources = [
        ("model init seed (retrains)", _varies([t.seeds.init for t in retrains])),
        ("data order seed (retrains)", _varies([t.seeds.data_order for t in retrains])),
        ("dropout seed (retrains)", _varies([t.seeds.dropout for t in retrains])),
        ("search sampler seed", _varies([t.seeds.sampler for t in trials])),
        ("data split", _varies([t.dataset.get("split_seed") for t in trials])),
    ]
    splits = sorted({f"{t.dataset.get('dataset', '?')} split {t.dataset.get('split_seed', '?')}"
                     for t in trials if t.dataset})
    optimizers = sorted({str(t.hyperparameters.get("optimizer")) for t in trials
                         if t.hyperparameters.get("optimizer") is not None})
    rules = [(o, UPDATE_RULES[o]) for o in optimizers if o in UPDATE_RULES]
    return Provenance(
        task=spec.task,
        model_family=spec.model.family,
        model_reference=spec.model.reference,
        variance_sources=sources,
        data_splits=splits,
        optimizer_rules=rules,
        convention=OPTAX_CONVENTION if rules else "",
    )


def _split(t: TrialRecord) -> tuple[object, object]:
    return (t.dataset.get("split_seed"), t.dataset.get("sha256"))


def check_splits(
    trials: Sequence[TrialRecord], baseline_trials: Sequence[TrialRecord] | None
) -> list[Finding]:
    """Candidate and baseline must be scored on the same data split."""
    mine = {_split(t) for t in trials if t.dataset}
    theirs = {_split(t) for t in baseline_trials or () if t.dataset}
    if len(mine) > 1 or (theirs and mine and mine != theirs):
        return [
            finding(
                "data.split_mismatch",
                Severity.WARNING,
                "Trials being compared were evaluated on different data splits "
                f"({len(mine | theirs)} distinct): part of any difference is the split, not the "
                "change. Evaluate both on one split.",
                splits=len(mine | theirs),
            )
        ]
    return []

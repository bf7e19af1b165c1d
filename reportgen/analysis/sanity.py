"""Start-of-project checks: the initial-configuration sanity card, provenance, the variance
sources a result varied, data splits of candidate and baseline, and optimizer update rules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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


REGULARISERS = ("weight_decay", "dropout", "label_smoothing")
SCHEDULE_KEYS = ("schedule", "lr_schedule")


def _leaf(name: str) -> str:
    """A hyperparameter's own name without its namespace (``adamw.weight_decay`` -> ``weight_decay``)."""
    return name.rsplit(".", 1)[-1]


def _nonzero(v: object) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return v != 0
    return v not in (None, "", "none", "off")


def _constant_lr(trials: Sequence[TrialRecord]) -> str:
    """Whether every search trial ran a constant learning rate: from the recorded schedule names
    and warmups of all trials, else from their recorded learning-rate curves."""
    named = {
        str(v) for t in trials for k, v in t.hyperparameters.items() if _leaf(k) in SCHEDULE_KEYS
    }
    warm = sum(
        1 for t in trials
        if any(_leaf(k) == "warmup_steps" and _nonzero(v) for k, v in t.hyperparameters.items())
    )
    if named or warm:
        other = sorted(named - {"constant"})
        if not other and not warm:
            return f"yes (schedule constant in all {len(trials)} trials)"
        return "no (" + ", ".join(other + ([f"warmup in {warm} trials"] if warm else [])) + ")"
    varying = 0
    seen = 0
    for t in trials:
        lr = np.asarray(t.curves.learning_rate, dtype=float)
        lr = lr[np.isfinite(lr)]
        if lr.size >= 2:
            seen += 1
            varying += bool(np.ptp(lr) > 1e-9 * max(abs(float(lr.max())), 1e-30))
    if not seen:
        return "not recorded (no schedule name or learning-rate curve in the records)"
    return f"no (the rate changes in {varying} of {seen} trials)" if varying else (
        f"yes (the recorded rate is constant in all {seen} trials)"
    )


def _regularisers(spec: StudySpec, trials: Sequence[TrialRecord]) -> str:
    """Which regularisers any search trial (or the workload settings) turned on, by the leaf
    name of every recorded hyperparameter."""
    on: dict[str, int] = {}
    recorded = False
    for t in trials:
        for k, v in t.hyperparameters.items():
            if _leaf(k) in REGULARISERS:
                recorded = True
                if _nonzero(v):
                    on[_leaf(k)] = on.get(_leaf(k), 0) + 1
    for k, v in spec.workload.settings.items():
        if _leaf(k) in REGULARISERS:
            recorded = True
            if _nonzero(v):
                on[_leaf(k)] = len(trials)
    if on:
        return "no (" + ", ".join(f"{k} in {n} trials" for k, n in sorted(on.items())) + ")"
    if not recorded:
        return "not recorded (no weight decay, dropout or label smoothing in the records)"
    return f"yes (off in all {len(trials)} trials)"


def sanity_card(spec: StudySpec, search: ScoredTrials) -> SanityCard:
    ranking = search.ranking()
    best = float(search.values[int(ranking[0])]) if len(ranking) else None
    margin = None
    if spec.chance_level is not None and best is not None:
        margin = search.sign * (spec.chance_level - best)
    checks = [
        ("constant learning rate first", _constant_lr(search.trials)),
        ("no regularisation extras", _regularisers(spec, search.trials)),
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


def _own(t: TrialRecord, seed: int | None) -> int | None:
    """A seed the record really carries: imported records hold placeholders (the source tools
    do not record seeds)."""
    return None if t.provenance.source is not None else seed


FRAMEWORKS = ("jax", "optax", "flax", "torch", "tensorflow", "keras")


def _framework(trials: Sequence[TrialRecord]) -> str:
    seen: dict[str, int] = {}
    for t in trials:
        src = t.provenance.source
        pk = t.provenance.packages
        if src is not None:
            v = f" {src.tool_version}" if src.tool_version else ""
            name = f"imported from {src.kind}{v}; the training code is not recorded"
        else:
            fw = [f"{n} {pk[n]}" for n in FRAMEWORKS if n in pk]
            if fw:
                name = ", ".join(fw)
            elif "numpy" in pk:
                name = f"numpy {pk['numpy']} (no deep-learning framework recorded)"
            else:
                name = "not recorded"
        seen[name] = seen.get(name, 0) + 1
    if len(seen) == 1:
        return next(iter(seen))
    return "; ".join(f"{k} ({n} trials)" for k, n in sorted(seen.items()))


def _pruner(spec: StudySpec, trials: Sequence[TrialRecord]) -> str:
    stopped = [t for t in trials if t.status.value == "stopped"]
    if not stopped:
        return "no trial was stopped early"
    return (
        f"not recorded; {len(stopped)} of {len(trials)} trials were stopped early "
        f"(e.g. {stopped[0].trial_id}: {stopped[0].status_reason})"
    )


def _sampler(spec: StudySpec) -> str:
    if not spec.sampler_recorded:
        kind = spec.source.kind if spec.source is not None else "another tool"
        return f"not recorded (imported from {kind})"
    return f"{spec.search.kind}, seed {spec.search.seed}"


def _convention(trials: Sequence[TrialRecord], rules: list[tuple[str, str]]) -> str:
    if not rules:
        return ""
    with_optax = sum("optax" in t.provenance.packages for t in trials)
    if with_optax == len(trials):
        return OPTAX_CONVENTION
    if with_optax:
        return (
            f"{with_optax} of {len(trials)} trials were recorded with optax (its adam/nadam add "
            "ε after bias correction); the convention of the others is not recorded, so ε "
            "values may not compare across them."
        )
    return (
        "Which convention the training code used (where ε enters, how RMSProp starts) is not "
        "recorded: the rules above are the playbook's, not necessarily the code's."
    )


def provenance(spec: StudySpec, trials: Sequence[TrialRecord]) -> Provenance:
    retrains = [t for t in trials if t.kind is TrialKind.RETRAIN]

    def retrained(seed_of) -> str:  # type: ignore[no-untyped-def]
        if not retrains:
            return "not measured: no retrains"
        return _varies([_own(t, seed_of(t)) for t in retrains])

    sources = [
        ("model init seed (retrains)", retrained(lambda t: t.seeds.init)),
        ("data order seed (retrains)", retrained(lambda t: t.seeds.data_order)),
        ("dropout seed (retrains)", retrained(lambda t: t.seeds.dropout)),
        ("search sampler seed", _varies([_own(t, t.seeds.sampler) for t in trials])),
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
        convention=_convention(trials, rules),
        setup=[
            ("framework", _framework(trials)),
            ("sampler", _sampler(spec)),
            ("pruner", _pruner(spec, trials)),
        ],
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

"""Design lints: problems visible in the study spec before any trial runs."""

from __future__ import annotations

from reportgen.analysis.findings import finding
from reportgen.analysis.hyperparameters import is_learning_rate, leaf
from reportgen.analysis.objective import examples_budget
from reportgen.schema import Finding, Policy, Role, Severity, StudySpec
from reportgen.schema.study import CompareAt

_ADAM_NAMES = {"adam", "adamw", "nadam"}
# Adam hyperparameters other than the learning rate, in the order the playbook adds them
_ADAM_EXTRAS = (
    ("b1", {"b1", "beta1", "beta_1"}),
    ("eps", {"eps", "epsilon"}),
    ("b2", {"b2", "beta2", "beta_2"}),
)


def _uses_adam(spec: StudySpec, name: str) -> bool:
    if "." in name and name.split(".")[0].lower() in _ADAM_NAMES:
        return True
    opt = next((hp for hp in spec.search_space if hp.name == "optimizer"), None)
    if opt is None:
        return False
    choices = [opt.value] if opt.value is not None else list(opt.values or [])
    return any(str(c).lower() in _ADAM_NAMES for c in choices)


def check_design(spec: StudySpec, policy: Policy) -> list[Finding]:
    out: list[Finding] = []
    scientific = [hp.name for hp in spec.by_role(Role.SCIENTIFIC)]
    fixed_lr = [hp.name for hp in spec.by_role(Role.FIXED) if is_learning_rate(hp.name)]
    if scientific and fixed_lr:
        out.append(
            finding(
                "design.lr_fixed",
                Severity.WARNING,
                f"{', '.join(fixed_lr)} is fixed while {', '.join(scientific)} varies; tune the "
                f"learning rate as a nuisance hyperparameter so each scientific value gets its own.",
                subject=fixed_lr[0],
                fixed=fixed_lr,
                scientific=scientific,
            )
        )
    for hp in spec.by_role(Role.NUISANCE):
        if leaf(hp.name) == "batch_size":
            out.append(
                finding(
                    "design.batch_size_nuisance",
                    Severity.WARNING,
                    f"{hp.name} is tuned as a nuisance hyperparameter; choose the batch size "
                    f"for throughput and fix it instead.",
                    subject=hp.name,
                )
            )
    for hp in spec.by_role(Role.SCIENTIFIC):
        sizes = sorted(float(v) for v in hp.values or [] if isinstance(v, int | float))
        # scored at equal examples, or raced to a target (where a step budget is the right
        # comparison), the batch sizes are not compared on the budget they trained for
        fair = (spec.objective.compare_at is CompareAt.EQUAL_EXAMPLES
                or spec.steps_to_result is not None)  # fmt: skip
        if leaf(hp.name) == "batch_size" and len(sizes) > 1 and not fair:
            ratio = sizes[-1] / sizes[0]
            out.append(
                finding(
                    "design.batch_size_fixed_steps",
                    Severity.WARNING,
                    f"{hp.name} is compared at a fixed {spec.max_train_steps} steps: a batch of "
                    f"{sizes[-1]:g} sees {ratio:g}x the examples (and compute) of {sizes[0]:g} "
                    "by the end, so the comparison measures the budget as much as the batch "
                    "size. Compare at equal examples (steps scaled inversely with the batch) or "
                    "at equal training time, or choose the batch size by throughput.",
                    subject=hp.name,
                    batch_sizes=sizes,
                    examples_ratio=ratio,
                )
            )
    if len(scientific) > 1:
        out.append(
            finding(
                "design.several_scientific",
                Severity.WARNING,
                f"{len(scientific)} scientific hyperparameters change at once "
                f"({', '.join(scientific)}); their effects cannot be told apart.",
                scientific=scientific,
            )
        )
    budget = spec.trial_budget
    tiers = policy.adam_tiers
    for rank, (short, names) in enumerate(_ADAM_EXTRAS):
        tuned = [
            hp.name
            for hp in spec.varied
            if leaf(hp.name).lower() in names and _uses_adam(spec, hp.name)
        ]
        needed = tiers[rank]
        if tuned and budget < needed:
            out.append(
                finding(
                    "design.adam_budget",
                    Severity.WARNING,
                    f"{', '.join(tuned)} is tuned with a budget of {budget} trials; tuning Adam's "
                    f"{short} pays off from about {needed} trials, so keep it at its default.",
                    subject=tuned[0],
                    trial_budget=budget,
                    needed=needed,
                    tuned=tuned,
                )
            )
    return out


def batch_caveat(
    findings: list[Finding], compared: tuple[str, ...], spec: StudySpec | None = None
) -> list[str]:
    """The decision's caveat when it compares batch sizes trained for the same number of steps,
    or its note on how a ``compare_at: equal_examples`` study scored them."""
    return (equal_examples_caveat(spec) if spec is not None else []) + [
        f"The batch sizes were compared at a fixed step budget: the largest saw "
        f"{f.evidence['examples_ratio']:g}x the examples of the smallest, so the effect mixes "
        "the batch size with the training budget (see the design finding)."
        for f in findings
        if f.key == "design.batch_size_fixed_steps"
        and any(label.startswith(f"{f.subject}=") for label in compared)
    ]


def equal_examples_caveat(spec: StudySpec) -> list[str]:
    """The decision's note on how a ``compare_at: equal_examples`` study scored its trials."""
    if (examples := examples_budget(spec)) is None:
        return []
    steps = "; ".join(f"batch {b}: evaluations up to step {examples // b}"
                      for b in spec.batch_sizes)  # fmt: skip
    return [
        f"Scored at equal examples: each trial's {spec.objective.metric} over its first "
        f"{examples} training examples ({steps}), so no batch size is credited with more data."
    ]

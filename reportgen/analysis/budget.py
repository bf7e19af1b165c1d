"""Design and budget: the budget card, per-record step and eval-cadence checks, grid search in
many dimensions, the exploitation gate, and accelerator time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from reportgen.analysis.findings import finding
from reportgen.analysis.hyperparameters import span
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import (
    Finding,
    Phase,
    Role,
    Scale,
    SearchKind,
    Severity,
    StudySpec,
    TrialRecord,
)
from reportgen.schema.playbook import BudgetCard, Resources

GATE_KEYS = ("search_space.boundary", "density.near_best", "density.best_so_far_late")


def budget_card(spec: StudySpec, search: ScoredTrials) -> BudgetCard:
    sci = [hp.name for hp in spec.varied if hp.role is Role.SCIENTIFIC]
    counts: Counter[str] = Counter()
    for t in search.trials:
        label = ", ".join(f"{n}={t.hyperparameters.get(n)}" for n in sci) or "all trials"
        counts[label] += 1
    widths = {}
    for hp in spec.varied:
        if hp.role is not Role.NUISANCE:
            continue
        if hp.scale is Scale.LOG:
            widths[hp.name] = f"{span(hp):.2g} decades"
        elif hp.scale is Scale.LINEAR:
            widths[hp.name] = f"{span(hp):.3g} (linear)"
        else:
            widths[hp.name] = f"{len(hp.values or [])} values"
    grid_dims = len(spec.varied) if spec.search.kind is SearchKind.GRID else 0
    return BudgetCard(
        n_scientific_values=len(counts) if sci else 0,
        trials_per_value=dict(sorted(counts.items())),
        nuisance_widths=widths,
        n_search_trials=len(search),
        trial_budget=spec.trial_budget,
        sampler=(
            f"{spec.search.kind} (seed {spec.search.seed})"
            if spec.sampler_recorded
            else "not recorded (imported; the source does not record its sampler)"
        ),
        grid_dimensions=grid_dims,
    )


def check_records(spec: StudySpec, trials: Sequence[TrialRecord]) -> list[Finding]:
    """``max_train_steps`` constant and evals evenly spaced in steps, on every record."""
    out: list[Finding] = []
    odd = sorted({t.max_train_steps for t in trials if t.max_train_steps != spec.max_train_steps})
    if odd:
        n = sum(t.max_train_steps != spec.max_train_steps for t in trials)
        out.append(
            finding(
                "design.max_steps_varies",
                Severity.PROBLEM,
                f"{n} trial(s) ran with max_train_steps {odd}, not the study's "
                f"{spec.max_train_steps}: the step budget must be one value for every trial, "
                "or the comparison mixes budgets.",
                values=odd,
                trials=n,
            )
        )
    uneven = []
    for t in trials:
        steps = np.asarray(t.curves.step)
        if steps.size >= 2:
            d = np.diff(steps)
            # the last interval may be shorter when max_train_steps is not a multiple
            body = d[:-1] if d.size > 1 else d
            if body.size and (np.any(body != spec.eval_every) or d[-1] > spec.eval_every):
                uneven.append(t.trial_id)
    if uneven:
        out.append(
            finding(
                "design.eval_cadence",
                Severity.WARNING,
                f"{len(uneven)} trial(s) were not evaluated every {spec.eval_every} steps: "
                "evaluations must be evenly spaced in steps for curves and best-step selection "
                "to compare.",
                trials=len(uneven),
                first=uneven[0],
            )
        )
    return out


def check_search_design(spec: StudySpec, findings_so_far: Sequence[Finding]) -> list[Finding]:
    out: list[Finding] = []
    dims = len(spec.varied)
    if spec.search.kind is SearchKind.GRID and dims > 2 and not spec.grid_override:
        out.append(
            finding(
                "design.grid_many_dims",
                Severity.WARNING,
                f"Grid search over {dims} hyperparameters: grids waste trials on dimensions that "
                "do not matter beyond two; use quasi-random search (or give grid_override a "
                "reason).",
                dimensions=dims,
            )
        )
    exploit = spec.phase is Phase.EXPLOITATION or spec.search.kind is SearchKind.BAYESIAN
    if exploit:
        open_keys = sorted({f.key for f in findings_so_far if f.key in GATE_KEYS})
        if open_keys and not spec.grid_override:
            out.append(
                finding(
                    "design.exploitation_gate",
                    Severity.WARNING,
                    "An exploitation (Bayesian) phase needs a search space that comfortably "
                    f"holds the best region, but these exploration checks are open: "
                    f"{', '.join(open_keys)}. Fix them first, or record the reason in "
                    "grid_override.",
                    open_checks=open_keys,
                )
            )
    return out


def device_seconds(t: TrialRecord) -> tuple[float, int | None]:
    """This trial's share of accelerator time (device-seconds) and the devices it was recorded
    on (None: the record does not say, and one device is assumed).

    A vectorised group's ``wall_seconds`` is the group's wall time, shared by its trials; a
    sequential trial's is its own. A group sharded over D devices held all D for that time.
    """
    e = t.execution
    # only the runners know the devices; imported and logged records carry the default
    recorded = (
        "devices" in e.model_fields_set
        and t.provenance.source is None
        and e.device not in ("external", "unknown")
    )
    if e.group_wall_seconds is not None:
        share = e.group_wall_seconds / max(e.group_size, 1)
    elif e.mode == "vectorised":
        share = t.wall_seconds / max(e.group_size, 1)
    else:
        share = t.wall_seconds
    return share * e.devices, (e.devices if recorded else None)


def resources(trials: Sequence[TrialRecord]) -> Resources | None:
    if not trials:
        return None
    shares = [device_seconds(t) for t in trials]
    secs = [s for s, _ in shares]
    counts = sorted({d for _, d in shares if d is not None})
    unknown = sum(d is None for _, d in shares)
    if not counts:
        devices = "not recorded (one device assumed)"
    else:
        devices = str(counts[0]) if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"
        if unknown:
            devices += f" ({unknown} trials do not record it; one device assumed for them)"
    device_names = sorted({t.execution.device for t in trials})
    steps = [t.step_seconds for t in trials if t.step_seconds > 0]
    compile_s = sum(
        {t.execution.group_id or t.trial_id: t.execution.compile_seconds for t in trials}.values()
    )
    total_h = sum(secs) / 3600
    return Resources(
        device=", ".join(device_names),
        total_accelerator_hours=total_h,
        per_trial_hours=total_h / len(trials),
        mean_step_seconds=float(np.mean(steps)) if steps else None,
        compile_seconds=compile_s,
        devices=devices,
    )

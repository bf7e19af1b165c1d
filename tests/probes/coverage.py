"""docs/coverage.md from the probe gallery: a row's status is what its probes' pages show.

Each row names where the item shows (``finding:``, ``section:``, ``chart:``, ``note:``,
``page:``, ``field:``, ``command:``) and the status its authors claim. The status printed is the
claim only as far as the probes back it: a finding counts when it fires on a probe and its block
is on that probe's built page; a section, chart or note when it is on the page; a record field
when the probe's records or spec carry a value for it; a command is not something a page shows
and backs nothing. A row claimed implemented whose names are not all backed is printed partial
(or absent when nothing is), and a partial row with nothing backed is printed absent.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reportgen.guidance import GUIDANCE
from tests.probes.gallery import PROBES

TOKEN = re.compile(r"`(finding|chart|section|note|command|field|page):([^`]+)`")
STATUSES = ("implemented", "partial", "absent")
# names that show only on a probe built for them (sections drawn only when there is something)
EXTRA_PROBES = {
    "section:Training stability": ("loss-spike",),
    "chart:pb-above-best": ("stability-edge",),
    "chart:pb-schedule-extension": ("short-round",),
    "section:Rounds": ("short-round",),
    "field:StudySpec.round": ("short-round",),
    "field:StudySpec.grid_override": ("gate-overridden",),
}


@dataclass(frozen=True)
class Row:
    n: int
    item: str
    claim: str
    where: str
    note: str

    @property
    def tokens(self) -> list[tuple[str, str]]:
        return TOKEN.findall(self.where)

    def probes(self) -> tuple[str, ...]:
        """The probes that back this row: the calm probe (every section of a healthy study),
        each probe built to fire one of its findings, and those listed for its other names."""
        out = ["calm"]
        for kind, name in self.tokens:
            if kind == "finding":
                out += [p.name for p in PROBES if name in p.fires]
            out += EXTRA_PROBES.get(f"{kind}:{name}", ())
        return tuple(dict.fromkeys(out))


def shown(kind: str, name: str, page: str, carried: set[str], fired: set[str]) -> bool | None:
    """Whether one name is backed by a probe (its page text, the fields its records carry and
    the keys it fired); None for a name that cannot back anything (a command)."""
    if kind == "finding":
        return name in fired and f'data-key="{name}"' in page
    if kind == "chart":
        return re.search(rf'id="{re.escape(name)}(-\d+)?"', page) is not None
    if kind == "section":
        return re.search(rf"^#+ {re.escape(name)}$", page, flags=re.M) is not None
    if kind == "note":
        return GUIDANCE[f"section.{name}"].title in page
    if kind == "field":
        return name in carried
    if kind == "page":
        return True  # a docs page (the test checks that it exists)
    return None


@dataclass(frozen=True)
class Evidence:
    """What one probe showed: its pages as one text, the fields it carried, the keys it fired."""

    page: str
    carried: set[str]
    fired: set[str]


def status(row: Row, evidence: Mapping[str, Evidence]) -> tuple[str, list[str]]:
    """The printed status of a row and the names no probe backed."""
    if row.claim == "absent":
        return "absent", []
    backed, missing = 0, []
    for kind, name in row.tokens:
        results = [
            shown(kind, name, evidence[p].page, evidence[p].carried, evidence[p].fired)
            for p in row.probes() if p in evidence
        ]
        if not results or results[0] is None:
            continue
        if any(results):
            backed += 1
        else:
            missing.append(f"{kind}:{name}")
    if not backed:
        return "absent", missing
    if row.claim == "implemented" and not missing:
        return "implemented", []
    return "partial", missing


HEADER = """# Playbook coverage

How much of the automation checklist drawn from the Deep Learning Tuning Playbook (70 items, see
the [attribution](attribution.md)) this logbook implements. The statuses are not written by hand:
`python scripts/coverage_page.py` builds the probe gallery (`tests/probes/`: one small study per
finding and per row, written through the store as the runners write records) and prints each row
as far as the probes' built pages back it. Each row says where the item shows: a page section
(`section:`), a guidance box (`note:`), a chart (`chart:`, the id of the chart block on a study
page), a finding (`finding:`, shown in the "Before you conclude" checklist where it fires), a
command (`command:`) or a record field (`field:`).

- **implemented**: every name the row gives is backed by a probe: a finding fires on its probe
  and its block is on that probe's page; sections, charts and notes are on the page; fields are
  carried by the probe's records.
- **partial**: part of the item is there; the note says what is missing, and names no probe
  backs are listed after it.
- **absent**: nothing is backed; the note says why.

"""


def render(rows: Iterable[Row], evidence: Mapping[str, Evidence]) -> str:
    lines = []
    counts: Counter[str] = Counter()
    for row in rows:
        st, missing = status(row, evidence)
        counts[st] += 1
        note = row.note
        if missing:
            note += f" (no probe shows {', '.join(missing)})"
        where = row.where if st != "absent" or row.tokens else ""
        lines.append(f"| {row.n} | {row.item} | {st} | {where} | {note} |")
    count = (
        f"**Count: {counts['implemented']} implemented · {counts['partial']} partial · "
        f"{counts['absent']} absent (of {sum(counts.values())}).**"
    )
    return (
        HEADER + count + "\n\n| # | checklist item | status | where it shows | note |\n"
        "|---|---|---|---|---|\n" + "\n".join(lines) + "\n"
    )


ROWS: tuple[Row, ...] = (
    Row(1, 'Scope and assumptions banner', 'implemented',
        '`note:scope` `field:StudySpec.task`',
        'banner at the top of every study page'),
    Row(2, 'Open-research badges', 'implemented',
        '`note:gradients`',
        '"(open research)" after the title of every guidance note whose playbook section is marked open research (registry `OPEN_RESEARCH`), in words: an emoji renders as a box without an emoji font'),
    Row(3, 'Metric declaration card', 'implemented',
        '`section:Design` `field:StudySpec.objective`',
        'objective row of the page header: metric, direction, best-over-training or final'),
    Row(4, 'Baseline provenance', 'implemented',
        '`section:Starting point and provenance` `field:StudySpec.model`',
        'model family and reference'),
    Row(5, 'Complete optimizer record and lint', 'implemented',
        '`finding:design.optimizer_unrecorded` `section:Design`',
        'every optimizer hyperparameter, defaults included, is recorded per trial by the runners; records from other tools that lack one are flagged'),
    Row(6, 'Batch size is not a validation-tuning knob', 'implemented',
        '`finding:design.batch_size_nuisance` `section:Design`',
        ''),
    Row(7, 'Throughput probe report', 'implemented',
        '`command:throughput` `section:Throughput` `chart:pb-throughput` `finding:batch_size.throughput_saturated`',
        'steady-state step time and examples/s per batch size on the device it ran on (compile and a warm-up call excluded, median of repeats), scaling efficiency of each step up, an out-of-memory stop; the largest batch that still raised throughput by 10 %'),
    Row(8, 'Steps-to-target against batch size', 'implemented',
        '`field:StudySpec.steps_to_result` `section:Steps to result` `chart:pb-steps-to-result` `finding:batch_size.scaling_limit` `finding:batch_size.target_not_reached`',
        'the fewest steps at which a tuned trial of each batch size reached the target fixed in the spec, on log-log axes with the perfect-scaling line; the end of perfect scaling, the largest batch that still cut the steps, and time to target from the throughput probe'),
    Row(9, 'Resource-consumption accounting', 'implemented',
        '`section:Budget and resources` `note:resources`',
        "device-hours per trial and per study (a group's wall time shared by its trials, times the devices it held), seconds per step, compile time"),
    Row(10, 'Re-tune-after-batch-change lint', 'implemented',
        '`finding:batch_size.retune_after_change`',
        "a fixed value states `tuned_at_batch_size`; the lint fires when the study trains at another batch size (searched values are tuned at each trial's own batch size, which its record carries)"),
    Row(11, 'BN batch separate from gradient batch', 'absent',
        '',
        'no workload here uses batch norm, so there is no statistics batch to record'),
    Row(12, 'Initial-configuration sanity card', 'partial',
        '`section:Starting point and provenance` `finding:sanity.near_chance` `field:StudySpec.chance_level`',
        "chance level against the study's best and a constant-rate and no-extras checklist read from every trial; the baseline's own result, model size and the step budget are not judged"),
    Row(13, 'Study page follows the four-step loop', 'partial',
        '`section:Design` `section:Before you conclude` `section:Decision` `chart:timeline`',
        'goal, design, checks, insight and decision sections and the index timeline of launches; the parent baseline a study starts from (its lineage) is not recorded'),
    Row(14, 'Phase tag and insight panel', 'implemented',
        '`section:Insight` `chart:pb-parallel` `chart:pb-interaction` `chart:pb-best-so-far`',
        "fANOVA importance (a scikit-learn forest; marginals computed as Optuna's evaluator does, vectorised), parallel coordinates, best value per cell of the two most important hyperparameters"),
    Row(15, 'One narrow goal per round', 'partial',
        '`finding:design.several_scientific` `field:StudySpec.goal`',
        "more than one scientific hyperparameter is flagged; the goal is free text, not a typed kind, and code changes in a study's diff are not counted"),
    Row(16, 'Hyperparameter roles and auto-caveats', 'implemented',
        '`section:Design` `finding:design.lr_fixed`',
        'role table, caveats from fixed hyperparameters, namespaced conditional hyperparameters'),
    Row(17, 'Study structure and fairness checks', 'implemented',
        '`section:Isolation` `finding:density.uneven_coverage`',
        'best trial per scientific value; trials per value'),
    Row(18, 'Budget card', 'implemented',
        '`section:Budget and resources` `note:budget`',
        'scientific values, trials per value, nuisance range widths in decades'),
    Row(19, '"Before you conclude" checklist panel', 'implemented',
        '`section:Before you conclude`',
        ''),
    Row(20, 'Infeasible-trial accounting', 'implemented',
        '`finding:infeasible.fraction` `section:Trials` `chart:axis`',
        'count and fraction by reason; red crosses on the axis plots'),
    Row(21, 'Basic hyperparameter axis plot', 'implemented',
        '`section:Axis plots` `chart:axis`',
        ''),
    Row(22, 'Boundary check', 'partial',
        '`finding:search_space.boundary`',
        'nuisance and continuous scientific ranges, in sampling coordinates; a discrete scientific list and an upper edge explained by the stability edge are not judged (the checklist row says so)'),
    Row(23, 'Stability-edge pattern', 'implemented',
        '`finding:search_space.stability_edge`',
        ''),
    Row(24, 'Sampling-density indicator', 'implemented',
        '`finding:density.near_best` `chart:pb-best-so-far` `chart:expected-best`',
        'trials near the best, best-so-far curve, bootstrap best of k'),
    Row(25, 'Training curves of the best few trials', 'implemented',
        '`section:Training curves` `chart:curves` `chart:pb-best-per-value`',
        'every trial, the top ones at full resolution, and the best trial of each scientific value'),
    Row(26, 'Problematic-overfitting detector', 'implemented',
        '`finding:curves.overfitting`',
        ''),
    Row(27, 'Late-training step-to-step noise', 'implemented',
        '`finding:curves.late_noise`',
        ''),
    Row(28, 'Still-improving-at-end flag', 'implemented',
        '`finding:curves.still_improving`',
        ''),
    Row(29, 'Saturated-early flag', 'implemented',
        '`finding:curves.saturated_early`',
        ''),
    Row(30, 'Training-loss-increasing flag', 'implemented',
        '`finding:curves.train_loss_rising`',
        ''),
    Row(31, 'Isolation plot', 'implemented',
        '`section:Isolation` `chart:isolation`',
        ''),
    Row(32, 'Automatically generated plot set', 'implemented',
        '`section:Axis plots` `section:Training curves` `section:Trials`',
        'an axis plot per varied hyperparameter, curves of all trials, the top trials listed'),
    Row(33, 'Variance-source ledger', 'partial',
        '`section:Starting point and provenance` `note:provenance`',
        "init, data-order, dropout and sampler seeds and the data split, each 'not recorded' where the records do not carry it; augmentation seeds and a nondeterminism flag are not recorded"),
    Row(34, 'Trial-variance estimate', 'implemented',
        '`section:Variance` `command:retrain` `chart:variance-chart`',
        ''),
    Row(35, 'Study-variance estimate', 'implemented',
        '`section:Variance` `command:rerun` `chart:expected-best`',
        'reruns with new sampler seeds, else a labelled bootstrap'),
    Row(36, 'Data-variance note', 'implemented',
        '`finding:data.split_mismatch` `note:provenance`',
        "split seed and digest recorded per trial and compared with the baseline's"),
    Row(37, 'Launch / no-launch decision', 'implemented',
        '`section:Decision`',
        ''),
    Row(38, 'Exploitation gate', 'implemented',
        '`finding:design.exploitation_gate` `field:StudySpec.grid_override`',
        'an exploitation-phase or Bayesian study warns while its boundary and density checks are open; a reason in `grid_override` overrides it'),
    Row(39, 'Regime classifier', 'implemented',
        '`section:How long to train` `finding:regime.compute_bound` `finding:regime.not_compute_bound`',
        ''),
    Row(40, '`max_train_steps` constant within a study', 'implemented',
        '`finding:design.max_steps_varies` `finding:design.eval_cadence`',
        'checked on every record, with the eval cadence'),
    Row(41, 'Best-step distribution plot', 'implemented',
        '`chart:pb-best-step` `finding:curves.best_step_early` `finding:curves.best_step_late`',
        'with the first 10 % and last 25 % bands'),
    Row(42, 'Initial `max_train_steps` from an LR sweep', 'implemented',
        '`finding:steps.initial_max_train_steps` `finding:steps.lr_sweep_no_budget` `section:Initial step budget from the learning-rate sweep` `note:initial_steps`',
        'a study whose only varied hyperparameter is a learning rate is read as the sweep (no separate study-type field); the runners record the training error of the sampled batches (curves.extra.train_error); per rate the first evaluation with training error at most policy.fit_train_error (tool default 0), the fastest suggested as `max_train_steps: N`; refused when the fastest rate is at either end of the grid (or the grid has under 3 rates), when no rate fits, when the training error is not recorded, or with regularisation (dropout, weight decay, label smoothing, warmup, augmentation); a decaying schedule is said only on the page'),
    Row(43, 'Multi-round plan for compute-bound workloads', 'implemented',
        '`section:Rounds` `field:StudySpec.round`',
        'round index, fraction of the production budget, proposed next round (geometric growth)'),
    Row(44, 'Transfer-risk labels', 'implemented',
        '`section:Rounds` `finding:regime.short_run_transfer` `finding:rounds.transfer`',
        "a likelihood badge per varied hyperparameter and a warning beside the verdict; with `round.previous`, the measured answer: the previous round's configurations trained again, their rank correlation and where its winner ended"),
    Row(45, 'Round 2 schedule-extension helper', 'implemented',
        '`section:Rounds` `chart:pb-schedule-extension`',
        'the best schedule drawn now and extended to the proposed budget (linear keeps its decay length, cosine stretches), with the share of steps at half the peak rate or more, and the stretched pitfall beside it'),
    Row(46, 'Input-bound diagnosis', 'partial',
        '`finding:batch_size.input_bound` `section:Throughput`',
        "the throughput probe times a step with batches gathered from the training set against the same step on one fixed on-device batch, and the gather alone; the runners' input is an on-device gather, so a host pipeline's data wait and a profiler trace are not measured"),
    Row(47, 'Evaluation-setting labels', 'implemented',
        '`note:eval_settings` `section:Starting point and provenance`',
        'periodic (valid, every N steps) against offline (test, after training)'),
    Row(48, 'Periodic-eval lints', 'partial',
        '`finding:design.eval_cadence`',
        '(a) evenly spaced steps is checked; eval batch, periodicity and padding checks are not'),
    Row(49, 'Eval-subset adequacy', 'implemented',
        '`finding:below_noise_floor` `field:TrialRecord.eval_examples` `section:Decision`',
        "runners record the validation set size; for error-rate objectives the binomial standard error bounds the decision's interval, and compared gaps below it are flagged"),
    Row(50, 'Retrospective optimal checkpoint selection', 'implemented',
        '`note:checkpoints` `section:How long to train` `command:export`',
        'best step, best and final value and their gap for the top trials; with `checkpoints:` in its spec the runner saves each trial\'s best parameters (selected over every eval), its record names them (`checkpoint`), the page says where they live and `reportgen export` writes them out'),
    Row(51, 'Experiment-tracking index', 'partial',
        '`chart:timeline` `command:build`',
        'the index table of studies (goal, phase, trials, best, decision, revision, date) and the command of every trial in its record; no link to the study config at its commit yet'),
    Row(52, 'Batch-norm configuration checks', 'absent',
        '',
        'no workload uses batch norm (see item 11)'),
    Row(53, 'Multi-host checks', 'absent',
        '',
        'one host only: the devices of each group are recorded, per-host seeds and checks need a multi-host setup we do not have'),
    Row(54, 'LR-schedule record and plot', 'implemented',
        '`section:Learning-rate schedule` `chart:pb-learning-rate`',
        ''),
    Row(55, 'Human-in-the-loop schedule detector', 'partial',
        '`finding:schedule.hand_edited`',
        'a learning rate that rises again after decaying is flagged; runs resumed with changed settings are not recorded, so an edit that only lowers the rate is not seen'),
    Row(56, 'Adam search-space against budget', 'implemented',
        '`finding:design.adam_budget`',
        ''),
    Row(57, 'Quasi-random-specific features', 'implemented',
        '`section:Design` `field:TrialRecord.unit_coords` `command:rerun`',
        'sampler and seed stored, unit-cube coordinates per trial, objective recomputed from curves'),
    Row(58, 'Sampler choice and fallback', 'partial',
        '`section:Design` `finding:design.grid_many_dims`',
        "the sampler and its seed where the spec or source records them ('not recorded' for imports), a warning for grid search beyond two dimensions; the sampler's uniformity is not checked on the page"),
    Row(59, 'Trial-budget bootstrap', 'implemented',
        '`chart:expected-best`',
        ''),
    Row(60, 'Fix optimization first', 'implemented',
        '`section:Training stability` `note:stability`',
        'instability findings lead the checklist and the page'),
    Row(61, 'Instability identification procedure', 'implemented',
        '`finding:instability.loss_spike` `finding:instability.above_best_lr` `chart:pb-above-best`',
        'spike episodes and the learning rates just above the best overlaid'),
    Row(62, 'Gradient-norm logging', 'implemented',
        '`field:Curves.grad_norm_max` `field:Curves.grad_norm_p90` `chart:pb-grad-norm` `finding:gradients.outliers`',
        'per eval interval: mean, max and p90 of the per-step unclipped norm, computed in the scanned step'),
    Row(63, 'Early-instability probe', 'implemented',
        '`finding:instability.early_probe` `section:Early-instability probe` `chart:pb-early-probe` `command:run`',
        'a run type, `reportgen run STUDY --probe early`: the best trial\'s first tenth of the steps (20 to 500) again at twice its learning rate with its seeds and the study\'s schedule, evaluated every step, recorded as a trial of kind probe (kept out of the search); the page draws its every-step training loss beside the source trial\'s, and the finding says what it showed (stable, spiked and recovered, spiked and not recovered, diverged) instead of only suggesting it'),
    Row(64, 'Fix menu ordered by pattern', 'implemented',
        '`finding:instability.fix_menu` `section:Training stability`',
        'warmup first for early trouble, clipping first mid-training, a lower learning rate last'),
    Row(65, 'When to warm up', 'implemented',
        '`finding:search_space.stability_edge` `finding:instability.warmup_protocol`',
        'the edge triggers the confirmation run at 5×/10× and the warmup protocol'),
    Row(66, 'Warmup tuning protocol', 'implemented',
        '`finding:schedule.warmup_long` `finding:schedule.warmup_share` `section:Learning-rate schedule`',
        'shortest feasible warmup per base learning rate; warmup share against 5 % and 10 %'),
    Row(67, 'Gradient clipping protocol', 'implemented',
        '`section:Gradient norms` `finding:gradients.clip_aggressive` `field:Curves.clipped_fraction`',
        'clipped fraction per trial; the 90th percentile of step norms where the record keeps every step, else the per-interval range so named, drawn on the norm chart; no separate histogram'),
    Row(68, 'Glossary tooltip', 'implemented',
        '`page:glossary.md`',
        'a glossary page ("hyperparameter" used loosely, and the other terms)'),
    Row(69, 'Batch-size FAQ facts', 'partial',
        '`finding:design.batch_size_nuisance`',
        'the facts are the guidance note of the batch-size lint; the re-tune lint of item 10 that also uses them is absent'),
    Row(70, 'Optimizer update rules and convention', 'partial',
        '`note:update_rules`',
        "the rule of each optimizer used; the ε convention is named only where the records list optax among their packages, otherwise 'not recorded'"),
)

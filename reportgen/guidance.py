"""Playbook guidance as data: finding keys and page sections mapped to a playbook anchor and a note.

Every note is written by us in our own words; the playbook (Godbole, Dahl, Gilmer, Shallue,
Nado; CC BY 4.0) is credited on the attribution page and linked through ``playbook_url``.
Analysis findings and study pages both read this registry, and a test checks that every key a
finding can carry is registered and that every anchor is a real section of the playbook.
"""

from __future__ import annotations

from dataclasses import dataclass

PLAYBOOK_URL = "https://github.com/google-research/tuning_playbook"

# The section anchors of the playbook's README (commit 7554a51), as GitHub builds them.
PLAYBOOK_ANCHORS: frozenset[str] = frozenset(
    {
        "deep-learning-tuning-playbook",
        "table-of-contents",
        "who-is-this-document-for",
        "why-a-tuning-playbook",
        "guide-for-starting-a-new-project",
        "choosing-the-model-architecture",
        "choosing-the-optimizer",
        "choosing-the-batch-size",
        "determining-the-feasible-batch-sizes-and-estimating-training-throughput",
        "choosing-the-batch-size-to-minimize-training-time",
        "choosing-the-batch-size-to-minimize-resource-consumption",
        "changing-the-batch-size-requires-re-tuning-most-hyperparameters",
        "how-batch-norm-interacts-with-the-batch-size",
        "choosing-the-initial-configuration",
        "a-scientific-approach-to-improving-model-performance",
        "the-incremental-tuning-strategy",
        "exploration-vs-exploitation",
        "choosing-the-goal-for-the-next-round-of-experiments",
        "designing-the-next-round-of-experiments",
        "identifying-scientific-nuisance-and-fixed-hyperparameters",
        "creating-a-set-of-studies",
        "striking-a-balance-between-informative-and-affordable-experiments",
        "extracting-insight-from-experimental-results",
        "identifying-bad-search-space-boundaries",
        "figure-1",
        "not-sampling-enough-points-in-the-search-space",
        "examining-the-training-curves",
        "detecting-whether-a-change-is-useful-with-isolation-plots",
        "figure-2",
        "automate-generically-useful-plots",
        "determining-whether-to-adopt-a-training-pipeline-change-or-hyperparameter-configuration",
        "after-exploration-concludes",
        "determining-the-number-of-steps-for-each-training-run",
        "deciding-how-long-to-train-when-training-is-not-compute-bound",
        "algorithm-for-picking-an-initial-candidate-for-max_train_steps-using-a-learning-rate-sweep",
        "deciding-how-long-to-train-when-training-is-compute-bound",
        "round-1",
        "round-2",
        "additional-guidance-for-the-training-pipeline",
        "optimizing-the-input-pipeline",
        "evaluating-model-performance",
        "evaluation-settings",
        "setting-up-periodic-evaluations",
        "choosing-a-sample-for-periodic-evaluation",
        "saving-checkpoints-and-retrospectively-selecting-the-best-checkpoint",
        "setting-up-experiment-tracking",
        "batch-normalization-implementation-details",
        "considerations-for-multi-host-pipelines",
        "faqs",
        "what-is-the-best-learning-rate-decay-schedule-family",
        "which-learning-rate-decay-should-i-use-as-a-default",
        "why-do-some-papers-have-complicated-learning-rate-schedules",
        "how-should-adams-hyperparameters-be-tuned",
        "why-use-quasi-random-search-instead-of-more-sophisticated-black-box-optimization-algorithms-during-the-exploration-phase-of-tuning",
        "where-can-i-find-an-implementation-of-quasi-random-search",
        "how-many-trials-are-needed-to-get-good-results-with-quasi-random-search",
        "how-can-optimization-failures-be-debugged-and-mitigated",
        "identifying-unstable-workloads",
        "potential-fixes-for-common-instability-patterns",
        "learning-rate-warmup",
        "when-to-apply-learning-rate-warmup",
        "how-to-apply-learning-rate-warmup",
        "gradient-clipping",
        "why-do-you-call-the-learning-rate-and-other-optimization-parameters-hyperparameters-they-are-not-parameters-of-any-prior-distribution",
        "why-shouldnt-the-batch-size-be-tuned-to-directly-improve-validation-set-performance",
        "what-are-the-update-rules-for-all-the-popular-optimization-algorithms",
        "stochastic-gradient-descent-sgd",
        "momentum",
        "nesterov",
        "rmsprop",
        "adam",
        "nadam",
        "acknowledgments",
        "citing",
        "contributing",
        "contributor-license-agreement",
        "code-reviews",
        "community-guidelines",
    }
)


@dataclass(frozen=True)
class Guidance:
    """What a finding or page section refers to: a playbook anchor, a title and our own note."""

    anchor: str
    title: str
    note: str

    @property
    def url(self) -> str:
        return playbook_url(self.anchor)


def playbook_url(anchor: str) -> str:
    """Deep link to one section of the playbook."""
    if anchor not in PLAYBOOK_ANCHORS:
        raise KeyError(f"{anchor!r} is not a section anchor of the playbook")
    return f"{PLAYBOOK_URL}#{anchor}"


_BOUNDARIES = "identifying-bad-search-space-boundaries"
_CURVES = "examining-the-training-curves"
_ADOPT = "determining-whether-to-adopt-a-training-pipeline-change-or-hyperparameter-configuration"

GUIDANCE: dict[str, Guidance] = {
    # --- findings: search space -------------------------------------------------------------
    "search_space.boundary": Guidance(
        _BOUNDARIES,
        "Best trials at the edge of the search space",
        "When the best trials crowd against one end of a range, better values probably lie "
        "beyond it. Widen the range on that side and run again until the best sits inside.",
    ),
    "search_space.stability_edge": Guidance(
        "when-to-apply-learning-rate-warmup",
        "Best learning rate at the edge of stability",
        "Every trial beyond a certain learning rate blew up and the best ones sit just below "
        "that line, so instability, not the range, is what caps the learning rate. Warmup or "
        "gradient clipping usually pays off more than widening the range.",
    ),
    "infeasible.fraction": Guidance(
        "extracting-insight-from-experimental-results",
        "Many infeasible trials",
        "A large share of diverged or failed trials wastes budget and can hide a bug or a badly "
        "placed range; move or reparameterise the search space before reading the results.",
    ),
    # --- findings: sampling density ---------------------------------------------------------
    "density.near_best": Guidance(
        "not-sampling-enough-points-in-the-search-space",
        "Few trials near the best",
        "With only a handful of trials close to the best value, the best may be luck rather "
        "than a well-explored region. More trials, or a narrower goal, make it trustworthy.",
    ),
    "density.best_so_far_late": Guidance(
        "how-many-trials-are-needed-to-get-good-results-with-quasi-random-search",
        "Search still finding better trials",
        "The best trial came late in the sequence, so the search had not levelled off; extra "
        "trials would likely still move the result.",
    ),
    "density.uneven_coverage": Guidance(
        "creating-a-set-of-studies",
        "Scientific values covered unevenly",
        "Comparing scientific values is only fair when each one got a similar tuning budget "
        "for its nuisance hyperparameters; top up the values with fewer trials.",
    ),
    "isolation.undertuned": Guidance(
        "detecting-whether-a-change-is-useful-with-isolation-plots",
        "Scientific value compared before it was tuned",
        "An isolation plot compares each scientific value at its best after the nuisance "
        "hyperparameters are tuned for it; a value with no or very few feasible trials has no "
        "tuned best yet, so its point says little about the value itself.",
    ),
    # --- findings: training curves ----------------------------------------------------------
    "curves.overfitting": Guidance(
        _CURVES,
        "Validation gets worse after its best point",
        "The validation metric turned around and rose during training. Add or retune "
        "regularisation for this setting before you compare it with the others.",
    ),
    "curves.late_noise": Guidance(
        _CURVES,
        "Noisy end of training",
        "Late in training the metric jumps from one evaluation to the next by an amount close "
        "to the differences being compared, so a trial can win on a lucky step. Decay the "
        "learning rate, enlarge the validation set or the batch, or average weights.",
    ),
    "curves.still_improving": Guidance(
        "deciding-how-long-to-train-when-training-is-compute-bound",
        "Still improving when training stopped",
        "The metric was still getting better in the last stretch, so training is limited by "
        "the step budget; more steps or a retuned schedule would probably help.",
    ),
    "curves.saturated_early": Guidance(
        "deciding-how-long-to-train-when-training-is-not-compute-bound",
        "Finished improving early",
        "The metric reached its best level well before the end of training; the remaining "
        "steps bought little, so a shorter budget would iterate faster.",
    ),
    "curves.train_loss_rising": Guidance(
        _CURVES,
        "Training loss going up",
        "The training loss climbed over a sustained stretch, which points to a pipeline bug or "
        "an optimisation problem rather than overfitting; look into it before tuning further.",
    ),
    "curves.best_step_early": Guidance(
        "deciding-how-long-to-train-when-training-is-not-compute-bound",
        "Best checkpoint in the first tenth of training",
        "The best evaluation came very early, a sign that the step budget is much larger than "
        "this configuration needs.",
    ),
    "curves.best_step_late": Guidance(
        "deciding-how-long-to-train-when-training-is-not-compute-bound",
        "Best checkpoint in the last quarter of training",
        "The best evaluation came near the end, so longer training (with the decay schedule "
        "retuned for it) may still gain.",
    ),
    # --- findings: study design -------------------------------------------------------------
    "design.lr_fixed": Guidance(
        "identifying-scientific-nuisance-and-fixed-hyperparameters",
        "Learning rate fixed while a scientific value varies",
        "The learning rate interacts with almost everything, so holding it fixed favours "
        "whichever scientific value happens to suit it. Tune it as a nuisance hyperparameter.",
    ),
    "design.batch_size_nuisance": Guidance(
        "why-shouldnt-the-batch-size-be-tuned-to-directly-improve-validation-set-performance",
        "Batch size tuned as a nuisance hyperparameter",
        "Batch size mainly sets speed and cost; once the other hyperparameters are retuned for "
        "it, validation results barely depend on it. Fix it from throughput measurements.",
    ),
    "design.several_scientific": Guidance(
        "choosing-the-goal-for-the-next-round-of-experiments",
        "More than one scientific change at once",
        "With several scientific hyperparameters in one study their effects mix and cannot be "
        "told apart; study one change per round where you can.",
    ),
    "design.adam_budget": Guidance(
        "how-should-adams-hyperparameters-be-tuned",
        "Adam hyperparameters beyond the trial budget",
        "Each extra Adam hyperparameter needs more trials to tune; with a small budget, tune the "
        "learning rate (then β1, then ε, then β2) and keep the rest at defaults.",
    ),
    # --- findings: variance -----------------------------------------------------------------
    "variance.no_retrains": Guidance(
        _ADOPT,
        "Trial variance not measured",
        "Without retraining the best configurations with new seeds there is no way to tell a "
        "real difference from seed noise; run retrains before deciding.",
    ),
    "variance.no_reruns": Guidance(
        _ADOPT,
        "Study variance not measured",
        "How much the winner depends on which nuisance points the sampler happened to draw is "
        "only known by repeating the search with new sampler seeds; until then no number for it "
        "is shown, and a launch verdict does not cover that luck.",
    ),
    "below_noise_floor": Guidance(
        "choosing-a-sample-for-periodic-evaluation",
        "Below the validation noise floor",
        "A validation set of n examples cannot resolve rate differences much below its binomial "
        "standard error; gaps under that floor say more about which examples were drawn than "
        "about the models.",
    ),
    # --- study page sections ----------------------------------------------------------------
    "section.design": Guidance(
        "identifying-scientific-nuisance-and-fixed-hyperparameters",
        "Study design",
        "Scientific hyperparameters are what the study measures, nuisance ones are tuned away "
        "so each scientific value gets a fair shot, and fixed ones limit what the results say.",
    ),
    "section.checklist": Guidance(
        "extracting-insight-from-experimental-results",
        "Before you conclude",
        "Check the search space, the sampling, the infeasible trials and the curves first; a "
        "comparison is only as good as the study that produced it.",
    ),
    "section.axis_plots": Guidance(
        "identifying-bad-search-space-boundaries",
        "Axis plots",
        "One point per trial against each varied hyperparameter, scored by the best value over "
        "training; look for best points crowding an edge and for where trials blow up.",
    ),
    "section.density": Guidance(
        "not-sampling-enough-points-in-the-search-space",
        "Sampling density",
        "How many trials landed near the best and how the best-so-far evolved tell whether the "
        "search sampled enough to trust its winner.",
    ),
    "section.curves": Guidance(
        _CURVES,
        "Training curves",
        "A single number per trial hides how it trained; the curves show overfitting, noise and "
        "whether training stopped too early or too late.",
    ),
    "section.isolation": Guidance(
        "detecting-whether-a-change-is-useful-with-isolation-plots",
        "Isolation",
        "For each scientific value, the best trial after tuning the nuisance hyperparameters; "
        "comparing these best points isolates the effect of the scientific change.",
    ),
    "section.variance": Guidance(
        _ADOPT,
        "Trial and study variance",
        "Retraining one configuration with new seeds measures trial variance; repeating the "
        "search with a new sampler seed measures study variance. A difference smaller than "
        "these is not evidence.",
    ),
    "section.decision": Guidance(
        _ADOPT,
        "Launch decision",
        "Adopt a change only when it beats the baseline by more than the seed noise of both and "
        "by enough to pay for the complexity it adds.",
    ),
    # --- findings: instability and gradients (playbook coverage) ----------------------------
    "instability.loss_spike": Guidance(
        "identifying-unstable-workloads",
        "Training loss spiked",
        "The smoothed training loss jumped well above its best level so far and stayed there "
        "for a while. Early jumps usually call for warmup, later ones for clipping; either way "
        "the learning rate is being held back by instability.",
    ),
    "instability.above_best_lr": Guidance(
        "identifying-unstable-workloads",
        "Learning rates just above the best are unstable",
        "The runs with slightly larger learning rates than the winner blew up or spiked. When "
        "instability sets the ceiling, removing it tends to unlock a better result.",
    ),
    "instability.fix_menu": Guidance(
        "potential-fixes-for-common-instability-patterns",
        "Fixes to try, in order",
        "Try the cheap structural fixes first (warmup, clipping, another optimizer, a sounder "
        "residual/normalisation layout) and lower the learning rate only when they fail.",
    ),
    "instability.early_probe": Guidance(
        "identifying-unstable-workloads",
        "Look at the first steps",
        "Sparse evaluations can hide an explosion in the first few hundred steps that later "
        "recovers. A short run at a higher learning rate, evaluated every step, shows it.",
    ),
    "gradients.clip_aggressive": Guidance(
        "gradient-clipping",
        "Clipping most updates",
        "When most steps get clipped, clipping is really shrinking the learning rate. Set the "
        "threshold just above the typical norm (start near its 90th percentile) or lower the rate.",
    ),
    "gradients.outliers": Guidance(
        "gradient-clipping",
        "Gradient-norm outliers",
        "Occasional very large gradients can knock training off course mid-run. A clip "
        "threshold near the 90th percentile of the norm caps them without touching typical steps.",
    ),
    # --- findings: steps, rounds, schedule ----------------------------------------------------
    "regime.compute_bound": Guidance(
        "determining-the-number-of-steps-for-each-training-run",
        "Compute-bound training",
        "Most trials were still getting better when they stopped, so the step budget is the "
        "limit: longer or faster training is itself an improvement.",
    ),
    "regime.not_compute_bound": Guidance(
        "deciding-how-long-to-train-when-training-is-not-compute-bound",
        "Not compute-bound",
        "Most trials levelled off well before the end; extra steps would not pay, and a "
        "shorter budget speeds up the next round.",
    ),
    "regime.short_run_transfer": Guidance(
        "round-1",
        "A short-run result may not carry over",
        "Conclusions drawn from runs much shorter than production are provisional. Fixes for "
        "early instability and big architecture wins usually hold; schedule settings rarely do.",
    ),
    "rounds.transfer": Guidance(
        "round-2",
        "Did the short round's ranking hold?",
        "Rounds only save compute if a short run ranks configurations roughly as a long run "
        "would. Train a few of the short round's best again at the longer budget and compare "
        "their order before trusting short rounds for this workload.",
    ),
    "schedule.warmup_long": Guidance(
        "how-to-apply-learning-rate-warmup",
        "Warmup too long for the budget",
        "A warmup that eats more than about a tenth of training leaves little room at the "
        "target rate. Search for the shortest warmup that still tames the higher rate.",
    ),
    "schedule.warmup_share": Guidance(
        "how-to-apply-learning-rate-warmup",
        "Warmup takes a noticeable share",
        "Once warmup passes a few percent of training, add its length to the step budget "
        "rather than letting it come out of the time at the full rate.",
    ),
    "schedule.hand_edited": Guidance(
        "why-do-some-papers-have-complicated-learning-rate-schedules",
        "Schedule changed by hand",
        "Piecewise schedules made by pausing and editing a run cannot be rerun; copy the rule "
        "that produced them into an automatic schedule instead.",
    ),
    "instability.warmup_protocol": Guidance(
        "how-to-apply-learning-rate-warmup",
        "How to study warmup",
        "Confirm the instability with a much higher learning rate, then search for the shortest "
        "warmup that lets a rate well above the unstable one train.",
    ),
    # --- findings: design, budget, data -------------------------------------------------------
    "design.optimizer_unrecorded": Guidance(
        "choosing-the-optimizer",
        "Optimizer hyperparameters not recorded",
        "Every optimizer hyperparameter can matter, including the ones left at a default, and "
        "libraries pick different defaults; record them all so a result can be reproduced and "
        "the next study can tune them.",
    ),
    "design.max_steps_varies": Guidance(
        "deciding-how-long-to-train-when-training-is-not-compute-bound",
        "Step budget differs between trials",
        "Every trial of a study should train for the same number of steps; tuning the budget "
        "inside a study mixes a length effect into every comparison.",
    ),
    "design.eval_cadence": Guidance(
        "setting-up-periodic-evaluations",
        "Uneven evaluation cadence",
        "Evaluate at a fixed step interval, not by wall-clock time, so curves line up across "
        "trials and the best checkpoint is picked fairly.",
    ),
    "design.grid_many_dims": Guidance(
        "where-can-i-find-an-implementation-of-quasi-random-search",
        "Grid search in many dimensions",
        "Grids only make sense for one or two hyperparameters; beyond that, quasi-random search "
        "covers each dimension far better for the same budget.",
    ),
    "design.exploitation_gate": Guidance(
        "after-exploration-concludes",
        "Exploration checks still open",
        "Move to Bayesian optimisation only once the search space comfortably contains the good "
        "region: best trials inside the bounds and sampled densely enough.",
    ),
    "sanity.near_chance": Guidance(
        "choosing-the-initial-configuration",
        "Barely better than chance",
        "A starting configuration should already beat a guessing model by a wide margin; if it "
        "does not, fix the pipeline or the setup before tuning on top of it.",
    ),
    "data.split_mismatch": Guidance(
        _ADOPT,
        "Different data splits",
        "Results computed on different train/validation splits carry the split's own noise; "
        "compare candidate and baseline on the same split.",
    ),
    # --- page sections (playbook coverage) ----------------------------------------------------
    "section.stability": Guidance(
        "how-can-optimization-failures-be-debugged-and-mitigated",
        "Training stability",
        "Optimisation trouble comes first: until training is stable at the learning rates that "
        "matter, other comparisons are distorted by it.",
    ),
    "section.gradients": Guidance(
        "gradient-clipping",
        "Gradient norms",
        "The per-step gradient norm shows outliers and early blow-ups; its 90th percentile is "
        "a sensible first clipping threshold.",
    ),
    "section.steps": Guidance(
        "determining-the-number-of-steps-for-each-training-run",
        "How long to train",
        "Whether the step budget limits the result decides what to do next: train longer and "
        "retune the schedule, or shorten runs and iterate faster.",
    ),
    "section.rounds": Guidance(
        "deciding-how-long-to-train-when-training-is-compute-bound",
        "Rounds",
        "When training is compute-bound, tune in a few rounds of growing length: many short "
        "runs first, then a handful of long ones on the best points.",
    ),
    "section.schedule": Guidance(
        "which-learning-rate-decay-should-i-use-as-a-default",
        "Learning-rate schedule",
        "Use some decay schedule (linear or cosine are good defaults) and tune it; warmup is a "
        "separate knob aimed at early instability.",
    ),
    "section.insight": Guidance(
        "exploration-vs-exploitation",
        "Insight",
        "Exploration is for learning which hyperparameters matter, which interact and which can "
        "be fixed, not only for finding one good point.",
    ),
    "section.budget": Guidance(
        "striking-a-balance-between-informative-and-affordable-experiments",
        "Budget",
        "Trials are shared between more scientific values, wider nuisance ranges and denser "
        "sampling; the card shows how this study spent them.",
    ),
    "section.resources": Guidance(
        "choosing-the-batch-size-to-minimize-resource-consumption",
        "Resources",
        "Cost is the time per step times the steps, summed over trials; it sets how many more "
        "rounds the project can afford.",
    ),
    "section.start": Guidance(
        "choosing-the-initial-configuration",
        "Starting point",
        "A simple, cheap configuration that clearly beats chance is the right base for tuning.",
    ),
    "section.scope": Guidance(
        "who-is-this-document-for",
        "Scope",
        "This guidance assumes supervised learning or something close to it, and is about the "
        "tuning process rather than a complete recipe for the pipeline.",
    ),
    "section.provenance": Guidance(
        _ADOPT,
        "Provenance and variance sources",
        "Which seeds and splits changed between runs tells which kinds of variance a result "
        "already includes.",
    ),
    "section.checkpoints": Guidance(
        "saving-checkpoints-and-retrospectively-selecting-the-best-checkpoint",
        "Best checkpoint against the last one",
        "Trials are scored by their best evaluation, not the last; the gap shows what picking "
        "the last checkpoint would have cost.",
    ),
    "section.eval_settings": Guidance(
        "evaluation-settings",
        "Evaluation settings",
        "Periodic evaluations during training are a cheap proxy; offline evaluation on held-out "
        "data after training is the more faithful measure.",
    ),
    "section.update_rules": Guidance(
        "what-are-the-update-rules-for-all-the-popular-optimization-algorithms",
        "Optimizer update rules",
        "Libraries differ in where they put ε and how they start the averages, so the same "
        "numbers can mean different optimizers; the convention is recorded with the rule.",
    ),
}

# Sections the playbook's authors mark as open research questions (their notes say so in words:
# an emoji badge renders as an empty box without an emoji font).
OPEN_RESEARCH: frozenset[str] = frozenset(
    {
        "choosing-the-optimizer",
        "choosing-the-batch-size-to-minimize-training-time",
        "not-sampling-enough-points-in-the-search-space",
        "round-2",
        "gradient-clipping",
    }
)


OPEN_RESEARCH_BADGE = " (open research)"


def _badged(g: Guidance) -> Guidance:
    """A note on an open research question says so after its title."""
    if g.anchor in OPEN_RESEARCH and not g.title.endswith(OPEN_RESEARCH_BADGE):
        return Guidance(g.anchor, g.title + OPEN_RESEARCH_BADGE, g.note)
    return g


GUIDANCE = {key: _badged(g) for key, g in GUIDANCE.items()}


def guidance(key: str) -> Guidance:
    """The guidance of a key; an unknown key fails with the list of known keys."""
    try:
        return GUIDANCE[key]
    except KeyError:
        raise KeyError(f"no guidance {key!r}; known: {', '.join(sorted(GUIDANCE))}") from None

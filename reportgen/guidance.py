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
}


def guidance(key: str) -> Guidance:
    """The guidance of a key; an unknown key fails with the list of known keys."""
    try:
        return GUIDANCE[key]
    except KeyError:
        raise KeyError(f"no guidance {key!r}; known: {', '.join(sorted(GUIDANCE))}") from None

"""Round transfer: did the shorter round's ranking hold when its configurations trained longer?

The playbook tunes compute-bound workloads in rounds of growing step budgets, betting that what
wins a short round still wins a long one. A round names its predecessor (``round.previous``) and
trains some of its configurations again; this module matches them by the values of the
hyperparameters this round varies and compares their ranks. Pure: scored trials in, a
``RoundTransfer`` and its finding out.
"""

from __future__ import annotations

import math

import numpy as np

from reportgen.analysis.findings import finding, fmt
from reportgen.analysis.objective import ScoredTrials
from reportgen.schema import Finding, Severity, StudySpec
from reportgen.schema.playbook import RoundTransfer, TransferRow

# fewer matched configurations say nothing about a ranking: on pure noise (independent rankings)
# "held" (rank correlation >= HELD and the same winner) comes out 16.6 % of the time with 3
# matched, 12.8 % with 4, 7.5 % with 5, 3.9 % with 6 and 1.3 % with 8 (20 000 simulated pairs of
# rankings each; tests/analysis/test_round_transfer.py measures 6 again)
MIN_MATCHED = 6
HELD = 0.7  # rank correlation above which the ranking "held"


def _key(values: dict, names: list[str]) -> tuple | None:
    if any(n not in values for n in names):
        return None
    return tuple((n, values[n]) for n in names)


def _best_per_key(search: ScoredTrials, names: list[str]) -> dict[tuple, int]:
    """The best feasible trial of each configuration (a configuration trained twice counts once)."""
    out: dict[tuple, int] = {}
    for i in search.ranking():
        key = _key(search.trials[int(i)].hyperparameters, names)
        if key is not None and key not in out:
            out[key] = int(i)
    return out


def round_transfer(
    spec: StudySpec, search: ScoredTrials, previous: ScoredTrials, previous_steps: int
) -> RoundTransfer | None:
    """Match this round's configurations with the previous round's and compare their ranks."""
    from scipy import stats  # lazily: slow to import

    if spec.round is None or spec.round.previous is None:
        return None
    names = [hp.name for hp in spec.varied]
    now, before = _best_per_key(search, names), _best_per_key(previous, names)
    shared = [k for k in now if k in before]
    result = RoundTransfer(
        previous_study=spec.round.previous,
        previous_steps=previous_steps,
        steps=spec.max_train_steps,
        matched=len(shared),
    )
    if not shared:
        return result
    prev_scores = np.array([previous.scores[before[k]] for k in shared])
    now_scores = np.array([search.scores[now[k]] for k in shared])
    prev_rank = stats.rankdata(prev_scores, method="min").astype(int)
    now_rank = stats.rankdata(now_scores, method="min").astype(int)
    rows = [
        TransferRow(
            label=", ".join(f"{n}={fmt(v) if isinstance(v, float) else v}" for n, v in k),
            previous_trial=previous.trials[before[k]].trial_id,
            trial=search.trials[now[k]].trial_id,
            previous_value=float(previous.values[before[k]]),
            previous_rank=int(pr),
            value=float(search.values[now[k]]),
            rank=int(nr),
        )
        for k, pr, nr in zip(shared, prev_rank, now_rank, strict=True)
    ]
    rows.sort(key=lambda r: (r.previous_rank, r.label))
    rho = None
    if len(shared) >= MIN_MATCHED and np.ptp(prev_scores) > 0 and np.ptp(now_scores) > 0:
        rho = float(stats.spearmanr(prev_scores, now_scores).statistic)
        rho = None if math.isnan(rho) else rho
    winner = rows[0]
    return result.model_copy(
        update={
            "spearman": rho,
            "winner_kept": winner.rank == 1,
            "previous_winner_rank": winner.rank,
            "rows": rows,
        }
    )


def check_transfer(t: RoundTransfer | None) -> list[Finding]:
    """``rounds.transfer``: what the comparison of the two rounds says, or that it cannot."""
    if t is None:
        return []
    longer = f"{t.steps} steps against {t.previous_steps} in {t.previous_study}"
    if t.matched < MIN_MATCHED or t.spearman is None:
        return [
            finding(
                "rounds.transfer",
                Severity.WARNING,
                f"Only {t.matched} configuration(s) of {t.previous_study} were trained again "
                f"here ({longer}): too few to tell whether its ranking holds. Train at least "
                f"{MIN_MATCHED} of its best configurations in this round.",
                matched=t.matched,
            )
        ]
    held = t.spearman >= HELD and t.winner_kept
    text = (
        f"The ranking of {t.matched} configurations trained in both rounds ({longer}) "
        f"{'held' if held else 'did not hold'}: rank correlation {t.spearman:.2f}, and the "
        f"short round's best is {'still the best' if t.winner_kept else f'rank {t.previous_winner_rank} of {t.matched}'} "
        "at the longer budget."
    )
    text += (
        " Short rounds are a fair proxy for this workload: keep using them to narrow the search."
        if held
        else " Decisions taken on the short round need confirming at this length; shorten the "
        "gap between rounds or carry more configurations forward."
    )
    return [
        finding(
            "rounds.transfer",
            Severity.INFO if held else Severity.WARNING,
            text,
            matched=t.matched,
            spearman=round(t.spearman, 4),
            winner_kept=t.winner_kept,
        )
    ]

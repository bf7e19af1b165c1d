"""Calibration of the launch rule: A/A false-adopt rate and power by simulation.

Both arms are normal with unit retrain standard deviation; the candidate is truly better by 0
(A/A), 1 or 2 standard deviations. Prints the adopt rate with its Monte Carlo standard error for
3, 5 and 10 retrains per arm under the default policy. Run from the repository root:

    python bench/decision_calibration.py [--sims 4000] [--seed 0]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from reportgen.analysis.calibration import power_table  # noqa: E402
from reportgen.schema import Policy  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sims", type=int, default=4000, help="simulated comparisons per cell")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    policy = Policy()
    rows = power_table(policy, np.random.default_rng(args.seed), n_sims=args.sims)
    print(
        f"launch rule: Welch one-sided bound at false_adopt_rate={policy.false_adopt_rate}, "
        f"min_effect={policy.min_effect}; {args.sims} simulated comparisons per cell, seed {args.seed}"
    )
    print(f"{'true effect (sd)':>17} | " + " | ".join(f"{n:>2} retrains/arm" for n in (3, 5, 10)))
    for effect in (0.0, 1.0, 2.0):
        cells = [r for r in rows if r.effect_sd == effect]
        label = "0 (A/A)" if effect == 0 else f"{effect:g}"
        print(
            f"{label:>17} | " + " | ".join(f"{r.adopt_rate:6.3f} ±{r.mc_error:.3f}" for r in cells)
        )


if __name__ == "__main__":
    main()

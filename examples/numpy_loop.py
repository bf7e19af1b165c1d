"""Your own training loop, no JAX: a NumPy MLP on sklearn's digits, tuned through
``reportgen suggest`` and written with the trial logger.

    python -m examples.numpy_loop --logbook logbook --study numpy-digits-schedule --count 4
    python -m examples.numpy_loop --logbook logbook --study numpy-digits-schedule --retrain best --seeds 10
    python -m examples.numpy_loop --logbook logbook --study numpy-digits-schedule --sampler-seed 1 --count 96

Each call claims ``--count`` points of the study's search, trains them, and writes one record
per point. Several copies can run at once on one study: they never train the same point.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from reportgen.logger import TrialLogger, open_suggested


def digits_splits(seed: int = 0):
    """Fixed 1197/300/300 split of sklearn's digits (the one the built-in workload uses)."""
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(x))
    va, te, tr = order[:300], order[300:600], order[600:]
    return (x[tr], y[tr]), (x[va], y[va]), (x[te], y[te])


def _forward(p, x):
    h = np.maximum(x @ p["w1"] + p["b1"], 0.0)
    return h, h @ p["w2"] + p["b2"]


def _loss(logits, y):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean()), logp


def train(trial: TrialLogger) -> None:
    """Train one trial and log an eval point every ``trial.eval_every`` steps; stop if it
    diverges. Everything comes from the trial: values, seeds, settings and step budget."""
    hp, seeds, settings = trial.hyperparameters, trial.seeds, trial.settings
    max_steps, eval_every = trial.max_train_steps, trial.eval_every
    lr_peak = float(hp["adam.learning_rate"])
    cosine = hp.get("schedule", "constant") == "cosine"
    hidden, batch = int(settings.get("hidden", 64)), int(settings.get("batch_size", 64))
    (xtr, ytr), (xva, yva), (xte, yte) = digits_splits()
    init, order = np.random.default_rng(seeds.init), np.random.default_rng(seeds.data_order)
    p = {
        "w1": init.normal(0, math.sqrt(2 / 64), (64, hidden)),
        "b1": np.zeros(hidden),
        "w2": init.normal(0, math.sqrt(2 / hidden), (hidden, 10)),
        "b2": np.zeros(10),
    }
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    losses: list[float] = []
    for step in range(1, max_steps + 1):
        idx = order.integers(0, len(xtr), batch)
        x, y = xtr[idx], ytr[idx]
        h, logits = _forward(p, x)
        loss, logp = _loss(logits, y)
        losses.append(loss)
        if not math.isfinite(loss) or loss > 50:
            trial.log(step, train_loss=loss)  # the non-finite value is kept as data
            trial.diverged(f"train loss {loss:.4g} at step {step}")
            return
        d = np.exp(logp)
        d[np.arange(batch), y] -= 1.0
        d /= batch
        grads = {"w2": h.T @ d, "b2": d.sum(0)}
        dh = (d @ p["w2"].T) * (h > 0)
        grads.update(w1=x.T @ dh, b1=dh.sum(0))
        norm = math.sqrt(sum(float((g * g).sum()) for g in grads.values()))
        lr = lr_peak * (0.5 * (1 + math.cos(math.pi * (step - 1) / max_steps)) if cosine else 1.0)
        for k, g in grads.items():  # Adam
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            mh, vh = m[k] / (1 - 0.9**step), v[k] / (1 - 0.999**step)
            p[k] = p[k] - lr * mh / (np.sqrt(vh) + 1e-8)
        if step % eval_every == 0:
            valid_loss, logp_va = _loss(_forward(p, xva)[1], yva)
            trial.log(
                step,
                train_loss=float(np.mean(losses)),
                valid_loss=valid_loss,
                valid_error=float((logp_va.argmax(1) != yva).mean()),
                learning_rate=lr,
                grad_norm=norm,
            )
            losses = []
    test_loss, logp_te = _loss(_forward(p, xte)[1], yte)
    trial.finish({"test_loss": test_loss, "test_error": float((logp_te.argmax(1) != yte).mean())})


def run(
    logbook: Path,
    study_id: str,
    count: int,
    lease_seconds: float = 600.0,
    retrain: str | None = None,
    seeds: int = 3,
    sampler_seed: int | None = None,
) -> list[str]:
    """Claim ``count`` points of the study (or, with ``retrain``, the retrains of that search
    trial with ``seeds`` new seeds; with ``sampler_seed``, points of a rerun of the search), train
    each, write each; returns the trial ids."""
    from runners.search.suggest import suggest, suggest_retrains  # scipy, no JAX

    points = (
        suggest_retrains(logbook, study_id, retrain, seeds, lease_seconds=lease_seconds)
        if retrain
        else suggest(
            logbook, study_id, count, lease_seconds=lease_seconds, sampler_seed=sampler_seed
        )
    )
    done = []
    for point in points:
        with open_suggested(logbook, study_id, point.trial_id) as trial:
            train(trial)
        done.append(point.trial_id)
    return done


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--logbook", type=Path, default=Path("logbook"))
    p.add_argument("--study", required=True)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--retrain", metavar="TRIAL", help="train retrains of this search trial "
                   "(its id, or 'best') instead of search points")  # fmt: skip
    p.add_argument("--seeds", type=int, default=3, help="with --retrain: retrains in all")
    p.add_argument("--sampler-seed", type=int, default=None, metavar="K",
                   help="points of a rerun of the search with sampler seed K (study variance)")  # fmt: skip
    args = p.parse_args()
    for trial_id in run(
        args.logbook,
        args.study,
        args.count,
        retrain=args.retrain,
        seeds=args.seeds,
        sampler_seed=args.sampler_seed,
    ):
        print(trial_id)


if __name__ == "__main__":
    main()

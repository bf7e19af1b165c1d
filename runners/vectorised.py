"""The group trainer: trials of equal shapes trained together by one ``jit(vmap(...))`` program.

- the steps between two evals run inside ``lax.scan``; batches are drawn from the dataset,
  which sits on the device, inside the compiled program (no Python work per step);
- a trial whose loss turns non-finite or explodes is *masked*: its updates are 0 from that step
  on (its parameters stay; its optimizer state is never read again), its divergence step is
  kept, and the other trials of the group go on untouched;
- each eval records train loss and error (means over the batches since the last eval, in
  training mode), validation loss and error, the learning rate and the mean gradient norm;
- the best parameters over training (by the study's objective) are kept on the device, and the
  test set is evaluated with them at the end;
- with checkpoints (``runners.checkpoints``) the state is saved at the evals the study asks for,
  a group resumes from its last one, and each trial's best parameters are saved at the end.

With several local devices (GPUs, or CPU devices forced with
``XLA_FLAGS=--xla_force_host_platform_device_count=N``) the group's trial axis is sharded over
all of them (a one-axis ``jax.sharding.Mesh``; the program is the same, GSPMD splits it), the
group padded to whole devices with copies of its last trial, whose outputs are dropped.

``mode="sequential"`` trains the same trials one at a time with the same (un-vmapped) program,
for comparison.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import jax
import jax.numpy as jnp
import numpy as np
import optax
from jax.sharding import NamedSharding, PartitionSpec

from runners import program_cache
from runners.group_size import trial_mesh
from runners.optimizers import build_transform
from runners.schedules import learning_rate
from runners.specialise import compiled_out
from runners.workloads import Workload

if TYPE_CHECKING:  # orbax is imported only where checkpoints are asked for
    from runners.checkpoints import GroupCheckpoints

METRICS = (  # fmt: skip
    "train_loss", "train_error", "valid_loss", "valid_error", "learning_rate",
    "grad_norm", "grad_norm_max", "grad_norm_p90", "clipped_fraction",
)


@dataclass(frozen=True)
class GroupPlan:
    """What every trial of a group shares: workload, shapes, optimizer, budget, objective."""

    workload: Workload
    cfg: Mapping[str, object]
    optimizer: str
    max_steps: int
    eval_every: int
    objective: str = "valid_error"
    maximize: bool = False
    schedule_steps: int | None = None  # the schedule's span (an early probe: the study's)

    @property
    def segments(self) -> list[int]:
        """Steps between consecutive evals (the last one may be shorter)."""
        full, rest = divmod(self.max_steps, self.eval_every)
        return [self.eval_every] * full + ([rest] if rest else [])


@dataclass(frozen=True)
class TrialOutcome:
    """One trained trial: its curves (host arrays), divergence, best and test metrics."""

    steps: list[int]
    curves: dict[str, list[float]]
    diverged_step: int | None
    diverged_loss: float | None
    test_metrics: dict[str, float]
    checkpoint: tuple[str, int] | None = None  # best parameters: (folder under the root, step)
    resumed_from_step: int | None = None


@dataclass(frozen=True)
class GroupOutcome:
    trials: list[TrialOutcome]
    wall_seconds: float
    compile_seconds: float
    train_seconds: float
    steps_run: int


class Program:
    """The pure per-trial functions of a plan: init, one train-and-eval segment, test.

    ``off``: regularisers at 0 in every trial of the group, compiled out (`runners.specialise`)."""

    def __init__(self, plan: GroupPlan, off: frozenset[str] = frozenset()):
        self.plan = plan
        self.off = off
        self.w = plan.workload
        self.cfg = dict(plan.cfg)
        self.batch_size = int(self.cfg["batch_size"])
        self.sign = -1.0 if plan.maximize else 1.0

    def _tx(self, hp):
        total = self.plan.schedule_steps or self.plan.max_steps

        def schedule(count):
            return learning_rate(
                count, hp["learning_rate"], hp["warmup_steps"], hp["schedule"], total
            )

        return build_transform(self.plan.optimizer, schedule, hp, self.off), schedule

    def init(self, hp, seeds):
        params = self.w.init(jax.random.PRNGKey(seeds[0]), self.cfg)
        tx, _ = self._tx(hp)
        return {
            "params": params,
            "opt_state": tx.init(params),
            "best_params": params,
            "best": jnp.asarray(jnp.inf, jnp.float32),
            "best_step": jnp.asarray(-1, jnp.int32),
            "step": jnp.asarray(0, jnp.int32),
            "diverged": jnp.asarray(False),
            "diverged_step": jnp.asarray(-1, jnp.int32),
            "diverged_loss": jnp.asarray(jnp.nan, jnp.float32),
        }

    def _evaluate(self, params, xs, ys, ws):
        key = jax.random.PRNGKey(0)

        def body(acc, chunk):
            x, y, w = chunk
            logits = self.w.apply(params, x, self.cfg, 0.0, key, False)
            loss = optax.softmax_cross_entropy_with_integer_labels(logits, y)
            err = (jnp.argmax(logits, -1) != y).astype(jnp.float32)
            if loss.ndim > 1:
                loss, err = (
                    loss.mean(axis=tuple(range(1, loss.ndim))),
                    err.mean(axis=tuple(range(1, err.ndim))),
                )
            return (acc[0] + (loss * w).sum(), acc[1] + (err * w).sum()), None

        zero = jnp.asarray(0.0, jnp.float32)
        (tot_loss, tot_err), _ = jax.lax.scan(body, (zero, zero), (xs, ys, ws))
        n = ws.sum()
        return tot_loss / n, tot_err / n

    def segment(self, state, hp, seeds, data, length: int):
        tx, schedule = self._tx(hp)
        data_key = jax.random.PRNGKey(seeds[1])
        drop_key = jax.random.PRNGKey(seeds[2])
        threshold = self.w.divergence_loss

        rate = 0.0 if "dropout" in self.off else hp["dropout"]  # 0.0: no random mask drawn

        def loss_fn(params, x, y, key):
            logits = self.w.apply(params, x, self.cfg, rate, key, True)
            # the batch's misclassification: the training error of item 42's "perfect fit"
            wrong = (jnp.argmax(logits, -1) != y).astype(jnp.float32).mean()
            labels = jax.nn.one_hot(y, logits.shape[-1])
            if "label_smoothing" not in self.off:  # off: the labels smoothed by 0, exactly
                labels = optax.smooth_labels(labels, hp["label_smoothing"])
            return optax.softmax_cross_entropy(logits, labels).mean(), wrong

        def step(st, _):
            k_batch = jax.random.fold_in(data_key, st["step"])
            k_drop = jax.random.fold_in(drop_key, st["step"])
            x, y = self.w.sample_batch(
                k_batch, data["x_train"], data["y_train"], self.batch_size, self.cfg
            )
            grad_fn = jax.value_and_grad(loss_fn, has_aux=True)
            (loss, wrong), grads = grad_fn(st["params"], x, y, k_drop)
            gnorm = optax.tree.norm(grads)
            bad = ~(jnp.isfinite(loss) & jnp.isfinite(gnorm) & (loss < threshold))
            newly = bad & ~st["diverged"]
            frozen = st["diverged"] | bad
            updates, opt_state = tx.update(grads, st["opt_state"], st["params"])
            # a stopped trial's update is 0: its parameters stay as they were, in the same fused
            # loop as the update; its optimizer state is never read again, so it is left to run
            updates = jax.tree.map(lambda u: jnp.where(frozen, jnp.zeros_like(u), u), updates)
            new = dict(st)
            new["params"] = optax.apply_updates(st["params"], updates)
            new["opt_state"] = opt_state
            new["step"] = st["step"] + 1
            new["diverged"] = frozen
            new["diverged_step"] = jnp.where(newly, st["step"] + 1, st["diverged_step"])
            new["diverged_loss"] = jnp.where(newly, loss, st["diverged_loss"])
            return new, (loss, gnorm, wrong)

        state, (losses, gnorms, wrongs) = jax.lax.scan(step, state, None, length=length)
        vloss, verr = self._evaluate(state["params"], data["xv"], data["yv"], data["wv"])
        dead = state["diverged"]
        nan = jnp.asarray(jnp.nan, jnp.float32)
        dead_before = dead & (state["diverged_step"] <= state["step"] - length)
        metrics = {
            "train_loss": jnp.where(dead_before, nan, losses.mean()),
            "train_error": jnp.where(dead_before, nan, wrongs.mean()),
            "valid_loss": jnp.where(dead, nan, vloss),
            "valid_error": jnp.where(dead, nan, verr),
            "learning_rate": schedule(state["step"] - 1),
            "grad_norm": gnorms.mean(),
            # statistics of the per-step unclipped norm over the interval, computed in the scan
            "grad_norm_max": gnorms.max(),
            "grad_norm_p90": jnp.percentile(gnorms, 90),
            "clipped_fraction": jnp.where(
                hp["grad_clip"] > 0, (gnorms > hp["grad_clip"]).mean(), 0
            ),
        }
        m = metrics[self.plan.objective] * self.sign
        better = jnp.isfinite(m) & (m < state["best"])
        state = dict(state)
        state["best"] = jnp.where(better, m, state["best"])
        state["best_step"] = jnp.where(better, state["step"], state["best_step"])
        state["best_params"] = jax.tree.map(
            lambda new, old: jnp.where(better, new, old), state["params"], state["best_params"]
        )
        metrics["diverged"] = dead
        return state, metrics

    def test(self, state, data):
        loss, err = self._evaluate(state["best_params"], data["xt"], data["yt"], data["wt"])
        return {"test_loss": loss, "test_error": err}


class GroupTrainer:
    """Compiles a plan once per mode and group size, then trains groups of trials."""

    def __init__(self, plan: GroupPlan, data: Mapping[str, jax.Array]):
        self.plan = plan
        self.mesh = trial_mesh()
        if self.mesh is not None:  # every device holds the whole dataset
            data = jax.device_put(dict(data), NamedSharding(self.mesh, PartitionSpec()))
        self.data = data
        self.prog = Program(plan)  # the general program (every regulariser traced)
        self._compiled: dict[tuple, Callable] = {}

    def _get(self, what: str, vectorised: bool, length: int, args, off=frozenset()):
        """The compiled ``what`` for these shapes, and the seconds its compile took (0 if cached)."""
        n = jax.tree.leaves(args[0])[0].shape[0] if vectorised else 1
        key = (what, vectorised, length, n, off)
        if key in self._compiled:
            return self._compiled[key], 0.0
        prog = Program(self.plan, off)
        if what == "init":
            fn = prog.init
            axes = (0, 0)
        elif what == "segment":
            fn = partial(prog.segment, length=length)
            axes = (0, 0, 0, None)
        else:
            fn = prog.test
            axes = (0, None)
        jit_options = {}
        if vectorised:
            fn = jax.vmap(fn, in_axes=axes)
            if self.mesh is not None:  # trial axis split over the devices, data replicated
                along = NamedSharding(self.mesh, PartitionSpec("trials"))
                whole = NamedSharding(self.mesh, PartitionSpec())
                jit_options = {
                    "in_shardings": tuple(along if a == 0 else whole for a in axes),
                    "out_shardings": along,
                }
        t0 = time.perf_counter()
        # init runs once per group: LLVM's level 1 compiles it in half the time, runs as fast
        options = {"xla_backend_optimization_level": 1} if what == "init" else None
        # kept between processes unless sharded or a plugin's (`runners.program_cache`)
        kept = self.mesh is None and program_cache.builtin(self.plan.workload)
        stored = program_cache.program_key(self.plan, key, args, options) if kept else None
        compiled = program_cache.load(stored) if stored else None
        if compiled is None:

            def compile():
                return jax.jit(fn, **jit_options).lower(*args).compile(compiler_options=options)

            compiled = program_cache.compiled_and_kept(stored, compile) if stored else compile()
        self._compiled[key] = compiled
        return compiled, time.perf_counter() - t0

    def train(
        self,
        traced: Sequence[Mapping[str, float]],
        seeds: Sequence[tuple[int, int, int]],
        mode: str = "vectorised",
        on_eval: Callable[[int], None] | None = None,
        pad_to: int | None = None,
        checkpoints: Callable[[list[int]], GroupCheckpoints | None] | None = None,
    ) -> GroupOutcome:
        """Train the trials; ``on_eval(steps)`` is called after each eval (for progress).

        ``pad_to``: a vectorised group is padded to this many trials (copies of its last trial,
        whose outputs are dropped), so groups of different sizes share one compiled program.
        ``checkpoints(indices)``: the checkpoints of the trials trained together (all of them,
        or one at a time in sequential mode), or None for none."""
        t_start = time.perf_counter()
        ckpt = checkpoints or (lambda _: None)
        if mode == "vectorised":
            everyone = list(range(len(traced)))
            outcomes, compile_s = self._run(traced, seeds, True, on_eval, pad_to, ckpt(everyone))
        elif mode == "sequential":
            outcomes, compile_s = [], 0.0
            for i, (hp, sd) in enumerate(zip(traced, seeds, strict=True)):
                out, c = self._run([hp], [sd], False, on_eval, None, ckpt([i]))
                outcomes += out
                compile_s += c
        else:
            raise ValueError(f"unknown mode {mode!r}; known: vectorised, sequential")
        wall = time.perf_counter() - t_start
        return GroupOutcome(outcomes, wall, compile_s, wall - compile_s, self.plan.max_steps)

    def _run(
        self, traced, seeds, vectorised: bool, on_eval, pad_to: int | None = None, ckpt=None
    ) -> tuple[list[TrialOutcome], float]:
        n_trials = len(traced)
        names = sorted(traced[0])
        off = compiled_out(traced)
        shard = vectorised and self.mesh is not None
        if vectorised:  # pad the trial axis (bucket, whole devices) with copies of the last trial
            size = max(n_trials, pad_to or 0)
            if shard:
                size += -size % self.mesh.size
            traced = list(traced) + [traced[-1]] * (size - n_trials)
            seeds = list(seeds) + [seeds[-1]] * (size - n_trials)
        hp = {k: jnp.asarray([t[k] for t in traced], jnp.float32) for k in names}
        sd = jnp.asarray(np.asarray(seeds, np.uint32))
        if shard:  # the trial axis is split over the local devices; the program is unchanged
            along_trials = NamedSharding(self.mesh, PartitionSpec("trials"))
            hp = jax.device_put(hp, along_trials)
            sd = jax.device_put(sd, along_trials)
        if not vectorised:
            hp = {k: v[0] for k, v in hp.items()}
            sd = sd[0]
        compile_s = 0.0
        init, c = self._get("init", vectorised, 0, (hp, sd), off)
        compile_s += c
        state = init(hp, sd)
        rows: list[dict[str, np.ndarray]] = []
        segments = self.plan.segments
        ends = list(itertools.accumulate(segments))
        if ckpt is not None and (got := ckpt.restore(state, len(segments))) is not None:
            state, curves, evals = got  # resumed: the state and curve rows of its last save
            rows = [{m: np.atleast_1d(c[k]) for m, c in curves.items()} for k in range(evals)]
        for k, length in enumerate(segments):
            if k < len(rows):
                continue  # restored from the checkpoint
            if rows and bool(rows[-1]["diverged"].all()):
                break
            seg, c = self._get("segment", vectorised, length, (state, hp, sd, self.data), off)
            compile_s += c
            state, metrics = seg(state, hp, sd, self.data)
            rows.append({m: np.atleast_1d(np.asarray(v)) for m, v in metrics.items()})
            last = k == len(segments) - 1 or bool(rows[-1]["diverged"].all())
            if ckpt is not None and ckpt.due(k, last):
                ckpt.save(ends[k], state, rows, len(segments))
            if on_eval is not None:
                on_eval(length * n_trials)
        steps = ends[: len(rows)]
        test, c = self._get("test", vectorised, 0, (state, self.data), off)
        compile_s += c
        tm = {k: np.atleast_1d(np.asarray(v)) for k, v in test(state, self.data).items()}
        div_step = np.atleast_1d(np.asarray(state["diverged_step"]))
        div_loss = np.atleast_1d(np.asarray(state["diverged_loss"]))
        best_step = np.atleast_1d(np.asarray(state["best_step"]))
        saved = (
            ckpt.save_best(state["best_params"], best_step, vectorised)
            if ckpt
            else [None] * n_trials
        )
        out = []
        for i in range(n_trials):
            curves = {m: [float(r[m][i]) for r in rows] for m in METRICS}
            ds = int(div_step[i])
            test_metrics = {}
            if int(best_step[i]) >= 0:
                err = float(tm["test_error"][i])
                test_metrics = {"test_loss": float(tm["test_loss"][i]), "test_error": err}
                test_metrics["test_accuracy"] = 1.0 - err
            out.append(
                TrialOutcome(
                    steps=list(steps),
                    curves=curves,
                    diverged_step=ds if ds >= 0 else None,
                    diverged_loss=float(div_loss[i]) if ds >= 0 else None,
                    test_metrics=test_metrics,
                    checkpoint=saved[i],
                    resumed_from_step=None if ckpt is None else ckpt.resumed_from,
                )
            )
        return out, compile_s

"""Checkpoints (Orbax): a group's training state for resuming, each trial's best parameters.

Everything lives under the checkpoint root, outside the logbook and outside git
(``reportgen run --checkpoints DIR``; by default ``.checkpoints`` beside the logbook folder,
whose own ``.gitignore`` keeps it out of any repository)::

    <root>/<study>/groups/<first trial id>+<n>/<step>/   the group's state and its curves so far
    <root>/<study>/trials/<trial id>/<step>/             the trial's best parameters (step: its best eval)

A group's checkpoint holds its whole state (the trial axis included, padding too), so it is
restored only into the same trials in the same order and the same padded shape: its metadata
names the trial ids, and a fingerprint of the spec, the trials' values and seeds and the
state's shapes must match, or the group trains from step 0 again. The program draws batches and
dropout masks with ``fold_in(key, step)``, so a resumed group continues on the same numbers.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

import jax
import numpy as np
import orbax.checkpoint as ocp

from reportgen.schema import CheckpointKeep, Checkpoints, StudySpec

ROOT_NAME = ".checkpoints"


def default_root(logbook: Path) -> Path:
    """``.checkpoints`` beside the logbook folder (the repository root for ``./logbook``)."""
    return Path(logbook).absolute().parent / ROOT_NAME


def ensure_root(root: Path) -> Path:
    """Create the root with a ``.gitignore`` of everything: checkpoints never enter git."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    ignore = root / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# written by reportgen: checkpoints stay out of git\n*\n")
    return root


def trial_folder(study_id: str, trial_id: str) -> str:
    """A trial's best-parameters folder, relative to the root (what its record names)."""
    return f"{study_id}/trials/{trial_id}"


def group_name(trial_ids: Sequence[str]) -> str:
    return f"{trial_ids[0]}+{len(trial_ids)}"


def fingerprint(spec: StudySpec, trials: Sequence[object]) -> str:
    """What a group's training depends on: the workload, budget, eval cadence and objective of
    the spec, and each trial's values and seeds (``trials``: JSON-able, one per trial)."""
    parts = [
        spec.workload.model_dump(mode="json"),
        spec.max_train_steps,
        spec.eval_every,
        spec.objective.model_dump(mode="json"),
        list(trials),
    ]
    return json.dumps(parts, sort_keys=True, default=str)


def _manager(folder: Path, keep_every: bool = True) -> ocp.CheckpointManager:
    options = ocp.CheckpointManagerOptions(
        max_to_keep=None if keep_every else 2, create=True, enable_background_delete=True
    )
    # the handler named up front: reading metadata then needs no save or restore first
    return ocp.CheckpointManager(
        folder, options=options, item_handlers=ocp.StandardCheckpointHandler()
    )


def _reader(folder: Path) -> ocp.CheckpointManager:
    return ocp.CheckpointManager(folder, item_handlers=ocp.StandardCheckpointHandler())


def _shapes(tree) -> str:  # type: ignore[no-untyped-def]
    leaves, treedef = jax.tree.flatten(tree)
    return f"{treedef}|" + ";".join(f"{x.shape}:{x.dtype}" for x in leaves)


class GroupCheckpoints:
    """One group's checkpoints: the state saved at every k-th eval, restored on resume, and
    each trial's best parameters saved when the group ends."""

    def __init__(
        self,
        root: Path,
        study_id: str,
        trial_ids: Sequence[str],
        fingerprint: str,
        options: Checkpoints,
    ):
        self.root = ensure_root(root)
        self.study_id = study_id
        self.trial_ids = list(trial_ids)
        self.fingerprint = fingerprint
        self.every = options.every_evals
        self.keep_every = options.keep is CheckpointKeep.EVERY
        self.folder = self.root / study_id / "groups" / group_name(self.trial_ids)
        self._mngr: ocp.CheckpointManager | None = None
        self.resumed_from: int | None = None

    def _key(self, like) -> str:  # type: ignore[no-untyped-def]
        text = json.dumps([self.fingerprint, self.trial_ids, _shapes(like)])
        return hashlib.sha256(text.encode()).hexdigest()

    def _open(self) -> ocp.CheckpointManager:
        if self._mngr is None:
            self._mngr = _manager(self.folder, self.keep_every)
        return self._mngr

    # ---------------------------------------------------------------- resume
    def restore(self, state, n_evals: int):  # type: ignore[no-untyped-def]
        """``(state, curves, evals)`` from the group's latest checkpoint, or None (nothing saved,
        or saved by another spec, other trials or other shapes: then it is removed).
        ``curves`` maps each metric to a float32 array (evals so far, trials)."""
        if not self.folder.is_dir():
            return None
        mngr = self._open()
        step = mngr.latest_step()
        if step is None:
            return None
        meta = mngr.metadata(step).custom_metadata or {}
        if meta.get("key") != self._key(state):
            self.discard()
            return None
        like = {
            "state": jax.tree.map(ocp.utils.to_shape_dtype_struct, state),
            "curves": {
                m: jax.ShapeDtypeStruct((n_evals, *np.shape(v)), np.float32)
                for m, v in meta["metric_shapes"].items()
            },
        }
        got = mngr.restore(step, args=ocp.args.StandardRestore(like))
        evals = int(meta["evals"])
        curves = {m: np.asarray(v)[:evals] for m, v in got["curves"].items()}
        self.resumed_from = step
        return got["state"], curves, evals

    def due(self, eval_index: int, last: bool) -> bool:
        return last or (eval_index + 1) % self.every == 0

    def save(
        self, step: int, state, rows: Sequence[Mapping[str, np.ndarray]], n_evals: int
    ) -> None:  # type: ignore[no-untyped-def]
        """Save the state after ``step`` with the curve rows so far (asynchronously: the next
        segment trains while it is written)."""
        first = rows[0]
        curves = {}
        for m in first:
            col = np.full((n_evals, *np.shape(first[m])), np.nan, np.float32)
            col[: len(rows)] = np.stack([np.asarray(r[m], np.float32) for r in rows])
            curves[m] = col
        meta = {
            "trial_ids": self.trial_ids,
            "key": self._key(state),
            "evals": len(rows),
            "size": int(np.size(first["diverged"])),  # the trial axis, padding included
            "metric_shapes": {m: list(np.shape(first[m])) for m in first},
        }
        mngr = self._open()
        if step in mngr.all_steps():
            return
        mngr.save(
            step,
            args=ocp.args.StandardSave({"state": state, "curves": curves}),
            custom_metadata=meta,
        )

    # ------------------------------------------------------------- the best
    def save_best(self, best_params, best_steps: Sequence[int], vectorised: bool) -> list:  # type: ignore[no-untyped-def]
        """Save each trial's best parameters (trial ``i`` of the trial axis when ``vectorised``)
        at its best step; returns, per trial, ``(folder relative to the root, step)`` or None
        when it had no finite eval. Returns after every save (the group's too) is on disk."""
        self.close()
        mngrs, out = [], []
        for i, tid in enumerate(self.trial_ids):
            step = int(best_steps[i])
            if step < 0:
                out.append(None)
                continue
            rel = trial_folder(self.study_id, tid)
            shutil.rmtree(self.root / rel, ignore_errors=True)  # a killed run's leftovers
            params = jax.tree.map(lambda x, i=i: x[i], best_params) if vectorised else best_params
            # host arrays: the saved parameters restore on any device count (export, serving)
            params = jax.device_get(params)
            mngr = _manager(self.root / rel)
            mngr.save(
                step,
                args=ocp.args.StandardSave(params),
                custom_metadata={"study_id": self.study_id, "trial_id": tid},
            )
            mngrs.append(mngr)
            out.append((rel, step))
        for mngr in mngrs:
            mngr.wait_until_finished()
            mngr.close()
        return out

    def close(self) -> None:
        if self._mngr is not None:
            self._mngr.wait_until_finished()
            self._mngr.close()
            self._mngr = None

    def finish(self) -> None:
        """After the group's records are written: keep its states (``keep: every``) or remove
        them (``keep: best``)."""
        self.close()
        if not self.keep_every:
            self.discard()

    def discard(self) -> None:
        if self._mngr is not None:
            self._mngr.close()
            self._mngr = None
        shutil.rmtree(self.folder, ignore_errors=True)


def group_factory(root: Path, spec: StudySpec, trials: Sequence[tuple[str, object]], made: list):  # type: ignore[no-untyped-def]
    """``GroupTrainer.train``'s ``checkpoints``: the checkpoints of the trials at ``indices``
    of ``trials`` (``(trial id, what its training depends on)``), each appended to ``made``."""

    def make(indices: Sequence[int]) -> GroupCheckpoints:
        members = [trials[k] for k in indices]
        ckpt = GroupCheckpoints(
            root,
            spec.study_id,
            [tid for tid, _ in members],
            fingerprint(spec, [part for _, part in members]),
            spec.checkpoints or Checkpoints(),
        )
        made.append(ckpt)
        return ckpt

    return make


def saved_groups(root: Path, study_id: str) -> list[tuple[list[str], int]]:
    """Each group with a saved training state: its trial ids and its padded size."""
    folder = Path(root) / study_id / "groups"
    if not folder.is_dir():
        return []
    groups = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        mngr = _reader(sub)
        try:
            step = mngr.latest_step()  # finished saves only: a save cut short is not listed
            meta = {} if step is None else mngr.metadata(step).custom_metadata or {}
        finally:
            mngr.close()
        ids = meta.get("trial_ids")
        if isinstance(ids, list) and ids and all(isinstance(t, str) for t in ids):
            groups.append((ids, int(meta.get("size", len(ids)))))
    return groups


def restore_params(root: Path, rel: str, step: int):  # type: ignore[no-untyped-def]
    """A trial's best parameters as saved (host arrays), from ``<root>/<rel>/<step>``."""
    folder = Path(root) / rel
    if not (folder / str(step)).is_dir():
        raise FileNotFoundError(f"no checkpoint at {folder / str(step)}")
    mngr = _reader(folder)
    try:
        params = mngr.restore(step, args=ocp.args.StandardRestore())
    finally:
        mngr.close()
    return jax.tree.map(np.asarray, params)

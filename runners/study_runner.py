"""Run a study: sample trials, group them by shape, train each group, write each record.

Each trial's record is written (atomically, through `reportgen.store.write_trial`) as soon as
its group ends, so a crash loses at most the groups in flight; trial ids are deterministic, so
``--resume`` fills in exactly what is missing.

Trial ids: search ``r{revision}-s{sampler_seed}-{index:04d}``; rerun the same with the rerun's
sampler seed (group ``sampler-seed-{seed}``); retrain ``{source_trial_id}-rt{k}`` (group: the
source trial id). Seeds come from ``(sampler seed, trial index, seed index)``.

A revision with ``records_from`` (a re-decision of an earlier revision's records) trains no
search of its own: its search is the earlier one's, and a run says so, or refuses when those
records do not fill the budget. Its reruns and retrains are written under its own revision, and
a rerun point the earlier records already hold is not trained again.

Times recorded: in vectorised mode ``wall_seconds`` is the wall time of the whole group (the
trial was in flight all along) and ``step_seconds`` the time of one step of the group; in
sequential mode both are the trial's own share. ``execution`` records both sides honestly:
``group_wall_seconds`` (the group, compile included) and ``trial_share_seconds`` (the group's
training time divided by its trials), which compares across vectorised, sharded and sequential
runs; ``devices`` is how many local devices the group was sharded over.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from reportgen.errors import InvalidRecords, ReportgenError
from reportgen.registry.trust import PluginPolicy, plugin_policy
from reportgen.schema import (
    Direction,
    ObjectiveMode,
    SearchKind,
    Seeds,
    Status,
    StudySpec,
    TrialKind,
    TrialRecord,
)
from reportgen.store import existing_trial_ids, load_spec, load_study, spec_path, write_trial
from reportgen.store.claims import DEFAULT_LEASE_SECONDS, ClaimBook
from reportgen.store.identity import derive_seeds, search_trial_id
from reportgen.store.layout import study_folder
from reportgen.store.lineage import inherited_points, read_search_notice
from runners.search import SampledPoint, sample_points
from runners.trial_config import TrialConfig, check_spec, resolve
from runners.trial_record import GroupPlacement, trial_record
from runners.workloads import load_workload

TRAINABLE_METRICS = ("train_loss", "valid_loss", "valid_error")


@dataclass(frozen=True)
class TrialJob:
    """A trial to train: identity, place in the search, values and seeds."""

    trial_id: str
    kind: TrialKind
    group: str
    point: SampledPoint
    seeds: Seeds


def load_valid_spec(logbook: Path, study_id: str) -> StudySpec:
    """The study's spec, or an error naming the file and every problem in it."""
    path = spec_path(logbook, study_id)
    if not path.is_file():
        folder = Path(logbook)
        known = (
            sorted(p.name for p in folder.iterdir() if (p / "study.yaml").is_file())
            if folder.is_dir()
            else []
        )
        raise ReportgenError(
            f"no study {study_id!r}: {path} does not exist"
            + (f" (studies here: {', '.join(known)})" if known else "")
        )
    spec, problems = load_spec(path)
    if problems:
        raise InvalidRecords(problems)
    assert spec is not None
    return spec


class StudyRunner:
    """Trains trials of one study and writes their records."""

    @staticmethod
    def for_worker(
        spec_json: str, mode: str, allowed: tuple[str, ...], max_group: int
    ) -> StudyRunner:
        """A runner on a Ray worker, in a folder of its own (the worker needs no shared file
        system): it trains groups and returns their records unwritten (the driver alone writes
        them). ``allowed``: the plugins the driver's repository allows."""
        import atexit
        import shutil
        import tempfile

        from reportgen.store import write_spec

        # no checkpoints on a Ray worker: it may share no disk with the driver
        spec = StudySpec.model_validate_json(spec_json).model_copy(update={"checkpoints": None})
        tmp = tempfile.mkdtemp(prefix="reportgen-ray-")
        atexit.register(shutil.rmtree, tmp, True)
        write_spec(tmp, spec)
        return StudyRunner(
            Path(tmp), spec.study_id, mode=mode, max_group=max_group, quiet=True,
            policy=PluginPolicy(allowed, logbook=Path(tmp)),
        )  # fmt: skip

    def __init__(
        self,
        logbook: Path,
        study_id: str,
        *,
        mode: str = "vectorised",
        max_group: int = 64,
        command: str = "",
        quiet: bool = False,
        worker: bool = False,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        executor: str = "local",
        address: str | None = None,
        policy: PluginPolicy | None = None,
        checkpoint_root: Path | None = None,
    ):
        self.logbook = Path(logbook)
        self.spec = load_valid_spec(self.logbook, study_id)
        # Orbax checkpoints only when the spec asks (``runners.checkpoints``); outside the logbook
        self.checkpoint_root: Path | None = None
        if self.spec.checkpoints is not None:
            from runners.checkpoints import default_root

            self.checkpoint_root = Path(checkpoint_root or default_root(self.logbook)).absolute()
        self._resume_pad: dict[tuple[int, ...], int] = {}
        self.policy = policy or plugin_policy(self.logbook)
        self.workload = load_workload(
            self.spec.workload.name, self.spec.workload.entry, self.policy
        )
        check_spec(self.spec, self.workload)
        metric = self.spec.objective.metric
        if metric not in TRAINABLE_METRICS:
            raise ReportgenError(
                f"objective.metric: the runners record {', '.join(TRAINABLE_METRICS)}; got {metric!r}"
            )
        if mode not in ("vectorised", "sequential"):
            raise ReportgenError(f"unknown mode {mode!r}; known: vectorised, sequential")
        self.mode = mode
        self.max_group = max(1, int(max_group))
        self.command = command
        self.console = Console(stderr=True, quiet=quiet)
        self._data = None
        self._trainers: dict = {}
        self.notice = ""  # a line on what a run did not do, and why (a records_from search)
        self.schedule_steps: int | None = None  # an early probe keeps its study's schedule
        # shape group -> the size its vectorised groups are padded to (one compiled program for
        # a whole group of shapes, also when a worker wins only some trials of a batch)
        self._pad_to: dict[tuple, int] = {}
        # every trial is claimed before it is trained: concurrent workers never train one twice
        self.worker = worker
        self.claims = ClaimBook(study_folder(self.logbook, study_id), lease_seconds=lease_seconds)
        self.poll_seconds = min(5.0, max(0.2, lease_seconds / 4))
        from runners.executors import EXECUTORS

        if executor not in EXECUTORS:
            raise ReportgenError(f"unknown executor {executor!r}; known: {', '.join(EXECUTORS)}")
        if address and executor != "ray":
            raise ReportgenError("--address names a Ray cluster: use it with --executor ray")
        self.executor = executor
        self.address = address

    # ----------------------------------------------------------------- setup
    def _device_notice(self) -> str:
        import jax

        from runners.group_size import device_label

        label = device_label()
        if jax.default_backend() == "cpu":
            self.console.print(
                f"[yellow]No GPU found: training on the CPU ({os.cpu_count()} cores).[/] "
                "Trials still share vectorised groups, but expect it to be slow for large workloads."
            )
        return label

    def data(self):
        if self._data is None:
            settings = {**self.workload.all_settings(), **self.spec.workload.settings}
            self._data = self.workload.load(settings)
        return self._data

    def _trainer(self, cfg: TrialConfig):
        from runners.device_data import device_data
        from runners.vectorised import GroupPlan, GroupTrainer

        key = cfg.group_key
        if key not in self._trainers:
            plan = GroupPlan(
                self.workload,
                cfg.cfg,
                cfg.optimizer,
                self.spec.max_train_steps,
                self.spec.eval_every,
                self.spec.objective.metric,
                self.spec.objective.direction is Direction.MAXIMIZE,
                self.schedule_steps,
            )
            dev = device_data(self.data(), int(cfg.cfg["eval_batch_size"]))
            self._trainers[key] = GroupTrainer(plan, dev)
        return self._trainers[key]

    # ------------------------------------------------------------- execution
    def execute(self, jobs: Sequence[TrialJob]) -> list[TrialRecord]:
        """Train ``jobs`` in shape groups and write each record when its group ends.

        Each trial is claimed (``reportgen.store.claims``) before its group trains, and the
        claims are renewed in the background while it trains; trials claimed by another live
        worker are left to it, and taken over when its lease runs out. Returns when every trial
        of ``jobs`` has a record (written here or by another worker)."""
        if not jobs:
            return []
        from runners.compile_cache import enable_compilation_cache

        enable_compilation_cache()
        device = self._device_notice()
        configs = [resolve(self.spec, self.workload, j.point.values) for j in jobs]
        records: list[TrialRecord] = []
        steps_total = len(jobs) * self.spec.max_train_steps
        with (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
                transient=False,
            ) as progress,
            self.claims.renewing(),
        ):
            t_trials = progress.add_task(self._progress_line(()), total=len(jobs))
            if self.executor == "ray":
                from runners.executors.ray_executor import RayExecutor

                return RayExecutor(self.address).execute(self, jobs, configs, progress, t_trials)
            t_steps = progress.add_task("trial-steps", total=steps_total)
            todo = list(range(len(jobs)))
            while True:
                todo = [i for i in todo if not self.claims.is_done(jobs[i].trial_id)]
                progress.update(t_trials, completed=len(jobs) - len(todo))
                if not todo:
                    break
                trained = False
                for batch in self._batches(todo, configs, jobs):
                    won = [i for i in batch if self.claims.try_claim(jobs[i].trial_id)]
                    if not won:
                        continue
                    trained = True
                    try:
                        records += self._train_batch(jobs, configs, won, device, progress, t_steps)
                    finally:
                        for i in won:
                            self.claims.release(jobs[i].trial_id)
                    progress.update(
                        t_trials,
                        completed=sum(self.claims.is_done(j.trial_id) for j in jobs),
                        description=self._progress_line(records),
                    )
                if not trained:  # the rest is claimed by other live workers: wait for them
                    time.sleep(self.poll_seconds)
        return records

    def _batches(
        self,
        members_of: Sequence[int],
        configs: Sequence[TrialConfig],
        jobs: Sequence[TrialJob] = (),
    ) -> list[list[int]]:
        """Split trials into groups of equal shapes, each at most the group size cap. A group
        with a saved training state comes first, as it was (same trials, order and padding), so
        that it resumes from its checkpoint."""
        from runners.group_size import group_bucket, max_group_size

        batches: list[list[int]] = []
        if self.checkpoint_root is not None and jobs:
            from runners.checkpoints import saved_groups

            index = {jobs[i].trial_id: i for i in members_of}
            for ids, size in saved_groups(self.checkpoint_root, self.spec.study_id):
                if all(t in index for t in ids):
                    batches.append([index.pop(t) for t in ids])
                    self._resume_pad[tuple(batches[-1])] = size
            members_of = list(index.values())
        groups: dict[tuple, list[int]] = {}
        for i in members_of:
            groups.setdefault(configs[i].group_key, []).append(i)
        for key, members in groups.items():
            trainer = self._trainer(configs[members[0]])
            cap = max_group_size(
                trainer.plan, configs[members[0]].traced, self.max_group, trainer.prog.init
            )
            if self.mode == "sequential":
                cap = 1
            n_batches = math.ceil(len(members) / cap)
            size = math.ceil(len(members) / n_batches)  # equal sizes: one compile per group
            self._pad_to[key] = group_bucket(size, cap)
            batches += [members[k : k + size] for k in range(0, len(members), size)]
        return batches

    def train_unclaimed(self, jobs: Sequence[TrialJob]) -> list[TrialRecord]:
        """Train ``jobs`` and return their records without claiming or writing them (a Ray
        task's work: its driver claims and writes)."""
        from runners.compile_cache import enable_compilation_cache

        enable_compilation_cache()
        device = self._device_notice()
        configs = [resolve(self.spec, self.workload, j.point.values) for j in jobs]
        out: list[TrialRecord] = []
        for batch in self._batches(range(len(jobs)), configs):
            out += self._train_batch(jobs, configs, batch, device, None, None, write=False)
        return out

    def _train_batch(  # type: ignore[no-untyped-def]
        self, jobs, configs, batch, device, progress, t_steps, write: bool = True
    ) -> list[TrialRecord]:
        trainer = self._trainer(configs[batch[0]])
        on_eval = None
        if progress is not None:
            # the first eval of a group comes after its compile: name the phase until then
            label = f"group of {len(batch)}"
            progress.update(t_steps, description=f"compiling {label}")

            def on_eval(n: int) -> None:
                progress.update(t_steps, advance=n, description=f"training {label}")

        made: list = []  # the checkpoints of this batch's trials
        outcome = trainer.train(
            [configs[i].traced for i in batch],
            [
                (jobs[i].seeds.init, jobs[i].seeds.data_order, jobs[i].seeds.dropout or 0)
                for i in batch
            ],
            mode="vectorised" if self.mode == "vectorised" else "sequential",
            on_eval=on_eval,
            pad_to=self._resume_pad.get(
                tuple(batch), self._pad_to.get(configs[batch[0]].group_key)
            ),
            checkpoints=self._checkpoints(jobs, configs, batch, made),
        )
        group_id = f"{jobs[batch[0]].trial_id}+{len(batch)}"
        out = []
        for i, trial_outcome in zip(batch, outcome.trials, strict=True):
            rec = trial_record(
                self.spec,
                jobs[i],
                configs[i],
                trial_outcome,
                outcome,
                GroupPlacement(group_id, len(batch), device, self.mode, self._devices()),
                divergence_loss=self.workload.divergence_loss,
                data_info=self.data().info,
                command=self.command,
            )
            if write:
                write_trial(self.logbook, rec)
            out.append(rec)
        for ckpt in made:  # the records are written: the group's training states can go
            ckpt.finish()
        return out

    def _checkpoints(self, jobs, configs, batch, made: list):  # type: ignore[no-untyped-def]
        """The checkpoints of trials ``indices`` of ``batch`` (a ``GroupTrainer.train``
        argument; each one made is appended to ``made``), or None when the study asks none."""
        if self.checkpoint_root is None:
            return None
        from runners.checkpoints import group_factory

        trials = [
            (
                jobs[i].trial_id,
                [jobs[i].seeds.model_dump(mode="json"), configs[i].group_key, configs[i].traced],
            )
            for i in batch
        ]
        return group_factory(self.checkpoint_root, self.spec, trials, made)

    def _progress_line(self, records: Sequence[TrialRecord]) -> str:
        """The trials bar's label: study, executor, current best and diverged count."""
        values = [v for v in (self._objective(r) for r in records) if v is not None]
        pick = max if self.spec.objective.direction is Direction.MAXIMIZE else min
        best = f"best {pick(values):.4g}" if values else "best -"
        diverged = sum(r.status is Status.DIVERGED for r in records)
        return f"{self.spec.study_id} ({self.executor}): {best}, {diverged} diverged"

    def _devices(self) -> int:
        from runners.group_size import device_count

        return device_count() if self.mode == "vectorised" else 1

    # ------------------------------------------------------------ the studies
    def _refuse_if_busy(self) -> None:
        """A plain run does not start while another process trains this study (item: two plain
        runs used to train and write every trial twice); ``--worker`` joins it instead."""
        if self.worker:
            return
        busy = sorted(self.claims.live_claims() - self.claims.held())
        if busy:
            raise ReportgenError(
                f"study {self.spec.study_id!r} is being trained by another process right now "
                f"({len(busy)} trial(s) claimed, e.g. {busy[0]}, under "
                f"{self.claims.folder}); wait for it to finish, or start this process with "
                "--worker to share the work (each trial is still trained once)"
            )

    def _study(self):  # type: ignore[no-untyped-def]
        study, problems = load_study(study_folder(self.logbook, self.spec.study_id))
        if study is None:
            raise InvalidRecords(problems)
        return study

    def _inherited(self) -> dict[str, TrialRecord]:
        """For a revision that re-decides earlier records (``records_from``): the search and
        rerun trials it reads, by the id each point has under this revision (trained already)."""
        if self.spec.records_from is None:
            return {}
        study = self._study()
        return inherited_points(study.revisions, study.trials, self.spec.revision)

    def _pending(self, jobs: list[TrialJob], resume: bool) -> list[TrialJob]:
        self._refuse_if_busy()
        resume = resume or self.worker
        have = existing_trial_ids(self.logbook, self.spec.study_id)
        clash = [j.trial_id for j in jobs if j.trial_id in have]
        if clash and not resume:
            raise ReportgenError(
                f"{len(clash)} of these trials are already in {study_folder(self.logbook, self.spec.study_id)}/trials "
                f"(e.g. {clash[0]}); pass --resume to train only the missing ones"
            )
        have |= set(self._inherited())
        return [j for j in jobs if j.trial_id not in have]

    def search_jobs(self, seed: int, kind: TrialKind, group: str) -> list[TrialJob]:
        points = sample_points(self.spec, self.spec.trial_budget, seed)
        return [self._search_job(seed, kind, group, p) for p in points]

    def _search_job(self, seed: int, kind: TrialKind, group: str, point) -> TrialJob:  # type: ignore[no-untyped-def]
        """The job of one sampled point: deterministic id and seeds from (sampler seed, index)."""
        return TrialJob(
            search_trial_id(self.spec.revision, seed, point.index),
            kind,
            group,
            point,
            derive_seeds(seed, point.index),
        )

    def run_search(
        self, *, seed: int | None = None, kind: TrialKind = TrialKind.SEARCH, resume: bool = False
    ) -> list[TrialRecord]:
        """The study's whole search with sampler ``seed`` (the spec's by default)."""
        seed = self.spec.search.seed if seed is None else seed
        group = "" if kind is TrialKind.SEARCH else f"sampler-seed-{seed}"
        if kind is TrialKind.SEARCH and self.spec.records_from is not None:
            # a re-decision of earlier records: nothing to run when they fill the budget, and
            # no search trial of its own otherwise (read_search_notice refuses)
            study = self._study()
            self.notice = read_search_notice(self.spec, study.revisions, study.trials)
            return []
        if self.spec.search.kind is SearchKind.BAYESIAN:
            return self._run_bayesian(seed, kind, group, resume)
        jobs = self._pending(self.search_jobs(seed, kind, group), resume)
        return self.execute(jobs)

    def _run_bayesian(
        self, seed: int, kind: TrialKind, group: str, resume: bool
    ) -> list[TrialRecord]:
        from runners.search.bayesian import BayesianSearch

        self._refuse_if_busy()
        bo = BayesianSearch(self.spec, seed)
        have = existing_trial_ids(self.logbook, self.spec.study_id)
        prefix = f"r{self.spec.revision}-s{seed}-"
        mine = sorted(t for t in have if t.startswith(prefix))
        if mine and not resume:
            raise ReportgenError(
                f"{len(mine)} trials of this search are already on disk (e.g. {mine[0]}); "
                "pass --resume to continue it"
            )
        start = 0
        inherited = {i: t for i, t in self._inherited().items() if i.startswith(prefix)}
        if mine or inherited:
            study, _ = load_study(study_folder(self.logbook, self.spec.study_id))
            done = [t for t in (study.trials if study else ()) if t.trial_id in set(mine)]
            done += [t for i, t in inherited.items() if i not in set(mine)]
            for t in sorted(done, key=lambda t: t.index):
                bo.add_done(t.hyperparameters, self._objective(t))
            start = max((t.index for t in done), default=-1) + 1
        records: list[TrialRecord] = []
        batch = min(self.max_group, 8)
        index = start
        while index < self.spec.trial_budget:
            n = min(batch, self.spec.trial_budget - index)
            points = [bo.ask(index + k) for k in range(n)]
            jobs = [self._search_job(seed, kind, group, p) for p in points]
            done = self.execute(jobs)
            for rec in done:
                bo.tell(rec.index, self._objective(rec))
            records += done
            index += n
        return records

    def _objective(self, rec: TrialRecord) -> float | None:
        if rec.status is not Status.COMPLETE:
            return None
        if self.spec.objective.mode is ObjectiveMode.FINAL:
            return rec.final_value
        return rec.best.value if rec.best else None

    def best_trial(self) -> TrialRecord:
        """The best feasible search trial of the current revision, by the spec's objective."""
        study, problems = load_study(study_folder(self.logbook, self.spec.study_id))
        if study is None:
            raise InvalidRecords(problems)
        cands = [
            t
            for t in study.trials_at(self.spec.revision)
            if t.kind is TrialKind.SEARCH and self._objective(t) is not None
        ]
        if not cands:
            raise ReportgenError(
                f"study {self.spec.study_id!r} has no complete search trial to retrain; run it first"
            )
        sign = -1 if self.spec.objective.direction is Direction.MAXIMIZE else 1
        return min(cands, key=lambda t: (sign * self._objective(t), t.trial_id))  # type: ignore[operator]

    def retrain(self, trial: str, seeds: int, resume: bool = True) -> list[TrialRecord]:
        """``seeds`` retrains of one trial (``best`` or a trial id): same values, new seeds."""
        if trial == "best":
            source = self.best_trial()
        else:
            study, problems = load_study(study_folder(self.logbook, self.spec.study_id))
            if study is None:
                raise InvalidRecords(problems)
            found = [t for t in study.trials if t.trial_id == trial]
            if not found:
                raise ReportgenError(f"--trial {trial!r}: no such trial in {self.spec.study_id!r}")
            source = found[0]
        if source.kind is not TrialKind.SEARCH:
            raise ReportgenError(
                f"--trial {source.trial_id!r} is a {source.kind} trial; pick a search trial"
            )
        names = {hp.name for hp in self.spec.search_space}
        values = {k: v for k, v in source.hyperparameters.items() if k in names}
        values = {hp.name: values[hp.name] for hp in self.spec.varied if hp.name in values}
        point = SampledPoint(source.index, values, list(source.unit_coords or []))
        jobs = [
            TrialJob(
                f"{source.trial_id}-rt{k}",
                TrialKind.RETRAIN,
                source.trial_id,
                point,
                derive_seeds(source.seeds.sampler, source.index, k),
            )
            for k in range(1, seeds + 1)
        ]
        return self.execute(self._pending(jobs, resume))

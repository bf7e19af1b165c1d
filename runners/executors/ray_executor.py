"""The Ray executor: trial groups trained by a pool of Ray actors, each with its GPU/CPU request.

Each actor (`GroupWorker`) builds one study runner when it starts (the workload, its dataset
on the device) and keeps it: every group it trains after the first reuses the data and the
compiled group programs of its shapes, and only the group's trial jobs travel to it. There are
as many actors as the cluster has slots (one per GPU, else one per machine, since XLA spreads
a program over all of a machine's cores), spread over the machines, started as groups become
ready, never more than there are groups. The driver claims a group's trials
(``reportgen.store.claims``, the same claims as concurrent workers), gives the group to the
actor with the least work queued, receives the trained records and writes them itself,
atomically; workers need no shared file system, only the runners and the datasets. A group whose
actor dies is given again, to a new actor, a bounded number of times; trials already written are
never sent again. Ray is imported here, lazily: it is an optional extra
(``pip install 'tuning-logbook[ray]'``).

A run connects and starts its first actor before it loads anything else (`start_early`): the
actor imports JAX and the runners while the driver does the same, instead of after it. Actors
outlive an `execute`: the next batch of the same study (a Bayesian search asks for one batch at
a time) goes to the actors that already hold its data and compiled programs.
"""

from __future__ import annotations

import atexit
import time
from collections.abc import Sequence

from reportgen.errors import ReportgenError
from reportgen.schema import TrialRecord
from reportgen.store import write_trial

DRIVER_RETRIES = 3
"""Times the driver resubmits a group whose task failed after Ray's own retries."""

# actors no study holds yet, by their GPU request (`start_early`), and actors kept between the
# `execute` calls of one study, by GPU request and study (what `GroupWorker.train` builds)
_bare: dict[float, list] = {}
_idle: dict[tuple, list] = {}
_early_error: list[ReportgenError] = []  # `start_early` could not connect: `execute` says so


def _ray():  # type: ignore[no-untyped-def]
    try:
        import ray
    except ModuleNotFoundError:
        raise ReportgenError(
            "--executor ray needs Ray: pip install 'tuning-logbook[ray]'"
        ) from None
    return ray


class RayExecutor:
    """Sends groups to a Ray cluster (``address``; a local one when None)."""

    def __init__(self, address: str | None = None, *, gpus_per_group: float | None = None):
        self.address = address
        self.gpus_per_group = gpus_per_group

    def connect(self):  # type: ignore[no-untyped-def]
        if _early_error:
            raise _early_error[0]
        ray = _ray()
        if not ray.is_initialized():
            try:
                ray.init(
                    address=self.address,
                    include_dashboard=False,
                    ignore_reinit_error=True,
                    log_to_driver=False,
                    logging_level="ERROR",
                )
            except (RuntimeError, ConnectionError, ValueError) as e:
                where = self.address or "a new local instance"
                raise ReportgenError(
                    f"--executor ray: cannot start or reach {where}: {e}"
                ) from None
            node = getattr(ray._private.worker, "_global_node", None)
            # without an address Ray connects to an instance `ray start` left running on this
            # machine, if there is one: only an instance this driver started (its head) is ours,
            # to end with this driver; a user's instance outlives the run
            if self.address is None and getattr(node, "head", False):
                from runners.executors import ray_watchdog

                ray_watchdog.start(node.get_session_dir_path())
                # no orderly shutdown at exit (about 2 s of a short run): the records are
                # written by then, and Ray's reaper and the watchdog stop the instance once
                # this process is gone
                atexit.unregister(ray._private.worker.shutdown)
        return ray

    def execute(
        self, runner, jobs: Sequence, configs: Sequence, progress, t_trials
    ) -> list[TrialRecord]:  # type: ignore[no-untyped-def]
        """Train ``jobs`` on the cluster; the driver (this process) writes every record."""
        ray = self.connect()
        actor, gpus, slots = self._actor(ray)
        # the runner's own class builds the runner on the worker (this module never imports it)
        start = (type(runner).for_worker, runner.spec.model_dump_json(), runner.mode,
                 runner.policy.allowed, runner.max_group)  # fmt: skip
        kept = _idle.setdefault((gpus, start[1:]), [])
        workers: dict = dict.fromkeys(kept, 0)  # actor -> groups queued on it
        kept.clear()
        claims = runner.claims
        pending: dict = {}  # result -> (actor, batch)
        tries: dict[tuple[str, ...], int] = {}
        records: list[TrialRecord] = []

        def submit(batch: list[int]) -> None:
            key = tuple(jobs[i].trial_id for i in batch)
            tries[key] = tries.get(key, 0) + 1
            if len(workers) < max(1, slots) and all(workers.values()):
                # every actor is busy: another, one started early if there is one
                bare = _bare.get(gpus, [])
                workers[bare.pop() if bare else actor.remote()] = 0
            w = min(workers, key=workers.get)
            workers[w] += 1
            pending[w.train.remote(start, [jobs[i] for i in batch])] = (w, batch)

        todo = list(range(len(jobs)))
        while True:
            todo = [i for i in todo if not claims.is_done(jobs[i].trial_id)]
            progress.update(t_trials, completed=len(jobs) - len(todo))
            if not todo and not pending:
                break
            in_flight = {i for _, b in pending.values() for i in b}
            for batch in runner._batches([i for i in todo if i not in in_flight], configs):
                won = [i for i in batch if claims.try_claim(jobs[i].trial_id)]
                if won:
                    submit(won)
            if not pending:
                time.sleep(runner.poll_seconds)  # the rest is claimed by other live workers
                continue
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=claims.lease_seconds / 3)
            for ref in ready:
                w, batch = pending.pop(ref)
                if w in workers:
                    workers[w] -= 1
                try:
                    got = ray.get(ref)
                except ray.exceptions.RayError as e:
                    workers.pop(w, None)  # a dead actor gets no more groups
                    key = tuple(jobs[i].trial_id for i in batch)
                    if tries[key] <= DRIVER_RETRIES:
                        runner.console.print(
                            f"[yellow]group {key[0]}+{len(key)} failed on the cluster "
                            f"({type(e).__name__}); retrying ({tries[key]}/{DRIVER_RETRIES})[/]"
                        )
                        submit(batch)
                        continue
                    for i in batch:
                        claims.release(jobs[i].trial_id)
                    raise ReportgenError(
                        f"group {key[0]}+{len(key)} failed {tries[key]} times on the Ray "
                        f"cluster: {e}"
                    ) from None
                for rec in got:
                    rec = TrialRecord.model_validate(rec.model_dump())  # validate at the edge
                    write_trial(runner.logbook, rec)
                    records.append(rec)
                for i in batch:
                    claims.release(jobs[i].trial_id)
                progress.update(
                    t_trials,
                    completed=sum(claims.is_done(j.trial_id) for j in jobs),
                    description=runner._progress_line(records)
                    + f", {len(pending)} group(s) on {len(workers)} Ray actor(s)",
                )
        kept += workers  # the study's next batch, if any, goes to them
        return records

    def _actor(self, ray):  # type: ignore[no-untyped-def]
        """The actor class with its resource request, that request's GPUs, and how many actors
        the cluster has slots for."""
        gpus = self.gpus_per_group
        resources = ray.cluster_resources()
        if gpus is None:
            gpus = 1 if resources.get("GPU", 0) >= 1 else 0
        # one actor per GPU; on CPUs one per machine, since XLA spreads a program over every
        # core of its machine (two actors on one machine would compile and train side by side)
        nodes = sum(1 for n in ray.nodes() if n.get("Alive"))
        slots = int(resources.get("GPU", 0) // gpus) if gpus else max(1, nodes)
        actor = ray.remote(GroupWorker).options(
            num_cpus=1, num_gpus=gpus, max_restarts=0, scheduling_strategy="SPREAD"
        )
        return actor, gpus, slots


def start_early(address: str | None) -> None:
    """Connect to the cluster and start one actor now, before this process loads the runners:
    the actor imports JAX and the runners while this process does the same. A cluster that
    cannot be reached is reported by the run's `execute`, where it would have been, after any
    error in the study itself."""
    try:
        executor = RayExecutor(address)
        ray = executor.connect()
        actor, gpus, _ = executor._actor(ray)
    except ReportgenError as e:
        _early_error.append(e)
        return
    _bare.setdefault(gpus, []).append(actor.remote())


class GroupWorker:
    """A Ray actor: it loads JAX and the runners when it starts, builds a study runner with the
    first group it is given (``start``: the factory and its arguments), then trains group
    after group of that study; the runner keeps each shape's data and compiled programs."""

    def __init__(self) -> None:
        import jax

        import runners.vectorised  # noqa: F401 - the training code of every runner (optax)

        jax.devices()  # the backend starts here, not in the first group's time
        self.runner = None

    def train(self, start: tuple, jobs: list) -> list[TrialRecord]:  # type: ignore[type-arg]
        """Train one group; its records come back unwritten (the driver writes them)."""
        if self.runner is None:
            factory, *args = start
            self.runner = factory(*args)
        return self.runner.train_unclaimed(jobs)

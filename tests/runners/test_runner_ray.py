"""The Ray executor on a real local Ray cluster (2 CPUs) started by the test, with a worker
killed in the middle of a task: every trial exists exactly once and ``check`` passes."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reportgen.store import load_study, write_spec
from tests.conftest import REPO, run_cli
from tests.runners.conftest import tiny_spec

pytest.importorskip("jax")
pytest.importorskip("ray")
pytestmark = [pytest.mark.jax, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _task_pids() -> list[int]:
    """Ray worker processes executing our group task (an actor runs a group as ``ray::GroupWorker.train``)."""
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes()
            except OSError:
                continue
            if cmd.startswith(b"ray::") and b"GroupWorker.train" in cmd.split(b"\0")[0]:
                out.append(int(d.name))
    return out


@contextlib.contextmanager
def _private_head() -> Iterator[tuple[int, dict[str, str], subprocess.Popen]]:
    """A Ray head of the test's own (``ray start --head --block``: its own port and temporary
    folder, so no other test's ``ray.init()`` finds it), stopped at the end: its port, the
    environment to reach it with, and the ``ray start`` process (it ends if the head dies)."""
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="rgray", dir="/tmp")
    env = dict(os.environ, PYTHONPATH=str(REPO), RAY_USAGE_STATS_ENABLED="0",
               RAY_AUTH_MODE="disabled")  # fmt: skip
    # (a token another Ray user left in ~/.ray must not apply to this private test cluster)
    ray_bin = str(Path(sys.executable).parent / "ray")
    head = subprocess.Popen(
        [ray_bin, "start", "--head", "--block", f"--port={port}", "--num-cpus=2",
         "--num-gpus=0", "--include-dashboard=false", f"--temp-dir={temp}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        time.sleep(8)  # the head node starts
        yield port, env, head
    finally:
        try:
            os.killpg(head.pid, signal.SIGTERM)
            head.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(head.pid, signal.SIGKILL)
        shutil.rmtree(temp, ignore_errors=True)


def test_ray_executor_survives_a_killed_worker_and_writes_every_trial_once(tmp_path):
    lb = tmp_path / "logbook"
    # long enough that a group outlives the killer's wait even with a warm compilation cache
    # (200 steps finished inside it once the cache was warm, and nothing was killed)
    write_spec(lb, tiny_spec(trial_budget=4, max_train_steps=2000, eval_every=500))
    killed: list[int] = []
    stop = threading.Event()

    def kill_one_task() -> None:
        while not stop.is_set() and not killed:
            pids = _task_pids()
            if pids:
                time.sleep(1.0)  # let it get into its group
                try:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.append(pids[0])
                except ProcessLookupError:
                    continue
            time.sleep(0.1)

    killer = threading.Thread(target=kill_one_task, daemon=True)
    with _private_head() as (port, env, _):
        try:
            killer.start()
            res = subprocess.run(
                [sys.executable, "-m", "reportgen", "run", "tiny", "--logbook", str(lb),
                 "--executor", "ray", "--address", f"127.0.0.1:{port}", "--max-group", "2"],
                env=env, capture_output=True, text=True, timeout=900,
            )  # fmt: skip
        finally:
            stop.set()
            killer.join(timeout=10)
    assert res.returncode == 0, res.stderr[-4000:]
    assert killed, "no Ray task was killed mid-group"
    m = re.search(r"wrote (\d+) trial", res.stderr)
    assert m and int(m.group(1)) == 4, res.stderr[-2000:]  # the driver wrote each once
    study, problems = load_study(lb / "tiny")
    assert problems == [] and study is not None
    assert sorted(t.trial_id for t in study.trials) == [f"r1-s0-{i:04d}" for i in range(4)]
    assert not list((lb / "tiny" / "trials").glob(".*"))
    check = run_cli("check", "--logbook", str(lb))
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_run_without_an_address_leaves_a_running_instance_running(tmp_path):
    """Without ``--address`` Ray connects to an instance already running on the machine (here
    through ``RAY_ADDRESS``, as ``ray start`` tells its users to set). Before: the executor took
    it for one it had started and its watchdog stopped the user's instance when the run ended.
    Now the instance outlives the run, and a second run uses it again."""
    lb = tmp_path / "logbook"
    write_spec(lb, tiny_spec(trial_budget=2))
    with _private_head() as (port, env, head):
        env = dict(env, RAY_ADDRESS=f"127.0.0.1:{port}")
        for budget in (2, 4):  # the second run trains the two trials the first did not
            write_spec(lb, tiny_spec(trial_budget=budget))
            res = subprocess.run(
                [sys.executable, "-m", "reportgen", "run", "tiny", "--logbook", str(lb),
                 "--executor", "ray", "--max-group", "2", *(["--resume"] if budget > 2 else [])],
                env=env, capture_output=True, text=True, timeout=900,
            )  # fmt: skip
            assert res.returncode == 0, res.stderr[-4000:]
            time.sleep(7)  # a watchdog would have stopped the instance by now (5 s of grace)
            assert head.poll() is None, "the running Ray instance was stopped by the run"
    study, problems = load_study(lb / "tiny")
    assert problems == [] and study is not None and len(study.trials) == 4


EARLY = """
import json, sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from runners.executors import ray_executor as rx
rx.start_early(None)
out = {"jax_loaded_after_start": "jax" in sys.modules}
[early] = rx._bare[0]
from reportgen.schema import TrialKind
from runners.study_runner import StudyRunner
runner = StudyRunner(Path(sys.argv[2]), "tiny", executor="ray", max_group=2, quiet=True)
jobs = runner.search_jobs(runner.spec.search.seed, TrialKind.SEARCH, "")
out["actors"] = []
for part in (jobs[:2], jobs[2:]):  # two calls, as a Bayesian search makes one per batch
    runner.execute(part)
    out["actors"].append([a._actor_id.hex() for kept in rx._idle.values() for a in kept])
out["early"], out["bare_left"] = early._actor_id.hex(), len(rx._bare[0])
print(json.dumps(out))
"""


def test_a_run_starts_its_actor_before_it_loads_jax_and_keeps_it_for_the_next_batch(tmp_path):
    """The driver connects and starts its first actor before it imports the runners
    (`ray_executor.start_early`): the actor loads JAX while the driver does. That actor trains
    the first groups, and the same actor takes the next `execute` of the study (its data and
    compiled programs are there): one actor for four trials in two calls, on one slot."""
    lb = tmp_path / "logbook"
    write_spec(lb, tiny_spec(trial_budget=4))
    with _private_head() as (port, env, _):
        env = dict(env, RAY_ADDRESS=f"127.0.0.1:{port}")
        res = subprocess.run([sys.executable, "-c", EARLY, str(REPO), str(lb)], env=env,
                             capture_output=True, text=True, timeout=900)  # fmt: skip
    assert res.returncode == 0, res.stderr[-4000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["jax_loaded_after_start"] is False
    assert out["actors"] == [[out["early"]], [out["early"]]], out
    assert out["bare_left"] == 0
    study, problems = load_study(lb / "tiny")
    assert problems == [] and study is not None and len(study.trials) == 4


DRIVER = """
import sys
sys.path.insert(0, sys.argv[1])
from runners.executors.ray_executor import RayExecutor
ray = RayExecutor().connect()
print("SESSION", ray._private.worker._global_node.get_session_dir_path(), flush=True)
import time
time.sleep(600)
"""


def test_a_killed_driver_leaves_no_ray_process_behind():
    """Before: a driver killed with SIGKILL left Ray's dashboard and runtime-env agents running
    for good. The executor's watchdog stops the local instance it started. The instance's
    processes are those naming its session folder and their descendants (agents and workers
    rename themselves), noted before the kill; other Ray instances are left out."""
    from runners.executors.ray_watchdog import _stat, session_processes

    proc = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(REPO)], stdout=subprocess.PIPE, text=True
    )
    session = next(line.split()[1] for line in proc.stdout if line.startswith("SESSION"))
    time.sleep(3)
    known = {
        pid: t for pid, t in session_processes(session).items()
        if b"ray_watchdog" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    }  # fmt: skip
    titled = [p for p in known if Path(f"/proc/{p}/cmdline").read_bytes().startswith(b"ray::")]
    assert len(known) >= 3 and titled, known  # GCS, raylet, the agents

    def left() -> list[int]:
        return [pid for pid, t in known.items() if (_stat(pid) or (0, -1))[1] == t]

    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    deadline = time.monotonic() + 60
    while left() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left() == []

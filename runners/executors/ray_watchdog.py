"""Stop a local Ray instance when the driver that started it dies.

``ray.init()`` without an address starts a Ray instance (GCS, raylet, and agents that the
raylet starts) that ``ray.shutdown()`` stops when the driver exits normally. A driver killed by
SIGKILL, or by the machine's out-of-memory killer, runs no shutdown, and two of Ray's agents
stayed behind for good. The Ray executor therefore starts this watchdog, in a session of its
own, for the local instances it starts: while the driver lives it notes every process whose
command line names that instance's session folder and their descendants (the agents and
workers the raylet starts rename themselves, so only the process tree finds them); when the
driver dies it stops them all (SIGTERM, then SIGKILL after a grace period), each checked by its
start time so a reused pid is never hit. It ends by itself once the instance's processes are gone. Linux only (it reads /proc);
elsewhere it does nothing.

    python ray_watchdog.py DRIVER_PID SESSION_DIR
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from pathlib import Path

POLL_S = 0.5
GRACE_S = 5.0


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is dead
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:
        return True


def _stat(pid: int) -> tuple[int, int] | None:
    """(parent pid, start time) of a process, None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[19])


def session_processes(session: str) -> dict[int, int]:
    """pid -> start time of the processes (not this one) whose command line names the session
    folder, and of all their descendants."""
    needle = session.encode()
    roots, parents, started = set(), {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        pid = int(entry.name)
        st = _stat(pid)
        if st is None:
            continue
        parents[pid], started[pid] = st
        try:
            if needle in Path(entry.path, "cmdline").read_bytes():
                roots.add(pid)
        except OSError:
            continue
    found = set(roots)
    grew = True
    while grew:
        new = {pid for pid, parent in parents.items() if parent in found} - found
        grew = bool(new)
        found |= new
    return {pid: started[pid] for pid in found}


def stop(known: dict[int, int]) -> None:
    """Stop the processes in ``known`` (pid -> start time) that are still those processes."""
    pids = [pid for pid, started in known.items() if (_stat(pid) or (0, -1))[1] == started]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + GRACE_S
        while time.monotonic() < deadline and any(alive(p) for p in pids):
            time.sleep(0.1)
        pids = [p for p in pids if alive(p)]
        if not pids:
            return


def watch(driver: int, session: str) -> None:
    known: dict[int, int] = {}
    while alive(driver):
        now = session_processes(session)
        if not now and known:
            return  # the driver shut the instance down itself
        known.update(now)
        known = {pid: t for pid, t in known.items() if (_stat(pid) or (0, -1))[1] == t}
        time.sleep(POLL_S)
    known.update(session_processes(session))
    stop(known)


def start(session: str) -> None:
    """Start the watchdog for this process's local Ray instance (no-op off Linux)."""
    import subprocess

    if not Path("/proc/self/cmdline").exists() or not session:
        return
    subprocess.Popen(
        [sys.executable, __file__, str(os.getpid()), session],
        start_new_session=True,  # not in the driver's process group: it outlives a group kill
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        close_fds=True,
    )  # fmt: skip


if __name__ == "__main__":
    watch(int(sys.argv[1]), sys.argv[2])

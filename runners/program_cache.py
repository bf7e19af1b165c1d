"""Compiled group programs kept between processes, so that a warm run neither traces nor lowers.

JAX's persistent compilation cache (`runners.compile_cache`) spares XLA's compile, but JAX must
still trace and lower a program to compute that cache's key. For a vectorised group that is
most of what a warm start costs: ``bench/runner_throughput.py``'s 8 digits trials spend about
0.45 s tracing and lowering their three programs, and train in 0.1 s. This cache keys a
program by what determines it, without tracing it, and keeps the compiled executable
(``jax.experimental.serialize_executable``):

- the code that is traced: every module of the ``runners`` package and of the optimizer
  registry (a digest of their source), and the versions of jax, jaxlib, optax and numpy;
- the backend: platform, device kinds and count, ``XLA_FLAGS``;
- the plan (workload name, settings, optimizer, steps, objective), the program (init, segment
  or test; vectorised or not; segment length; the regularisers compiled out) and the compile
  options;
- the arguments' tree structure, shapes and dtypes (weak types included).

Only built-in workloads are kept: a plugin's program may depend on code or state outside its
module, which no digest here could see, so plugins go through JAX's own cache, keyed on the
lowered program. Sharded groups are not kept either (their key would depend on the mesh).

An entry is sealed (`reportgen.store.cache_seal`): loading an executable can run code, so a
file is loaded only when its seal, made with the cache folder's private key, checks out. A
missing, torn, planted or unloadable entry is a miss: the program is compiled as before and
the entry written again. The cache lives in ``programs/`` of JAX's compilation cache folder, and
is used only where that cache is (`runners.compile_cache`; ``REPORTGEN_COMPILE_CACHE=off``
turns both off).
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

FORMAT = 1
LIMIT = 1 << 30  # bytes an entry may have
FOLDER = "programs"


@functools.cache
def _code_digest() -> str:
    """A digest of the source that a group program is traced from, and of the versions of the
    libraries it is traced with."""
    import jax
    import jaxlib
    import numpy
    import optax

    import reportgen.registry

    h = hashlib.sha256(f"{jax.__version__} {jaxlib.__version__} {optax.__version__} "
                       f"{numpy.__version__} {sys.version}".encode())  # fmt: skip
    roots = (Path(__file__).parent, Path(reportgen.registry.__file__).parent)
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            h.update(str(path.relative_to(root.parent)).encode() + b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


def _backend() -> str:
    import jax

    devices = jax.devices()
    kinds = sorted({d.device_kind for d in devices})
    return f"{jax.default_backend()} {kinds} {len(devices)} {os.environ.get('XLA_FLAGS', '')}"


def builtin(workload: Any) -> bool:
    """Whether every function of the workload comes from the runners' own workloads."""
    fns = (workload.load, workload.init, workload.apply, workload.sample_batch)
    return all(getattr(f, "__module__", "").startswith("runners.workloads.") for f in fns)


def program_key(plan: Any, program: tuple, args: tuple, options: Mapping | None) -> str:
    """The key of one compiled program: its code, backend, plan, arguments and options."""
    import jax

    leaves, tree = jax.tree.flatten(args)
    w = plan.workload
    parts = [
        f"format {FORMAT}",
        _code_digest(),
        _backend(),
        f"workload {w.name} {w.num_classes} {w.divergence_loss!r}",
        repr(sorted((str(k), repr(v)) for k, v in plan.cfg.items())),
        repr((plan.optimizer, plan.max_steps, plan.eval_every, plan.objective, plan.maximize,
              plan.schedule_steps)),  # fmt: skip
        repr(program[:4]) + repr(sorted(program[4])),
        repr(sorted((options or {}).items())),
        str(tree),
        " ".join(str(jax.typeof(x)) for x in leaves),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _where() -> tuple[Path, Any] | None:
    import jax

    from reportgen.store.cache_seal import sealer

    base = jax.config.jax_compilation_cache_dir  # set by `compile_cache.enable_compilation_cache`
    if not base:
        return None
    folder = Path(base) / FOLDER
    seal = sealer(folder)
    return None if seal is None else (folder, seal)


def load(key: str) -> Any | None:
    """The compiled program kept under ``key``, or None (missing, not sealed, unloadable)."""
    from jax.experimental import serialize_executable

    from reportgen.store.cache_seal import read_sealed

    where = _where()
    if where is None:
        return None
    folder, seal = where
    body = read_sealed(folder / f"{key}.bin", seal, LIMIT)
    if body is None:
        return None
    try:
        serialized, in_tree, out_tree = pickle.loads(body)  # sealed: written by us
        return serialize_executable.deserialize_and_load(serialized, in_tree, out_tree)
    except Exception:  # an executable this jaxlib cannot load: compile it again
        return None


def compiled_and_kept(key: str, compile: Callable[[], Any]) -> Any:
    """``compile()``, kept under ``key`` when XLA compiled it here. A program JAX's persistent
    cache gave back is not kept: an executable loaded from a file serialises without its code
    (XLA:CPU, jaxlib 0.10), and would fail when run ("Function ... not found")."""
    _listen()
    before = _HITS[0]
    compiled = compile()
    if _HITS[0] == before:
        _keep(key, compiled)
    return compiled


_HITS = [0]  # JAX's persistent cache hits seen in this process


def _count(event: str, **_: object) -> None:
    if event == "/jax/compilation_cache/cache_hits":
        _HITS[0] += 1


@functools.cache
def _listen() -> None:
    import jax.monitoring

    jax.monitoring.register_event_listener(_count)


def _keep(key: str, compiled: Any) -> None:
    """Keep a compiled program under ``key``; a cache that cannot be written costs only speed."""
    from jax.experimental import serialize_executable

    from reportgen.store.cache_seal import write_sealed

    where = _where()
    if where is None:
        return
    folder, seal = where
    try:
        body = pickle.dumps(serialize_executable.serialize(compiled))
        write_sealed(folder / f"{key}.bin", seal, body)
    except Exception:  # not serialisable on this backend, or an unwritable folder
        return

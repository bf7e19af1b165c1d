"""The command a finding or a decision asks the user to run, for the way the study is trained.

A built-in or plugin workload is trained by ``reportgen retrain`` / ``reportgen rerun``; an
``external`` workload (the user's own loop with the trial logger) gets its points from
``reportgen suggest`` instead, since no runner can train it.
"""

from __future__ import annotations

EXTERNAL = "external"  # the workload of studies trained by the user's own loop (or imported)


def retrain_command(study_id: str, trial: str, seeds: int, external: bool) -> str:
    """Retrains of ``trial`` (an id or ``best``) with ``seeds`` new seeds in total."""
    if external:
        return f"`reportgen suggest {study_id} --retrain {trial} --seeds {seeds}`"
    return f"`reportgen retrain {study_id} --trial {trial} --seeds {seeds}`"


def rerun_command(study_id: str, sampler_seeds: int, external: bool) -> str:
    """Reruns of the whole search with ``sampler_seeds`` other sampler seeds."""
    if external:
        seeds = ", ".join(str(k) for k in range(1, sampler_seeds + 1))
        return (
            f"`reportgen suggest {study_id} --sampler-seed K --count N` for K = {seeds} "
            "(N = the search budget)"
        )
    return f"`reportgen rerun {study_id} --sampler-seeds {sampler_seeds}`"

"""JAX runners: train every trial of a study and write each one as a validated record.

Nothing here is imported by ``reportgen`` at module level; the ``run``, ``retrain`` and
``rerun`` commands import it lazily, so ``reportgen build`` works without JAX.
"""

"""Examples of bringing your own model and your own loop to the tuning logbook.

- `examples.flax_digits`: a Flax model as a workload plugin, trained by `reportgen run`;
- `examples.numpy_loop`: a NumPy training loop that takes points from `reportgen suggest`
  and writes its trials with the trial logger (no JAX).
"""

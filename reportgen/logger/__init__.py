"""The trial logger: any training loop (PyTorch, Keras, NumPy, JAX) writes trial records that are
exactly as valid as the runners' ones, with no JAX and no runners extra.

    from reportgen.logger import open_trial

    with open_trial("logbook", "my-study", {"adam.learning_rate": 3e-3}) as trial:
        for step in range(0, 1001, 100):
            ...  # train
            trial.log(step, train_loss=..., valid_loss=..., valid_error=...)
    # leaving the block finishes the trial; an exception marks it failed with the reason

While a trial runs, its state is a journal (a hidden file beside the records, replaced
atomically at every ``log``); the record itself is written once, atomically, when the trial
ends. A loop killed mid-trial leaves no torn record: the next ``open_trial`` on the study (or
``recover``) turns the dead journal into a ``failed`` record that keeps its partial curves.
"""

from reportgen.logger.trial import TrialLogger, open_suggested, open_trial, recover

__all__ = ["TrialLogger", "open_suggested", "open_trial", "recover"]

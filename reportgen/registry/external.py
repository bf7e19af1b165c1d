"""``external``: the workload of a study trained by the user's own loop (any framework).

Its settings are free-form (the loop defines them) and so are its hyperparameter names; the
points come from ``reportgen suggest`` and the records from the trial logger. ``reportgen run``
cannot train it and says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict


class ExternalSettings(BaseModel):
    """Any settings: the external loop reads them from the study file."""

    model_config = ConfigDict(frozen=True, extra="allow")


@dataclass(frozen=True)
class ExternalWorkload:
    name: str = "external"
    description: str = (
        "trained by your own loop (PyTorch, Keras, NumPy, ...): points from `reportgen suggest`, "
        "records from `reportgen.logger`"
    )
    settings_model: type[BaseModel] = ExternalSettings
    shape_settings: tuple[str, ...] = ()
    open_names: bool = True  # any hyperparameter name is the loop's own


def make_workload() -> ExternalWorkload:
    return ExternalWorkload()

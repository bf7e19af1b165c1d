"""Where an imported study or trial came from (Optuna, TensorBoard, MLflow)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePath

from pydantic import Field

from reportgen.schema.common import Model


class SourceKind(StrEnum):
    OPTUNA = "optuna"
    TENSORBOARD = "tensorboard"
    MLFLOW = "mlflow"


class Source(Model):
    """The tool a record was imported from: kind, location, the tool's own run id, its version."""

    kind: SourceKind
    location: str = Field(min_length=1, description="storage URL, log folder or tracking URI")
    study: str = Field(default="", description="the Optuna study or MLflow experiment name")
    run_id: str = Field(default="", description="the source's id of this run (trials only)")
    tool_version: str = ""
    attrs: dict[str, str] = Field(
        default_factory=dict, description="user attributes kept as text (Optuna user attrs)"
    )

    @property
    def shown_location(self) -> str:
        """The location fit for a published page: the file or folder name, never the local path
        it sits at (``sqlite:////home/me/runs/optuna.db`` -> ``optuna.db``); a server's host."""
        scheme, sep, rest = self.location.partition("://")
        path = rest if sep else self.location
        if sep and scheme not in ("sqlite", "file"):
            return f"{scheme}://{rest.split('@')[-1].split('/')[0]}"
        return PurePath(path.split("?")[0].rstrip("/")).name or self.location

"""Importers: bring studies from Optuna, TensorBoard and MLflow into the logbook.

Each source module reads its tool with the tool's own library (imported lazily) and returns
`ImportedRun`s; `skeleton` turns them into a study spec and trial records; `write` puts them
into the logbook all or nothing.
"""

from reportgen.importers.runs import ImportedRun, ImportedSource
from reportgen.importers.skeleton import ImportOptions

__all__ = ["ImportOptions", "ImportedRun", "ImportedSource"]

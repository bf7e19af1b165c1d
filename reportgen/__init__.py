"""Tuning logbook: records, analysis and a static site for hyperparameter studies."""

__version__ = "0.1.0"

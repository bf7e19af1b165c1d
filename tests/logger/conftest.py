"""The logger and suggest tests share one external-loop logbook (`tests/external_book.py`)."""

from tests.external_book import EXTERNAL_SPEC, book

__all__ = ["EXTERNAL_SPEC", "book"]

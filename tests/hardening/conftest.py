"""Fixtures shared with the review tests."""

from tests.review.test_review_git import repo  # noqa: F401

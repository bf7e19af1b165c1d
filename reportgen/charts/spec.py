"""Turning an Altair chart into a spec dict with the data set afterwards.

Altair's ``to_dict`` is slow on large inline values, so charts are built on empty placeholder
data and the rows are put in afterwards (see stack-notes §3).
"""

from __future__ import annotations

from typing import Any

import altair as alt

PLACEHOLDER = alt.Data(values=[])
WIDTH = "container"
HEIGHT = 260


def with_values(chart: alt.TopLevelMixin, values: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart's spec with ``values`` as its top-level inline data."""
    spec = chart.to_dict(validate=False)
    spec.pop("datasets", None)
    spec["data"] = {"values": values}
    return spec


def finite_or_none(x: float | None) -> float | None:
    """JSON has no NaN or infinity; a missing point is ``null`` (Vega-Lite leaves it out)."""
    if x is None or x != x or x in (float("inf"), float("-inf")):
        return None
    return x

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


_TEMPLATES: dict[tuple, dict[str, Any]] = {}


def slot(name: str) -> str:
    """A placeholder in a cached chart template, replaced by `fill`."""
    return f"\u27e6{name}\u27e7"


def cached(key: tuple, build: Any) -> dict[str, Any]:
    """The spec of ``build()`` (an Altair chart with `slot` placeholders), built once per key.

    Building Altair objects costs about 10–150 ms per chart; the specs of one chart kind differ
    only in titles, bounds and data, so the spec is built once and its slots filled per use.
    """
    if key not in _TEMPLATES:
        _TEMPLATES[key] = build().to_dict(validate=False)
    return _TEMPLATES[key]


def fill(template: Any, values: dict[str, Any]) -> Any:
    """A copy of ``template`` with every slot string replaced by its value (any JSON type)."""
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    if isinstance(template, str) and template.startswith("\u27e6") and template.endswith("\u27e7"):
        return values[template[1:-1]]
    return template


def from_template(
    key: tuple, build: Any, values: dict[str, Any], rows: list[dict[str, Any]]
) -> dict[str, Any]:
    spec = fill(cached(key, build), values)
    spec.pop("datasets", None)
    spec["data"] = {"values": rows}
    return spec

"""Turning an Altair chart into a spec dict with the data set afterwards.

Altair's ``to_dict`` is slow on large inline values, so charts are built on a named placeholder
data source, ``rows``, and the rows are put into the spec's ``datasets`` afterwards (see
stack-notes §3). Every layer that names ``rows`` draws them, whether the name sits at the top
of the spec or on the layer itself (Altair moves it onto the layers when a layer has other
data, such as the one-row data of a bound rule): an inline empty placeholder there would hide
the rows.

Field names are keys we choose (``x``, ``y``, ``v`` ...), never a hyperparameter's name, which
goes into titles. Vega-Lite reads ``.`` and ``[`` in a field as nested access, so every field
of a spec is escaped anyway (`escape_field`) before the spec is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import altair as alt

SUBTITLE_CHARS = 72  # a subtitle line fits a 600 px chart at Vega's 11 px font


def subtitle_lines(*parts: str, width: int = SUBTITLE_CHARS) -> list[str]:
    """A chart subtitle as lines short enough to fit the chart (Vega draws each line of a
    subtitle list as it is and never wraps one: a long line runs past the chart)."""
    import textwrap

    out: list[str] = []
    for part in parts:
        out += textwrap.wrap(part, width=width) or [""]
    return out


ROWS = "rows"


def placeholder() -> alt.NamedData:
    """The named data source ``rows`` a template draws (altair loads here, on a template miss:
    a build whose templates are kept needs no altair)."""
    import altair as alt

    return alt.NamedData(name=ROWS)


WIDTH = "container"
HEIGHT = 260


def _with_rows(spec: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    spec["data"] = {"name": ROWS}
    spec["datasets"] = {**spec.get("datasets", {}), ROWS: rows}
    return spec


_FIELD_KEYS = ("field", "groupby", "flatten", "fields")


def escape_field(name: str) -> str:
    """``name`` as a Vega-Lite field that means the key itself, not a nested path."""
    out = []
    prev = ""
    for ch in name:
        if ch in ".[]" and prev != "\\":
            out.append("\\")
        out.append(ch)
        prev = ch
    return "".join(out)


def escape_fields(spec: Any) -> Any:
    """``spec`` with every field name escaped (in encodings, sorts and transforms), in place."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k in _FIELD_KEYS and isinstance(v, str):
                spec[k] = escape_field(v)
            elif k in _FIELD_KEYS and isinstance(v, list) and all(isinstance(x, str) for x in v):
                spec[k] = [escape_field(x) for x in v]
            else:
                escape_fields(v)
    elif isinstance(spec, list):
        for v in spec:
            escape_fields(v)
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
        _TEMPLATES[key] = escape_fields(build().to_dict(validate=False))
    return _TEMPLATES[key]


def built_templates() -> dict[tuple, dict[str, Any]]:
    """Every template built (or adopted) in this process so far, by key (read-only use)."""
    return dict(_TEMPLATES)


def adopt_templates(templates: dict[tuple, dict[str, Any]]) -> None:
    """Take templates built by an earlier process of the same code (`site.chart_templates`)."""
    for key, template in templates.items():
        _TEMPLATES.setdefault(key, template)


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
    """The cached spec of ``key`` with its slots filled and ``rows`` as its data."""
    return _with_rows(fill(cached(key, build), values), rows)

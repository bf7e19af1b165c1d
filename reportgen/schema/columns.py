"""Curve columns: one typed buffer per curve, not one Python object per point.

A study of 10 000 trials × 1000 evaluations holds 60 million curve values. As Python lists
of floats they take 32 bytes each (a pointer and a float object); a column takes 8, in one
contiguous buffer that NumPy reads without a copy (``np.asarray(column)``). The records and
their JSON are unchanged: a column validates from a JSON list and serialises back to one.
"""

from __future__ import annotations

import math
import operator
from array import array
from collections.abc import Sequence
from itertools import islice
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer


def _read_only(name: str):  # type: ignore[no-untyped-def]
    def refuse(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise TypeError(f"curve columns are read-only (Column.{name}); build a new record")

    refuse.__name__ = name
    return refuse


class Column(array):  # type: ignore[type-arg]
    """A read-only sequence of numbers that also compares equal to the list it came from.

    Read-only because records are frozen and equal step columns are shared between them.
    """

    __slots__ = ()

    for _name in (
        "__setitem__", "__delitem__", "__iadd__", "__imul__", "append", "extend", "insert",
        "pop", "remove", "reverse", "byteswap", "frombytes", "fromlist", "fromfile",
        "fromunicode",
    ):  # fmt: skip
        locals()[_name] = _read_only(_name)
    del _name

    def __eq__(self, other: object) -> bool:
        if isinstance(other, list | tuple):
            return self.tolist() == list(other)
        return super().__eq__(other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self.tolist())

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        got = super().__getitem__(index)
        return Column(self.typecode, got) if isinstance(index, slice) else got

    def __copy__(self) -> Column:
        return Column(self.typecode, self)

    def __deepcopy__(self, memo: object) -> Column:
        return Column(self.typecode, self)


def _as_list(value: Any) -> Any:
    """Columns (and NumPy arrays) re-enter validation as lists, so the same rules apply."""
    if isinstance(value, array) or hasattr(value, "__array__"):
        return value.tolist()
    return value


_NO_FLOATS = Column("d")  # read-only, so every record without an optional curve shares it


def _floats(value: list[float]) -> Column:
    return Column("d", value) if value else _NO_FLOATS


def empty_floats() -> Column:
    """The value of an optional curve that was not recorded."""
    return _NO_FLOATS


_last_steps: list[Column] = []  # the step column validated last (shared when the next is equal)


def _ints(value: list[int]) -> Column:
    try:
        column = Column("q", value)
    except OverflowError:
        raise ValueError("values must fit in a signed 64-bit integer") from None
    return shared_steps(column)


def shared_steps(column: Column) -> Column:
    """``column``, or the equal step column seen last (read-only, so it can be shared).

    The trials of a study nearly always evaluate at the same steps: one shared column instead
    of one per trial (80 MB in a 10 000 x 1000 study).
    """
    if _last_steps and _last_steps[0] == column:
        return _last_steps[0]
    _last_steps[:] = [column]
    return column


def all_finite(column: Sequence[float]) -> bool:
    """Whether no value is NaN or infinite: one sum in C, a loop only when finite values overflow.

    A NaN or an infinity makes the sum NaN or infinite, so a finite sum clears every value.
    """
    return math.isfinite(sum(column)) or all(map(math.isfinite, column))


_increasing: list[Column] = []  # the step column that passed `strictly_increasing` last


def strictly_increasing(column: Sequence[int]) -> bool:
    """Whether each value is above the one before; the study's shared step column is checked once.

    Columns are read-only, so the column that passed last (the trials of a study share one,
    see `_ints`) still passes.
    """
    if _increasing and column is _increasing[0]:
        return True
    if not all(map(operator.lt, column, islice(column, 1, None))):
        return False
    if isinstance(column, Column):
        _increasing[:] = [column]
    return True


def _serialise(column: Column | list[Any]) -> list[Any]:
    # a record made with model_construct (no validation) may still hold plain lists
    return column.tolist() if isinstance(column, array) else list(column)


FloatColumn = Annotated[
    list[float],
    BeforeValidator(_as_list),
    AfterValidator(_floats),
    PlainSerializer(_serialise, return_type=list[float]),
]
"""A curve of floats (NaN and ±inf allowed) held as a Column of 8-byte doubles."""

IntColumn = Annotated[
    list[int],
    BeforeValidator(_as_list),
    AfterValidator(_ints),
    PlainSerializer(_serialise, return_type=list[int]),
]
"""A curve of integers (steps) held as a Column of 8-byte signed integers."""

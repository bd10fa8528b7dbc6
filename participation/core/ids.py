"""Whole numbers that arrive as text (ids, years, zoom levels, pages, ballot values), read
in one place.

``str.isdigit`` also admits "²", which ``int()`` refuses, and ``int()`` refuses more than
4,300 digits; a number past an id column is refused by the database (PostgreSQL's
``integer`` ends at 2**31 - 1: "integer out of range"; SQLite raises ``OverflowError``
past 2**63 - 1). Each of those answered 500 where a form, a query string or a URL carried
it. Here it is simply not a number, or not one of ours.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest id: every id column is an ``Integer``, PostgreSQL's 32-bit ``integer``.
MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


def whole_number(value: str | None, maximum: int = MAX_ID) -> int | None:
    """``value`` as a whole number from 0 to ``maximum`` if it is written with the digits
    0-9 only, else ``None``."""
    if not value or len(value) > _MAX_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= maximum else None


def signed_whole_number(value: str | None, maximum: int = MAX_ID) -> int | None:
    """:func:`whole_number`, or one with a minus sign just before its digits (a ballot's
    minus vote is -1); ``None`` for anything else ("+3", "3_0", "- 3")."""
    if value and value.startswith("-"):
        number = whole_number(value[1:], maximum)
        return -number if number is not None else None
    return whole_number(value, maximum)


class IdConverter(IntegerConverter):
    """``<int:...>`` in a URL, up to ``MAX_ID``: a longer number is no page (404), not a
    database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

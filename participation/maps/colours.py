"""Colour classes for choropleth maps: computed here, drawn as a legend in our own HTML."""

from __future__ import annotations

import math

from babel import Locale
from babel.numbers import format_decimal

# A sequential blue palette (ColorBrewer "Blues", 5 classes); black borders keep contrast.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#d9d9d9"


def is_whole(values: list[float]) -> bool:
    """Whether every value is a whole number (counts of people, of ideas)."""
    return all(float(v).is_integer() for v in values)


def class_breaks(values: list[float], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of equal-interval classes over ``values`` (at most ``classes``).

    Whole numbers get whole bounds, each class at least one whole number wide: fewer
    classes when there are fewer whole numbers from the lowest value to the highest (0
    to 2 voters make the classes 0, 1 and 2, not 0.4 to 0.8).
    """
    if not values:
        return []
    low, high = min(values), max(values)
    if low == high:
        return [high]
    if is_whole(values):
        low, span = int(low), int(high) - int(low) + 1  # the whole numbers from low to high
        count = min(classes, span)
        return [low + math.ceil(span * (i + 1) / count) - 1 for i in range(count)]
    step = (high - low) / classes
    return [low + step * (i + 1) for i in range(classes)]


def colour_for(value: float | None, breaks: list[float]) -> str:
    index = class_index(value, breaks)
    return NO_DATA if index is None else PALETTE[index]


def _position(index: int, count: int) -> int:
    """The palette position of class ``index`` of ``count``: spread over the whole palette,
    darkest last, so that three classes are light, middle and dark."""
    if count <= 1:
        return len(PALETTE) - 1
    return round(index * (len(PALETTE) - 1) / (count - 1))


def class_index(value: float | None, breaks: list[float]) -> int | None:
    """The palette position of ``value``; None for no data."""
    if value is None or not breaks:
        return None
    for index, upper in enumerate(breaks):
        if value <= upper + 1e-9:
            return _position(index, len(breaks))
    return len(PALETTE) - 1


def legend(
    breaks: list[float], whole: bool | None = None, locale: Locale | str = "en"
) -> list[tuple[int, str]]:
    """(palette position, range text) for each class, lowest first, with the numbers
    written for ``locale``.

    Classes of whole numbers (``whole``; by default, when every bound is whole) read
    "3 – 5" after "≤ 2": each holds the whole numbers from the one after the bound below
    it up to its own, and a class of one number reads as that number.
    """
    if whole is None:
        whole = is_whole(breaks)
    rows = []
    lower = None
    for index, upper in enumerate(breaks):
        position = _position(index, len(breaks))
        if lower is None:
            text = f"≤ {_fmt(upper, whole, locale)}"
        elif whole and lower + 1 == upper:
            text = _fmt(upper, whole, locale)
        elif whole:
            text = f"{_fmt(lower + 1, whole, locale)} – {_fmt(upper, whole, locale)}"
        else:
            text = f"{_fmt(lower, whole, locale)} – {_fmt(upper, whole, locale)}"
        rows.append((position, text))
        lower = upper
    return rows


def _fmt(value: float, whole: bool, locale: Locale | str) -> str:
    if whole or abs(value) >= 10:
        return format_decimal(round(value), locale=locale)
    return format_decimal(value, format="#,##0.0", locale=locale)

"""Colour classes for choropleth maps: computed here, drawn as a legend in our own HTML."""

from __future__ import annotations

# A sequential blue palette (ColorBrewer "Blues", 5 classes); black borders keep contrast.
PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA = "#d9d9d9"


def class_breaks(values: list[float], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of equal-interval classes over ``values`` (at most ``classes``)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if low == high:
        return [high]
    step = (high - low) / classes
    return [low + step * (i + 1) for i in range(classes)]


def colour_for(value: float | None, breaks: list[float]) -> str:
    index = class_index(value, breaks)
    return NO_DATA if index is None else PALETTE[index]


def class_index(value: float | None, breaks: list[float]) -> int | None:
    """The palette position of ``value``; None for no data."""
    if value is None or not breaks:
        return None
    if len(breaks) == 1:
        return len(PALETTE) - 1
    for index, upper in enumerate(breaks):
        if value <= upper + 1e-9:
            return index
    return len(PALETTE) - 1


def legend(breaks: list[float]) -> list[tuple[int, str]]:
    """(palette position, range text) for each class, lowest first."""
    rows = []
    lower = None
    for index, upper in enumerate(breaks):
        position = index if len(breaks) > 1 else len(PALETTE) - 1
        text = f"{_fmt(lower)} – {_fmt(upper)}" if lower is not None else f"≤ {_fmt(upper)}"
        rows.append((position, text))
        lower = upper
    return rows


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(round(value)) if abs(value) >= 10 else f"{value:.1f}"

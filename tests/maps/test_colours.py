"""Colour classes of choropleth maps and their legend: whole counts get whole classes, and
the legend's numbers are written for the page's language."""

from __future__ import annotations

import pytest

from participation.maps import colours

NBSP = "\xa0"  # Czech and Polish group thousands with a no-break space


@pytest.mark.parametrize(
    "values, expected",
    [
        ([], []),
        ([5, 5], [5]),
        ([0, 10], [2, 4, 6, 8, 10]),
        ([0, 1, 2], [0, 1, 2]),  # three whole numbers: three classes, not 0.4, 0.8, ...
        ([0, 2, 1, 0, 0], [0, 1, 2]),
        ([3, 4], [3, 4]),
        ([0, 100], [20, 40, 60, 80, 100]),
        ([0, 6], [1, 2, 4, 5, 6]),
        ([3400, 6200], [3960, 4520, 5080, 5640, 6200]),
        ([0.5, 2.5], [0.9, 1.3, 1.7, 2.1, 2.5]),  # fractions: equal intervals
        ([0.0, 2.5], [0.5, 1.0, 1.5, 2.0, 2.5]),
    ],
)
def test_class_breaks(values, expected):
    assert colours.class_breaks(values) == pytest.approx(expected)


@pytest.mark.parametrize("high", range(1, 40))
def test_whole_counts_get_whole_classes_that_each_hold_a_count(high):
    """Every class of counts 0..high has whole bounds and holds at least one count; each
    count falls in the class whose legend row names it."""
    counts = list(range(high + 1))
    breaks = colours.class_breaks(counts)
    assert all(isinstance(b, int) for b in breaks), breaks
    assert len(breaks) == min(high + 1, len(colours.PALETTE))
    assert breaks == sorted(set(breaks)) and breaks[-1] == high
    rows = colours.legend(breaks)
    positions = [position for position, _text in rows]
    assert positions == sorted(set(positions)) and positions[-1] == len(colours.PALETTE) - 1
    for count in counts:
        position = colours.class_index(count, breaks)
        text = dict(rows)[position]
        low, _dash, up = text.removeprefix("≤ ").partition(" – ")
        lowest = -1 if text.startswith("≤") else int(low)
        assert lowest <= count <= int(up or low), (count, text)


def test_few_voters_read_as_whole_numbers():
    """The demo's turnout (0 to 2 voters a district): 0, 1, 2 - light, middle, dark."""
    breaks = colours.class_breaks([2, 1, 2, 0, 0])
    assert colours.legend(breaks, whole=True) == [(0, "≤ 0"), (2, "1"), (4, "2")]
    assert [colours.colour_for(v, breaks) for v in (0, 1, 2)] == [
        colours.PALETTE[0],
        colours.PALETTE[2],
        colours.PALETTE[4],
    ]
    assert colours.colour_for(None, breaks) == colours.NO_DATA


def test_colours_and_legend_agree():
    breaks = colours.class_breaks([0, 10])
    assert colours.colour_for(None, breaks) == colours.NO_DATA
    assert colours.colour_for(0, breaks) == colours.PALETTE[0]
    assert colours.colour_for(10, breaks) == colours.PALETTE[-1]
    assert colours.legend(breaks) == [
        (0, "≤ 2"),
        (1, "3 – 4"),
        (2, "5 – 6"),
        (3, "7 – 8"),
        (4, "9 – 10"),
    ]
    assert colours.legend([5]) == [(4, "≤ 5")]


def test_the_legend_is_written_for_the_language():
    whole = colours.class_breaks([3400, 6200])
    assert colours.legend(whole, locale="en")[:2] == [(0, "≤ 3,960"), (1, "3,961 – 4,520")]
    for lang in ("cs", "pl"):
        assert colours.legend(whole, locale=lang)[:2] == [
            (0, f"≤ 3{NBSP}960"),
            (1, f"3{NBSP}961 – 4{NBSP}520"),
        ]
    fractions = colours.class_breaks([0.5, 2.5])
    assert colours.legend(fractions, whole=False, locale="en")[:2] == [
        (0, "≤ 0.9"),
        (1, "0.9 – 1.3"),
    ]
    for lang in ("cs", "pl"):
        assert colours.legend(fractions, whole=False, locale=lang)[:2] == [
            (0, "≤ 0,9"),
            (1, "0,9 – 1,3"),
        ]
    # Fractions whose bounds happen to be whole keep the bounds between classes.
    assert colours.legend([2.0, 4.0], whole=False)[1] == (4, "2.0 – 4.0")

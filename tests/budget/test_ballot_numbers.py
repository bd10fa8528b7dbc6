"""How a ballot's controls are read as numbers: the digits 0-9, a minus sign for a D21
minus vote, nothing else that ``int()`` would take."""

from __future__ import annotations

import pytest

from participation.budget.forms import as_numbers
from participation.core.ids import MAX_ID, signed_whole_number


@pytest.mark.parametrize(
    ("typed", "number"),
    [("0", 0), ("1", 1), ("-1", -1), ("30", 30), ("-0", 0), (str(MAX_ID), MAX_ID)],
)
def test_digits_with_an_optional_minus_sign_are_numbers(typed, number):
    assert signed_whole_number(typed) == number
    assert as_numbers({7: typed}) == ({7: number}, [])


@pytest.mark.parametrize(
    "typed",
    ["", "-", "3_0", "+3", "\u0663", "\uff19", "²", "3.0", "1e1", "- 3", "--1", " 2"]
    + [str(MAX_ID + 1)],
)
def test_anything_else_is_not_a_number(typed):
    assert signed_whole_number(typed) is None
    assert as_numbers({7: typed}) == ({}, [7])

"""Whole numbers that arrive as text (participation.core.ids)."""

import pytest

from participation.core.ids import MAX_ID, whole_number


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("42", 42),
        ("007", 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # past PostgreSQL's integer (2**31 - 1)
        (str(2**63), None),  # past SQLite's
        ("9" * 20, None),
        ("1" * 5000, None),  # int() refuses it
        ("²", None),  # a digit to str.isdigit, not a number to int()
        ("١٢", None),  # Arabic-Indic digits: int() reads 12; ids are written 0-9
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1.0", None),
        ("", None),
        (None, None),
    ],
)
def test_whole_number(text, number):
    assert whole_number(text) == number


def test_whole_number_up_to_a_maximum():
    assert whole_number("18", 18) == 18
    assert whole_number("19", 18) is None

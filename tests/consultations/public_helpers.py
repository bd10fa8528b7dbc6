"""What the tests of the public consultation pages share: URLs and a full survey answer."""

from __future__ import annotations

import re

from participation.consultations.rules import Kind
from tests.ideas.helpers import IN_STRED


def url(consultation, rest: str = "") -> str:
    return f"/{consultation.municipality.slug}/consultations/{consultation.id}/{rest}"


def option(question, label: str) -> str:
    return str(next(o.id for o in question.options if o.label == label))


def full_answers(questions: dict) -> dict:
    """An answer to every question of ``make_survey``, as the form posts it."""
    q = questions
    data = {
        f"q{q[Kind.SINGLE].id}": option(q[Kind.SINGLE], "B"),
        f"q{q[Kind.MULTIPLE].id}": [option(q[Kind.MULTIPLE], "A"), option(q[Kind.MULTIPLE], "C")],
        f"q{q[Kind.SHORT_TEXT].id}": "Lavičky u řeky",
        f"q{q[Kind.LONG_TEXT].id}": "Více stínu.\nA pítko.",
        f"q{q[Kind.SCALE].id}": "4",
        f"q{q[Kind.NUMBER].id}": "12,5",
        f"q{q[Kind.YES_NO].id}": "yes",
        f"q{q[Kind.DATE].id}": "2025-06-30",
        f"q{q[Kind.POINT].id}-lat": str(IN_STRED[0]),
        f"q{q[Kind.POINT].id}-lon": str(IN_STRED[1]),
        "action": "submit",
    }
    ranking = q[Kind.RANKING]
    for label, rank in (("A", "2"), ("B", "1"), ("C", "3")):
        data[f"q{ranking.id}-{option(ranking, label)}"] = rank
    return data


def is_checked(response, input_id: str) -> bool:
    """Whether the checkbox or radio ``input_id`` is checked in the page."""
    page = response.get_data(as_text=True)
    tag = re.search(rf'<input[^>]*id="{re.escape(input_id)}"[^>]*>', page)
    assert tag, f"no input {input_id}"
    return " checked" in tag.group(0)


def selected(response, select_id: str) -> str | None:
    """The value of the selected option of a <select>."""
    page = response.get_data(as_text=True)
    block = re.search(rf'<select[^>]*id="{re.escape(select_id)}"[^>]*>(.*?)</select>', page, re.S)
    assert block, f"no select {select_id}"
    chosen = re.search(r'<option value="([^"]*)" selected', block.group(1))
    return chosen.group(1) if chosen else None

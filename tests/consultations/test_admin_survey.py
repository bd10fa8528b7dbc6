"""The survey builder: sections, questions of every kind, conditions, order, deletion,
the preview, and what may change once responses are in."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from participation.consultations.models import Question, Response, Section
from participation.consultations.rules import Kind
from participation.core.models import Role, utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import Browser, field_value, text


@pytest.fixture
def prepared(app, town):
    user = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    consultation = make_consultation(town.municipality, status="draft", by=user)
    return Browser(app, user), consultation, f"/lipnice/consultations/{consultation.id}/manage"


def add_section(browser, url, title, description=""):
    response = browser.post(
        f"{url}/survey/sections", {"new-title": title, "new-description": description}
    )
    assert response.status_code == 302, text(response)
    return db.session.scalar(select(Section).where(Section.title == title))


def add_question(browser, url, section, expect=302, **form):
    response = browser.post(f"{url}/survey/sections/{section.id}/questions/new", form)
    assert response.status_code == expect, text(response)
    return response


def question(text_: str) -> Question:
    return db.session.scalar(select(Question).where(Question.text == text_))


EVERY_KIND = [
    {"kind": "single", "text": "Kudy chodíte?", "options": "Parkem\r\nUlicí\r\n\r\n Náměstím "},
    {
        "kind": "multiple",
        "text": "Co chybí?",
        "options": "Lavičky\nStromy\nStín\nVoda",
        "min_choices": "1",
        "max_choices": "2",
        "required": "y",
    },
    {"kind": "short_text", "text": "Jedním slovem?", "max_length": "50"},
    {"kind": "long_text", "text": "Co dalšího?", "help_text": "Cokoli."},
    {
        "kind": "scale",
        "text": "Jak jste spokojeni?",
        "scale_min": "0",
        "scale_max": "10",
        "scale_min_label": "vůbec",
        "scale_max_label": "velmi",
    },
    {"kind": "ranking", "text": "Seřaďte", "options": "A\nB\nC"},
    {"kind": "number", "text": "Kolik minut?", "number_min": "0", "number_max": "120.5"},
    {"kind": "yes_no", "text": "Jezdíte na kole?"},
    {"kind": "date", "text": "Kdy naposledy?"},
    {"kind": "point", "text": "Kde je to nejhorší?"},
]


def test_a_coordinator_builds_a_survey_with_every_kind_of_question(app, town, prepared):
    browser, consultation, url = prepared
    page = browser.page(f"{url}/survey")
    assert "The survey has no sections yet." in page
    section = add_section(browser, url, "Doprava", "O **cestách**.")
    page = browser.page(f"{url}/survey")
    assert "The section is added." in page
    assert "<strong>cestách</strong>" in page

    form_page = browser.page(f"{url}/survey/sections/{section.id}/questions/new")
    assert "Type of question" in form_page
    assert "Used by: Multiple choice." in form_page  # hints say which kinds use a setting
    assert 'data-kinds="scale"' in form_page
    for form in EVERY_KIND:
        add_question(browser, url, section, **form)

    stored = {Kind(q.kind): q for q in consultation.questions}
    assert list(stored) == list(Kind)
    assert [o.label for o in stored[Kind.SINGLE].options] == ["Parkem", "Ulicí", "Náměstím"]
    multiple = stored[Kind.MULTIPLE]
    assert (multiple.min_choices, multiple.max_choices, multiple.required) == (1, 2, True)
    assert stored[Kind.SHORT_TEXT].max_length == 50
    assert stored[Kind.LONG_TEXT].help_text == "Cokoli."
    scale = stored[Kind.SCALE]
    assert (scale.scale_min, scale.scale_max, scale.scale_min_label) == (0, 10, "vůbec")
    assert [o.label for o in stored[Kind.RANKING].options] == ["A", "B", "C"]
    assert (stored[Kind.NUMBER].number_min, stored[Kind.NUMBER].number_max) == (0, 120.5)
    # Settings of other kinds are not kept, whatever the form sent.
    assert stored[Kind.DATE].options == [] and stored[Kind.DATE].max_length is None
    page = browser.page(f"{url}/survey")
    for form in EVERY_KIND:
        assert form["text"] in page
    assert "Multiple choice · Lavičky, Stromy, Stín, Voda" in " ".join(page.split())


def test_a_question_shown_only_for_an_answer_to_an_earlier_one(app, town, prepared):
    browser, consultation, url = prepared
    section = add_section(browser, url, "Kolo")
    add_question(browser, url, section, kind="yes_no", text="Jezdíte na kole?")
    add_question(browser, url, section, kind="single", text="Jak často?", options="Denně\nZřídka")
    add_question(browser, url, section, kind="date", text="Datum")
    cycling, often = question("Jezdíte na kole?"), question("Jak často?")
    daily = often.options[0]

    new = browser.get(f"{url}/survey/sections/{section.id}/questions/new")
    choices = re.findall(r'<option[^>]*value="([^"]*)"', new.get_data(as_text=True))
    # Only yes/no and choice questions may decide; the date question may not.
    assert f"{cycling.id}:yes" in choices and f"{cycling.id}:no" in choices
    assert f"{often.id}:{daily.id}" in choices
    assert not any(c.startswith(f"{question('Datum').id}:") for c in choices)
    assert "when “Jezdíte na kole?” is answered “Yes”" in text(new)

    add_question(
        browser, url, section, kind="long_text", text="Proč?", condition=f"{often.id}:{daily.id}"
    )
    why = question("Proč?")
    assert (why.condition_question_id, why.condition_value) == (often.id, str(daily.id))
    assert "shown only when question 2 is answered" in browser.page(f"{url}/survey")
    # Editing shows the condition chosen; an earlier question cannot depend on a later one.
    edit = browser.get(f"{url}/survey/questions/{why.id}/edit")
    assert re.search(
        rf'<option selected value="{often.id}:{daily.id}"', edit.get_data(as_text=True)
    )
    edit = browser.get(f"{url}/survey/questions/{cycling.id}/edit")
    assert f'value="{often.id}:' not in edit.get_data(as_text=True)
    # A forged value is refused as not a valid choice.
    response = add_question(
        browser, url, section, expect=422, kind="date", text="Podvrh", condition=f"{why.id}:x"
    )
    assert "Not a valid choice." in text(response)


def test_settings_that_cannot_work_are_explained_by_their_fields(app, town, prepared):
    browser, _consultation, url = prepared
    section = add_section(browser, url, "Chyby")
    response = add_question(
        browser, url, section, expect=422, kind="single", text="Jen jedna?", options="Ano"
    )
    page = text(response)
    assert "Please correct the following:" in page
    assert 'href="#options"' in page
    assert "Give at least two options." in page
    assert field_value(response, "text") == "Jen jedna?"
    assert field_value(response, "options") == "Ano"

    response = add_question(
        browser, url, section, expect=422, kind="scale", text="Škála", scale_min="5", scale_max="1"
    )
    assert "A scale goes from a lower to a higher number" in text(response)
    assert 'href="#scale_max"' in text(response)
    response = add_question(
        browser,
        url,
        section,
        expect=422,
        kind="multiple",
        text="Více",
        options="A\nB\nC",
        min_choices="3",
        max_choices="2",
    )
    assert "The minimum number of choices is above the maximum." in text(response)
    response = add_question(
        browser, url, section, expect=422, kind="number", text="Č", number_min="9", number_max="1"
    )
    assert "The smallest number allowed is above the largest." in text(response)
    response = add_question(browser, url, section, expect=422, kind="date", text="")
    assert 'href="#text"' in text(response)
    assert db.session.scalar(select(Question)) is None


def test_sections_and_questions_move_and_are_deleted(app, town, prepared):
    browser, consultation, url = prepared
    first = add_section(browser, url, "První")
    second = add_section(browser, url, "Druhá")
    for name in ("A", "B", "C"):
        add_question(browser, url, first, kind="yes_no", text=name)
    a, b, c = question("A"), question("B"), question("C")

    browser.post(f"{url}/survey/questions/{c.id}/move", {"direction": "up"})
    db.session.expire_all()
    assert [q.text for q in first.questions] == ["A", "C", "B"]
    browser.post(f"{url}/survey/sections/{second.id}/move", {"direction": "up"})
    db.session.expire_all()
    assert [s.title for s in consultation.sections] == ["Druhá", "První"]

    # A question may not move above the one that decides whether it is shown.
    add_question(browser, url, first, kind="date", text="D", condition=f"{b.id}:yes")
    d = question("D")
    browser.post(f"{url}/survey/questions/{d.id}/move", {"direction": "up"})
    response = browser.post(
        f"{url}/survey/questions/{d.id}/move", {"direction": "up"}, follow_redirects=True
    )
    assert "A question must come after the question whose answer shows it." in text(response)
    db.session.expire_all()
    order = [q.text for q in first.questions]
    assert order.index("B") < order.index("D")

    # Deleting asks first; a question others depend on is kept with a message.
    page = browser.page(f"{url}/survey/questions/{b.id}/delete")
    assert "Delete the question “B”?" in page
    response = browser.post(f"{url}/survey/questions/{b.id}/delete", {}, follow_redirects=True)
    assert "Another question is shown only for an answer to this one" in text(response)
    response = browser.post(f"{url}/survey/questions/{a.id}/delete", {}, follow_redirects=True)
    assert "The question is deleted." in text(response)
    db.session.expire_all()
    assert "A" not in [q.text for q in consultation.questions]
    assert [q.position for q in first.questions] == list(range(len(first.questions)))

    page = browser.page(f"{url}/survey/sections/{first.id}/delete")
    assert "Its 3 questions are deleted with it." in page
    browser.post(f"{url}/survey/sections/{first.id}/delete", {})
    db.session.expire_all()
    assert [s.title for s in consultation.sections] == ["Druhá"]
    assert consultation.questions == []


def test_a_section_is_renamed_and_described(app, town, prepared):
    browser, _consultation, url = prepared
    section = add_section(browser, url, "Staré jméno")
    edit = browser.get(f"{url}/survey/sections/{section.id}/edit")
    assert field_value(edit, "title") == "Staré jméno"
    response = browser.post(
        f"{url}/survey/sections/{section.id}/edit", {"title": "", "description": "Text"}
    )
    assert response.status_code == 422
    assert field_value(response, "description") == "Text"
    browser.post(
        f"{url}/survey/sections/{section.id}/edit", {"title": "Nové", "description": "Úvod"}
    )
    db.session.refresh(section)
    assert (section.title, section.description) == ("Nové", "Úvod")


def test_the_preview_shows_the_survey_as_respondents_see_it(app, town, prepared):
    browser, consultation, url = prepared
    assert "The survey has no questions yet." in browser.page(f"{url}/survey/preview")
    questions = make_survey(consultation)
    response = browser.get(f"{url}/survey/preview")
    assert response.status_code == 200
    page = text(response)
    assert "Nothing you fill in here is saved." in page
    for q in questions.values():
        assert q.text in page
    html = response.get_data(as_text=True)
    assert f'name="q{questions[Kind.SINGLE].id}"' in html
    assert f'name="q{questions[Kind.POINT].id}-lat"' in html
    assert 'method="post"' not in html.split("<main", 1)[1].split("</main>")[0]
    assert "js/consultations.js" in html


def test_after_the_first_response_meaning_changes_are_refused_and_wording_fixes_pass(
    app, town, prepared
):
    browser, consultation, url = prepared
    section = add_section(browser, url, "Otázky")
    add_question(browser, url, section, kind="single", text="Který park?", options="Lesní\nMěstský")
    park = question("Který park?")
    forest = park.options[0].id
    db.session.add(
        Response(
            consultation_id=consultation.id,
            respondent_id=make_user().id,
            submitted_at=utcnow(),
        )
    )
    db.session.flush()
    page = browser.page(f"{url}/survey")
    assert "Responses are in." in page

    edit_url = f"{url}/survey/questions/{park.id}/edit"
    assert "Responses are in: you can fix the wording" in browser.page(edit_url)
    # A third option changes what the answers mean: refused, with what was typed kept.
    response = browser.post(
        edit_url, {"kind": "single", "text": "Který park?", "options": "Lesní\nMěstský\nNový"}
    )
    assert response.status_code == 422
    page = text(response)
    assert "Responses are already in, so this change would alter what people answered" in page
    assert "the options (adding, removing or reordering them)" in page
    assert field_value(response, "options") == "Lesní\nMěstský\nNový"
    response = browser.post(edit_url, {"kind": "multiple", "text": "x", "options": "A\nB"})
    assert "the type of question" in text(response)
    response = browser.post(
        edit_url, {"kind": "single", "text": "x", "options": "A\nB", "required": "y"}
    )
    assert "whether an answer is required" in text(response)
    db.session.expire_all()
    assert [o.label for o in park.options] == ["Lesní", "Městský"]

    # Fixing the wording of the question and the options passes; the options keep their ids.
    response = browser.post(
        edit_url,
        {
            "kind": "single",
            "text": "Který park máte nejraději?",
            "help_text": "Jeden.",
            "options": "Lesní park\nMěstský park",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert park.text == "Který park máte nejraději?"
    assert [o.label for o in park.options] == ["Lesní park", "Městský park"]
    assert park.options[0].id == forest
    # Questions can no longer be deleted, and the page offers no delete link.
    response = browser.post(f"{url}/survey/questions/{park.id}/delete", {}, follow_redirects=True)
    assert "Responses are in: removing a question would lose its answers." in text(response)
    assert f"/survey/questions/{park.id}/delete" not in browser.page(f"{url}/survey")

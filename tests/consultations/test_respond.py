"""Residents answer a survey: every kind of question, bad input kept and explained, saving
to finish later, anonymous responses once per browser, conditions and demographics."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from participation.consultations import services
from participation.consultations.models import Demographic, Response
from participation.consultations.rules import AgeBand, Channel, Kind
from participation.core.models import Role, utcnow
from participation.extensions import db
from tests.consultations.public_helpers import (
    full_answers,
    is_checked,
    option,
    selected,
    url,
)
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import IN_PRAGUE, IN_STRED, Browser, elements, field_value, text


@pytest.fixture
def resident(town):
    return make_user(municipality=town.municipality, roles=(Role.RESIDENT,))


@pytest.fixture
def consultation(town):
    return make_consultation(town.municipality, status="open", ask_demographics=False)


def responses() -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(select(Response).order_by(Response.id)))


def test_a_resident_answers_every_kind_of_question_and_submits(app, town, resident, consultation):
    questions = make_survey(consultation)
    browser = Browser(app, resident)
    page = browser.page(url(consultation, "survey"))
    for q in questions.values():
        assert q.text in page
    assert "Choose from 1 to 2 options." in page  # multiple: min and max
    assert "At most 300 characters." in page  # short text
    assert "1 – málo" in page and "5 – hodně" in page  # the scale's end labels
    assert "Latitude" in page and "Longitude" in page  # the point works without the map

    response = browser.post(url(consultation, "survey"), full_answers(questions))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(consultation, "survey/done"))
    done = browser.page(response.headers["Location"])
    assert "Thank you, your response is in" in done and "What happens next" in done

    (stored,) = responses()
    assert stored.submitted and stored.respondent_id == resident.id
    assert stored.channel == Channel.ONLINE
    values = services.answer_values(stored)
    q = questions
    assert values[q[Kind.SINGLE].id].options == (int(option(q[Kind.SINGLE], "B")),)
    assert values[q[Kind.MULTIPLE].id].options == tuple(
        int(option(q[Kind.MULTIPLE], label)) for label in ("A", "C")
    )
    assert values[q[Kind.SHORT_TEXT].id].text == "Lavičky u řeky"
    assert values[q[Kind.LONG_TEXT].id].text == "Více stínu.\nA pítko."
    assert values[q[Kind.SCALE].id].number == 4
    assert values[q[Kind.NUMBER].id].number == 12.5
    assert values[q[Kind.YES_NO].id].yes is True
    assert values[q[Kind.DATE].id].day == date(2025, 6, 30)
    assert values[q[Kind.POINT].id].point == IN_STRED
    ranking = q[Kind.RANKING]
    assert values[ranking.id].options == tuple(
        int(option(ranking, label)) for label in ("B", "A", "C")
    )
    point_answer = next(a for a in stored.answers if a.question_id == q[Kind.POINT].id)
    assert point_answer.district.name == "Střed"
    assert services.response_count(consultation) == 1


def test_a_missing_required_answer_is_explained_and_the_rest_is_kept(
    app, town, resident, consultation
):
    questions = make_survey(consultation, required=True)
    browser = Browser(app, resident)
    data = full_answers(questions)
    del data[f"q{questions[Kind.SINGLE].id}"]
    response = browser.post(url(consultation, "survey"), data)
    assert response.status_code == 422
    page = text(response)
    assert "Please correct the following:" in page
    assert "Choose an answer: this question is required." in page
    assert f'href="#q{questions[Kind.SINGLE].id}-' in page  # the summary links to the question
    # Everything typed is still there.
    assert field_value(response, f"q{questions[Kind.SHORT_TEXT].id}") == "Lavičky u řeky"
    assert field_value(response, f"q{questions[Kind.LONG_TEXT].id}") == "Více stínu.\nA pítko."
    assert field_value(response, f"q{questions[Kind.NUMBER].id}") == "12,5"
    assert field_value(response, f"q{questions[Kind.DATE].id}") == "2025-06-30"
    assert field_value(response, f"q{questions[Kind.POINT].id}-lat") == str(IN_STRED[0])
    multiple = questions[Kind.MULTIPLE]
    assert is_checked(response, f"q{multiple.id}-{option(multiple, 'A')}")
    assert not is_checked(response, f"q{multiple.id}-{option(multiple, 'B')}")
    yes_no = questions[Kind.YES_NO]
    assert is_checked(response, f"q{yes_no.id}-yes")
    ranking = questions[Kind.RANKING]
    assert selected(response, f"q{ranking.id}-{option(ranking, 'B')}") == "1"
    assert responses() == []


@pytest.mark.parametrize(
    "kind, change, message",
    [
        (Kind.MULTIPLE, ("A", "B", "C"), "Choose at most 2 options."),
        (Kind.SHORT_TEXT, "x" * 301, "Your answer has 301 characters; at most 300 are allowed."),
        (
            Kind.POINT,
            IN_PRAGUE,
            "This place is outside the area of the consultation. Choose a place inside it.",
        ),
        (Kind.DATE, "2025-02-30", "Enter a real date as year-month-day"),
        (Kind.RANKING, ("1", "1", "2"), "Each rank can be given to one option only."),
        (Kind.SCALE, "9", "Enter a number of at most 5."),
    ],
)
def test_a_wrong_answer_gets_a_message_next_to_it_and_keeps_what_was_typed(
    app, town, resident, consultation, kind, change, message
):
    questions = make_survey(consultation)
    question = questions[kind]
    data = full_answers(questions)
    name = f"q{question.id}"
    if kind == Kind.MULTIPLE:
        data[name] = [option(question, label) for label in change]
    elif kind == Kind.POINT:
        data[f"{name}-lat"], data[f"{name}-lon"] = (str(c) for c in change)
    elif kind == Kind.RANKING:
        for o, rank in zip(question.options, change, strict=True):
            data[f"{name}-{o.id}"] = rank
    else:
        data[name] = change
    browser = Browser(app, resident)
    response = browser.post(url(consultation, "survey"), data)
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert f'id="{name}-error"' in page  # next to its question
    assert page.count(message) == 2  # and in the summary
    if kind == Kind.MULTIPLE:
        assert all(is_checked(response, f"{name}-{o.id}") for o in question.options)
    elif kind == Kind.POINT:
        assert field_value(response, f"{name}-lat") == str(IN_PRAGUE[0])
        assert field_value(response, f"{name}-lon") == str(IN_PRAGUE[1])
    elif kind == Kind.RANKING:
        assert [selected(response, f"{name}-{o.id}") for o in question.options] == list(change)
    elif kind == Kind.SCALE:
        pass  # a scale point that is not offered cannot be shown ticked
    else:
        assert field_value(response, name) == change
    # The other answers stay as typed.
    assert field_value(response, f"q{questions[Kind.LONG_TEXT].id}") == "Více stínu.\nA pítko."
    assert responses() == []


def test_a_number_out_of_range_and_not_a_number(app, town, resident, consultation):
    section = services.add_section(consultation, "Rozpočet")
    question = services.add_question(
        section, kind="number", text="Kolik stromů?", number_min=0, number_max=100
    )
    browser = Browser(app, resident)
    assert "A number from 0 to 100." in browser.page(url(consultation, "survey"))
    for typed, message in (
        ("150", "Enter a number of at most 100."),
        ("-3", "Enter a number of at least 0."),
        ("hodně", "Enter a number, for example 12 or 3.5."),
    ):
        response = browser.post(
            url(consultation, "survey"), {f"q{question.id}": typed, "action": "submit"}
        )
        assert response.status_code == 422
        assert message in text(response)
        assert field_value(response, f"q{question.id}") == typed
    assert responses() == []


def test_save_and_finish_later_then_edit_until_the_close(app, town, resident, consultation):
    questions = make_survey(consultation, kinds=("single", "short_text"), required=True)
    single, short = questions[Kind.SINGLE], questions[Kind.SHORT_TEXT]
    browser = Browser(app, resident)
    # Saved half-done: a required answer may be missing.
    response = browser.post(
        url(consultation, "survey"), {f"q{short.id}": "Rozpracováno", "action": "save"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url(consultation, "survey"))
    page = browser.get(response.headers["Location"])
    assert "Your answers are saved. You can finish and submit them until" in text(page)
    assert "saved but not submitted yet" in text(page)
    assert field_value(page, f"q{short.id}") == "Rozpracováno"
    assert services.response_count(consultation) == 0
    # Submitting needs every required answer.
    response = browser.post(
        url(consultation, "survey"), {f"q{short.id}": "Hotovo", "action": "submit"}
    )
    assert response.status_code == 422
    assert field_value(response, f"q{short.id}") == "Hotovo"
    response = browser.post(
        url(consultation, "survey"),
        {f"q{single.id}": option(single, "A"), f"q{short.id}": "Hotovo", "action": "submit"},
    )
    assert response.status_code == 302
    assert services.response_count(consultation) == 1
    # Changed before the close: still one response, with the new answer.
    page = browser.get(url(consultation, "survey"))
    assert "You submitted your response on" in text(page)
    assert field_value(page, f"q{short.id}") == "Hotovo"
    browser.post(
        url(consultation, "survey"),
        {f"q{single.id}": option(single, "C"), f"q{short.id}": "Změněno", "action": "submit"},
    )
    (stored,) = responses()
    assert services.answer_values(stored)[short.id].text == "Změněno"
    assert services.response_count(consultation) == 1
    # After the close it no longer changes.
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    page = browser.get(url(consultation, "survey"))
    assert page.status_code == 403
    assert "responses can no longer be changed" in text(page)
    response = browser.post(
        url(consultation, "survey"),
        {f"q{single.id}": option(single, "B"), f"q{short.id}": "Pozdě", "action": "submit"},
    )
    assert response.status_code == 403
    (stored,) = responses()
    assert services.answer_values(stored)[short.id].text == "Změněno"


def test_a_respondent_withdraws_while_open(app, town, resident, consultation):
    questions = make_survey(consultation, kinds=("yes_no",))
    browser = Browser(app, resident)
    browser.post(
        url(consultation, "survey"), {f"q{questions[Kind.YES_NO].id}": "no", "action": "submit"}
    )
    assert "Withdraw my response" in browser.page(url(consultation, "survey"))
    page = browser.page(url(consultation, "survey/withdraw"))
    assert "This cannot be undone" in page
    refused = browser.post(url(consultation, "survey/withdraw"), {})
    assert refused.status_code == 422
    assert "Tick the box to confirm" in text(refused)
    assert len(responses()) == 1
    response = browser.post(url(consultation, "survey/withdraw"), {"confirm": "y"})
    assert response.status_code == 302
    assert responses() == []
    assert services.response_count(consultation) == 0


def test_login_is_required_unless_anonymous_responses_are_allowed(
    app, town, resident, consultation
):
    make_survey(consultation, kinds=("yes_no",))
    visitor = Browser(app)
    response = visitor.get(url(consultation, "survey"))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    response = visitor.post(url(consultation, "survey"), {"action": "submit"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert "Log in to answer the survey" in visitor.page(url(consultation))
    unconfirmed = make_user(municipality=town.municipality, confirmed=False)
    response = Browser(app, unconfirmed).get(url(consultation, "survey"))
    assert response.status_code == 403
    assert "Confirm your email address to respond" in text(response)
    assert responses() == []


def test_anonymous_responses_once_per_browser(app, town):
    consultation = make_consultation(
        town.municipality, status="open", anonymous_responses=True, ask_demographics=False
    )
    yes_no = make_survey(consultation, kinds=("yes_no",))[Kind.YES_NO]
    first = Browser(app)
    page = first.page(url(consultation, "survey"))
    assert "Save and finish later" not in page  # only with an account
    response = first.post(url(consultation, "survey"), {f"q{yes_no.id}": "yes"})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "consultation_browser=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    (stored,) = responses()
    assert stored.respondent_id is None and stored.browser_key and stored.submitted
    # The same browser again: refused with a message, nothing changes.
    again = first.post(url(consultation, "survey"), {f"q{yes_no.id}": "no"})
    assert again.status_code == 403
    assert "A response from this browser is already in." in text(again)
    assert "A response from this browser is already in." in first.page(url(consultation))
    # Another browser may respond.
    second = Browser(app)
    assert second.post(url(consultation, "survey"), {f"q{yes_no.id}": "no"}).status_code == 302
    assert services.response_count(consultation) == 2
    assert [services.answer_values(r)[yes_no.id].yes for r in responses()] == [True, False]


def test_a_conditional_question_counts_only_when_shown(app, town, resident, consultation):
    section = services.add_section(consultation, "Doprava")
    car = services.add_question(section, kind="yes_no", text="Jezdíte autem?")
    where = services.add_question(
        section,
        kind="short_text",
        text="Kde parkujete?",
        condition_question_id=car.id,
        condition_value="yes",
    )
    browser = Browser(app, resident)
    page = browser.page(url(consultation, "survey"))
    assert "Answer only if you answered “Yes” to “Jezdíte autem?”." in page
    assert f'data-condition-question="q{car.id}" data-condition-value="yes"' in page
    browser.post(
        url(consultation, "survey"),
        {f"q{car.id}": "no", f"q{where.id}": "U nádraží", "action": "submit"},
    )
    (stored,) = responses()
    assert set(services.answer_values(stored)) == {car.id}
    browser.post(
        url(consultation, "survey"),
        {f"q{car.id}": "yes", f"q{where.id}": "U nádraží", "action": "submit"},
    )
    (stored,) = responses()
    assert services.answer_values(stored)[where.id].text == "U nádraží"


def test_demographics_are_stored_apart_and_asked_once(app, town, resident):
    consultation = make_consultation(town.municipality, status="open", ask_demographics=True)
    yes_no = make_survey(consultation, kinds=("yes_no",))[Kind.YES_NO]
    browser = Browser(app, resident)
    page = browser.page(url(consultation, "survey"))
    assert "About you (voluntary)" in page
    assert "stored separately from your response" in page
    assert page.count("Prefer not to say") >= 5
    response = browser.post(
        url(consultation, "survey"),
        {
            f"q{yes_no.id}": "yes",
            "age_band": AgeBand.FROM_30.value,
            "gender": "",
            "home_district": str(town.districts["Sever"].id),
            "language": "uk",
            "foreigner": "yes",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    (stored,) = responses()
    assert stored.demographics_given
    (demographic,) = db.session.scalars(select(Demographic)).all()
    assert demographic.consultation_id == consultation.id
    assert demographic.age_band == AgeBand.FROM_30 and demographic.gender is None
    assert demographic.district_id == town.districts["Sever"].id
    assert demographic.language == "uk" and demographic.foreigner.value == "yes"
    # Nothing ties it to the response or the person.
    assert not {"response_id", "respondent_id", "user_id", "created_at"} & set(
        Demographic.__table__.columns.keys()
    )
    # Not asked again when the answers change.
    page = browser.page(url(consultation, "survey"))
    assert "About you (voluntary)" not in page
    browser.post(
        url(consultation, "survey"),
        {f"q{yes_no.id}": "no", "age_band": AgeBand.FROM_75.value, "action": "submit"},
    )
    assert db.session.scalar(select(func.count()).select_from(Demographic)) == 1


def test_no_survey_before_the_opening(app, town, resident):
    consultation = make_consultation(town.municipality, status="scheduled")
    make_survey(consultation, kinds=("yes_no",))
    response = Browser(app, resident).get(url(consultation, "survey"))
    assert response.status_code == 403
    assert "The survey opens on" in text(response)


def test_the_builders_preview_shows_the_respondents_form(app, town, consultation):
    questions = make_survey(consultation, kinds=("single", "point"))
    coordinator = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    with app.test_request_context():
        address = url_for(
            "consultations_admin.survey_preview", slug=town.slug, consultation_id=consultation.id
        )
    response = Browser(app, coordinator).get(address)
    assert response.status_code == 200
    single = questions[Kind.SINGLE]
    assert f'id="q{single.id}-{option(single, "A")}"' in response.get_data(as_text=True)
    assert f'name="q{questions[Kind.POINT].id}-lat"' in response.get_data(as_text=True)


def test_every_survey_control_has_a_label_and_ids_are_unique(app, town, resident):
    consultation = make_consultation(town.municipality, status="open", ask_demographics=True)
    make_survey(consultation)
    required = make_survey(consultation, required=True)
    data = full_answers(required)
    del data[f"q{required[Kind.SINGLE].id}"]
    response = Browser(app, resident).post(url(consultation, "survey"), data)
    assert response.status_code == 422
    tags = elements(response)
    ids = [attrs["id"] for _tag, attrs in tags if attrs.get("id")]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    labelled = {attrs.get("for") for tag, attrs in tags if tag == "label"}
    controls = [
        attrs
        for tag, attrs in tags
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden",)
    ]
    assert controls
    for attrs in controls:
        assert attrs.get("id") in labelled, attrs
    described = {
        part for _tag, attrs in tags for part in (attrs.get("aria-describedby") or "").split()
    }
    assert described <= set(ids)

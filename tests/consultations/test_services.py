"""The use cases under the consultation pages, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from participation.consultations import rules
from participation.consultations import services as s
from participation.consultations.models import Demographic, Response
from participation.consultations.rules import Kind, ReplyStatus, Status, Value
from participation.core import mail
from participation.core.models import Role
from participation.extensions import db
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import IN_JIH, IN_STRED, IN_THE_GAP


@pytest.fixture
def request_context(app):
    """Mail renders links to pages."""
    with app.test_request_context():
        yield


@pytest.fixture
def coordinator(town):
    return make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))


def test_statuses_by_hand(town, coordinator):
    c = make_consultation(town.municipality, status="draft", by=coordinator)
    assert c.status == Status.DRAFT
    s.open_now(c)
    assert c.status == Status.OPEN and c.published_at is not None
    s.close_now(c)
    assert c.status == Status.CLOSED
    with pytest.raises(s.ConsultationError):
        s.close_now(c)


def test_short_consultation_gets_a_warning(town, coordinator):
    c = make_consultation(town.municipality, by=coordinator)
    assert s.duration_warning(c) is None  # 25 days
    c.closes_at = c.opens_at + (c.closes_at - c.opens_at) / 5
    assert "21" in s.duration_warning(c)


def test_meaning_changes_are_refused_once_responses_are_in(town, coordinator):
    c = make_consultation(town.municipality, by=coordinator)
    q = make_survey(c, kinds=(Kind.SINGLE,))[Kind.SINGLE]
    option_ids = [o.id for o in q.options]
    person = make_user()
    s.save_response(c, {q.id: Value(options=(option_ids[0],))}, True, respondent=person)
    # Wording fixes pass and keep the option ids (and so the answers).
    s.update_question(q, options=("Alfa", "B", "C"), kind=Kind.SINGLE, text="Lepší znění")
    assert [o.id for o in q.options] == option_ids and q.options[0].label == "Alfa"
    with pytest.raises(s.ConsultationError, match="options"):
        s.update_question(q, options=("A", "B", "C", "D"), kind=Kind.SINGLE, text="x")
    with pytest.raises(s.ConsultationError, match="type of question"):
        s.update_question(q, options=("A", "B", "C"), kind=Kind.MULTIPLE, text="x")
    with pytest.raises(s.ConsultationError):
        s.delete_question(q)


def test_a_response_saved_later_finished_and_its_demographics_unlinked(town, coordinator):
    c = make_consultation(town.municipality, by=coordinator)
    qs = make_survey(c)
    person = make_user()
    values, errors = rules.check_response(
        [q.spec for q in c.questions],
        {qs[Kind.SCALE].id: ["4"], qs[Kind.POINT].id: [str(IN_JIH[0]), str(IN_JIH[1])]},
        complete=False,
    )
    assert errors == {}
    r = s.save_response(c, values, complete=False, respondent=person)
    assert not r.submitted and s.response_count(c) == 0
    again = s.response_of(c, person)
    assert again.id == r.id
    stored = s.answer_values(again)
    assert stored[qs[Kind.SCALE].id] == Value(number=4)
    point_answer = next(a for a in again.answers if a.question_id == qs[Kind.POINT].id)
    assert point_answer.district_id == town.districts["Jih"].id
    s.save_response(
        c,
        values,
        complete=True,
        respondent=person,
        demographics=s.Demographics(
            age_band=rules.AgeBand.FROM_30, district_id=town.districts["Jih"].id
        ),
    )
    assert s.response_count(c) == 1
    # Demographics have no column that points back to a response or a person.
    columns = {col.key for col in inspect(Demographic).columns}
    assert columns == {
        "id",
        "consultation_id",
        "age_band",
        "gender",
        "district_id",
        "language",
        "foreigner",
        "channel",
    }
    assert db.session.scalar(select(func.count()).select_from(Demographic)) == 1
    # Given once: saving again adds no second row.
    s.save_response(
        c, values, True, respondent=person, demographics=s.Demographics(gender=rules.Gender.WOMAN)
    )
    assert db.session.scalar(select(func.count()).select_from(Demographic)) == 1


def test_points_outside_the_area_are_found(town, coordinator):
    c = make_consultation(town.municipality, by=coordinator, districts=(town.districts["Střed"],))
    assert s.in_area(c, *IN_STRED)
    assert not s.in_area(c, *IN_JIH)
    assert not s.in_area(c, *IN_THE_GAP)
    errors = s.check_points(c, {1: Value(point=IN_JIH), 2: Value(point=IN_STRED)})
    assert list(errors) == [1]


def test_anonymous_responses_once_per_browser(town, coordinator):
    c = make_consultation(town.municipality, by=coordinator, anonymous_responses=True)
    q = make_survey(c, kinds=(Kind.YES_NO,))[Kind.YES_NO]
    s.save_response(c, {q.id: Value(yes=True)}, True, token="browser-1")
    with pytest.raises(s.ConsultationError):
        s.save_response(c, {q.id: Value(yes=False)}, True, token="browser-1")
    s.save_response(c, {q.id: Value(yes=False)}, True, token="browser-2")
    assert s.response_count(c) == 2
    assert all(len(r.browser_key) == 64 for r in db.session.scalars(select(Response)))


def test_every_input_needs_an_answer_before_the_report(town, coordinator, request_context):
    c = make_consultation(town.municipality, by=coordinator, has_draft=True)
    q = make_survey(c, kinds=(Kind.LONG_TEXT,))[Kind.LONG_TEXT]
    s.replace_draft(c, "Návrh", [s.DraftPart("Úvod", ["První odstavec.", "Druhý."])])
    paragraph = c.draft_sections[0].paragraphs[1]
    assert paragraph.label == "1.2"
    resident = make_user()
    follower = make_user()
    s.follow(follower, town.municipality, None)  # all consultations
    comment = s.add_comment(c, "Ať je tam lavička.", author=resident, paragraph=paragraph)
    s.add_comment(c, "Obecná poznámka.", entered_by=coordinator, author_name="Jana")
    s.save_response(c, {q.id: Value(text="Víc stromů")}, True, entered_by=coordinator)
    s.close_now(c)
    inputs = s.inputs_of(c)
    assert [i.kind for i in inputs] == ["paragraph", "open", "survey"]
    assert inputs[2].channel == rules.Channel.PAPER
    with pytest.raises(s.ConsultationError, match="3"):
        s.publish_report(c, "", coordinator)
    s.reply_to(c, comment, ReplyStatus.ACCEPTED, "Doplníme.", coordinator)
    s.reply_to(c, inputs[1].comment, ReplyStatus.NOTED, "Děkujeme.", coordinator)
    with pytest.raises(s.ConsultationError):
        s.reply_to(c, inputs[2].answer, ReplyStatus.REJECTED, "  ", coordinator)
    s.reply_to(c, inputs[2].answer, ReplyStatus.PARTLY_ACCEPTED, "Část ano.", coordinator)
    mail.outbox().clear()
    s.publish_report(c, "Shrnutí", coordinator)
    assert c.status == Status.REPORT_PUBLISHED
    assert [m.to for m in mail.outbox()] == [follower.email]


def test_due_notices_go_out_once(town, coordinator, request_context):
    c = make_consultation(town.municipality, by=coordinator)
    follower = make_user()
    s.follow(follower, town.municipality, c)
    mail.outbox().clear()
    assert s.send_due_notices() == {"opened": 1, "closing": 0}
    assert s.send_due_notices() == {"opened": 0, "closing": 0}
    from datetime import timedelta

    c.closes_at = c.opens_at + timedelta(days=10)
    c.opens_at = c.opens_at  # opened 5 days ago, closes in 5 days
    assert s.send_due_notices() == {"opened": 0, "closing": 1}
    assert len(mail.outbox()) == 2

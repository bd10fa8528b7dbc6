"""The demo town's consultations: an open one with every question kind and a draft, and a
closed one whose report is published with every input answered."""

from __future__ import annotations

from sqlalchemy import func, select

from participation.consultations import services
from participation.consultations.demo import CLOSED_TITLE, OPEN_TITLE
from participation.consultations.models import Consultation, ConsultationComment, Response
from participation.consultations.rules import Channel, Kind, Status
from participation.extensions import db


def _by_title(title: str) -> Consultation:
    return db.session.scalar(select(Consultation).where(Consultation.title == title))


def test_the_demo_has_an_open_and_a_reported_consultation(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    square = _by_title(OPEN_TITLE)
    assert square.status == Status.OPEN
    assert {q.kind for q in square.questions} == set(Kind)
    assert any(q.condition_question_id for q in square.questions)
    assert square.draft_sections and all(s.paragraphs for s in square.draft_sections)
    assert services.response_count(square) == 4
    channels = db.session.scalars(
        select(Response.channel).where(Response.consultation_id == square.id)
    ).all()
    assert Channel.PAPER in channels
    # Every point answer lies in the drawn area.
    points = [a for r in square_responses(square) for a in r.answers if a.lat is not None]
    assert points and all(services.in_area(square, a.lat, a.lon) for a in points)

    gardens = _by_title(CLOSED_TITLE)
    assert gardens.status == Status.REPORT_PUBLISHED
    inputs = services.inputs_of(gardens)
    assert len(inputs) == 4 and all(i.reply is not None for i in inputs)

    def counts():
        return (
            db.session.scalar(select(func.count(Consultation.id))),
            db.session.scalar(select(func.count(Response.id))),
            db.session.scalar(select(func.count(ConsultationComment.id))),
        )

    before = counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == before


def square_responses(square):
    return db.session.scalars(select(Response).where(Response.consultation_id == square.id)).all()

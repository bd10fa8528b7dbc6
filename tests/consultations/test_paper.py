"""Staff enter paper responses and paper comments: marked as paper, with who entered them,
counted like any other; residents cannot, other towns' staff do not even find them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.consultations import services
from participation.consultations.models import ConsultationComment, Demographic, Response
from participation.consultations.rules import Channel, Kind
from participation.core.models import Role
from participation.extensions import db
from tests.consultations.public_helpers import full_answers, option, url
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import IN_PRAGUE, Browser, field_value, text


@pytest.fixture
def coordinator(town):
    return make_user(
        municipality=town.municipality, roles=(Role.COORDINATOR,), name="Karel Koudelka"
    )


def paper_responses() -> list[Response]:
    db.session.expire_all()
    return list(db.session.scalars(select(Response).where(Response.channel == Channel.PAPER)))


def test_a_coordinator_enters_a_paper_response_that_counts(app, town, coordinator):
    consultation = make_consultation(town.municipality, status="open", ask_demographics=True)
    questions = make_survey(consultation, required=True)
    browser = Browser(app, coordinator)
    assert "Enter a paper response" in browser.page(url(consultation))
    page = browser.page(url(consultation, "paper"))
    assert "Paper form reference" in page and "About the respondent" in page
    data = full_answers(questions)
    data.update({"paper_reference": "F-017", "age_band": "60-74", "language": "cs"})
    response = browser.post(url(consultation, "paper"), data)
    assert response.status_code == 302
    (stored,) = paper_responses()
    assert stored.channel == Channel.PAPER and stored.submitted
    assert stored.entered_by_id == coordinator.id and stored.respondent_id is None
    assert stored.paper_reference == "F-017"
    assert len(stored.answers) == len(questions)
    assert services.response_count(consultation) == 1
    (demographic,) = db.session.scalars(select(Demographic)).all()
    assert demographic.channel == Channel.PAPER and demographic.age_band.value == "60-74"
    page = browser.page(response.headers["Location"])
    assert "Paper response saved" in page
    assert "by Karel Koudelka on" in page and "form F-017" in page
    assert "Enter another" in page
    assert "The consultation has 1 response now" in page
    # Another form: a new response each time.
    browser.post(url(consultation, "paper"), full_answers(questions))
    assert len(paper_responses()) == 2
    assert services.response_count(consultation) == 2


def test_a_paper_form_may_leave_questions_blank_but_not_give_wrong_answers(app, town, coordinator):
    consultation = make_consultation(town.municipality, status="open", ask_demographics=False)
    questions = make_survey(consultation, required=True)
    browser = Browser(app, coordinator)
    point = questions[Kind.POINT]
    data = {
        f"q{questions[Kind.SHORT_TEXT].id}": "Jen tohle je vyplněné",
        f"q{point.id}-lat": str(IN_PRAGUE[0]),
        f"q{point.id}-lon": str(IN_PRAGUE[1]),
        f"q{questions[Kind.MULTIPLE].id}": [
            option(questions[Kind.MULTIPLE], label) for label in "ABC"
        ],
    }
    response = browser.post(url(consultation, "paper"), data)
    assert response.status_code == 422
    page = text(response)
    assert "outside the area of the consultation" in page
    assert "Choose at most 2 options." in page
    assert "required" not in page.split("Please correct the following:")[1].split("</ul>")[0]
    assert field_value(response, f"q{questions[Kind.SHORT_TEXT].id}") == "Jen tohle je vyplněné"
    assert paper_responses() == []
    del data[f"q{point.id}-lat"], data[f"q{point.id}-lon"]
    data[f"q{questions[Kind.MULTIPLE].id}"] = option(questions[Kind.MULTIPLE], "A")
    assert browser.post(url(consultation, "paper"), data).status_code == 302
    (stored,) = paper_responses()
    assert len(stored.answers) == 2


def test_a_coordinator_enters_paper_comments(app, town, coordinator):
    consultation = make_consultation(town.municipality, status="closed", open_comments=True)
    services.replace_draft(
        consultation, "Návrh", [services.DraftPart("Úvod", ["První.", "Druhý odstavec."])]
    )
    second = consultation.draft_sections[0].paragraphs[1]
    browser = Browser(app, coordinator)
    page = browser.page(url(consultation, "paper-comment"))
    assert "The consultation as a whole (open comment)" in page
    assert "Paragraph 1.2 – Druhý odstavec." in page
    response = browser.post(url(consultation, "paper-comment"), {"paragraph": "", "body": ""})
    assert response.status_code == 422
    assert "Write the comment as it is on paper." in text(response)
    response = browser.post(
        url(consultation, "paper-comment"),
        {"paragraph": str(second.id), "author_name": "Alois Dopis", "body": "Nesouhlasím."},
    )
    assert response.status_code == 302
    assert "The paper comment is saved" in browser.page(response.headers["Location"])
    browser.post(url(consultation, "paper-comment"), {"paragraph": "", "body": "Obecně ano."})
    db.session.expire_all()
    comments = db.session.scalars(select(ConsultationComment).order_by(ConsultationComment.id))
    first, general = comments.all()
    assert first.paragraph_id == second.id and first.author_name == "Alois Dopis"
    assert first.channel == Channel.PAPER and first.entered_by_id == coordinator.id
    assert general.paragraph_id is None and general.author_name is None
    # Shown as paper input under the paragraph.
    page = browser.page(url(consultation, "draft"))
    assert "Alois Dopis · on paper" in page


def test_residents_cannot_reach_the_paper_forms(app, town):
    consultation = make_consultation(town.municipality, status="open")
    make_survey(consultation, kinds=("yes_no",))
    resident = make_user(municipality=town.municipality, roles=(Role.RESIDENT,))
    browser = Browser(app, resident)
    assert "Enter a paper response" not in browser.page(url(consultation))
    assert browser.get(url(consultation, "paper")).status_code == 403
    assert browser.post(url(consultation, "paper"), {}).status_code == 403
    assert browser.get(url(consultation, "paper-comment")).status_code == 403
    visitor = Browser(app).get(url(consultation, "paper"))
    assert visitor.status_code == 302 and "/account/login" in visitor.headers["Location"]


def test_other_towns_staff_get_not_found(app, town, other_town):
    consultation = make_consultation(town.municipality, status="open")
    make_survey(consultation, kinds=("yes_no",))
    theirs = make_user(municipality=other_town.municipality, roles=(Role.COORDINATOR,))
    browser = Browser(app, theirs)
    assert browser.get(url(consultation, "paper")).status_code == 403
    # Through their own town's address the consultation does not exist.
    assert browser.get(f"/jinde/consultations/{consultation.id}/paper").status_code == 404


def test_no_paper_after_the_report(app, town, coordinator):
    consultation = make_consultation(town.municipality, status="report_published")
    make_survey(consultation, kinds=("yes_no",))
    assert Browser(app, coordinator).get(url(consultation, "paper")).status_code == 403

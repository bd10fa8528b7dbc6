"""Comments on the draft's paragraphs and open comments: numbered paragraphs, counts,
others' comments shown or kept for the report, bad input kept, only while open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from participation.consultations import rules, services
from participation.consultations.models import ConsultationComment
from participation.consultations.rules import Channel
from participation.core.models import Role, utcnow
from participation.extensions import db
from tests.consultations.public_helpers import url
from tests.factories import make_consultation, make_user
from tests.ideas.helpers import Browser, field_value, text


@pytest.fixture
def resident(town):
    return make_user(municipality=town.municipality, roles=(Role.RESIDENT,), name="Rita Rezková")


def with_draft(town, **fields):
    consultation = make_consultation(town.municipality, status="open", **fields)
    services.replace_draft(
        consultation,
        "Návrh vyhlášky",
        [
            services.DraftPart("Úvodní ustanovení", ["První odstavec.", "Druhý odstavec."]),
            services.DraftPart("Pravidla", ["Pes musí být na vodítku."]),
        ],
    )
    return consultation


def paragraph(consultation, label: str):
    return next(p for s in consultation.draft_sections for p in s.paragraphs if p.label == label)


def stored_comments() -> list[ConsultationComment]:
    db.session.expire_all()
    return list(db.session.scalars(select(ConsultationComment).order_by(ConsultationComment.id)))


def test_a_resident_comments_on_a_numbered_paragraph(app, town, resident):
    consultation = with_draft(town)
    target = paragraph(consultation, "2.1")
    browser = Browser(app, resident)
    page = browser.page(url(consultation, "draft"))
    assert "Návrh vyhlášky" in page
    assert "1. Úvodní ustanovení" in page and "2. Pravidla" in page
    assert "Paragraph 1.2" in page and "Paragraph 2.1" in page
    assert "Comment on paragraph 2.1" in page
    assert page.count("0 comments") == 3
    form = browser.page(url(consultation, f"draft/{target.id}/comment"))
    assert "Pes musí být na vodítku." in form and "Your comment" in form
    response = browser.post(
        url(consultation, f"draft/{target.id}/comment"), {"body": "Jen v centru, prosím."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/draft#p{target.id}")
    (comment,) = stored_comments()
    assert comment.paragraph_id == target.id and comment.author_id == resident.id
    assert comment.channel == Channel.ONLINE
    page = browser.page(url(consultation, "draft"))
    assert "Thank you, your comment on paragraph 2.1 is in." in page
    assert "1 comment" in page and "Jen v centru, prosím." in page


def test_comment_errors_keep_the_text(app, town, resident):
    consultation = with_draft(town)
    target = paragraph(consultation, "1.1")
    browser = Browser(app, resident)
    response = browser.post(url(consultation, f"draft/{target.id}/comment"), {"body": "  "})
    assert response.status_code == 422
    assert "Write your comment." in text(response)
    too_long = "a" * (rules.COMMENT_MAX + 1)
    response = browser.post(url(consultation, f"draft/{target.id}/comment"), {"body": too_long})
    assert response.status_code == 422
    assert (
        f"A comment can be at most {rules.COMMENT_MAX} characters long; "
        f"this one has {rules.COMMENT_MAX + 1}." in text(response)
    )
    assert field_value(response, "body") == too_long
    assert "Please correct the following:" in text(response)
    assert stored_comments() == []


def test_others_comments_are_shown_or_kept_for_the_report(app, town, resident):
    consultation = with_draft(town, show_comments=False)
    target = paragraph(consultation, "1.1")
    neighbour = make_user(municipality=town.municipality, name="Soused Sousedský")
    services.add_comment(consultation, "Komentář souseda.", author=neighbour, paragraph=target)
    services.add_comment(consultation, "Můj komentář.", author=resident, paragraph=target)
    services.add_comment(consultation, "Sousedův otevřený.", author=neighbour)
    browser = Browser(app, resident)
    page = browser.page(url(consultation, "draft"))
    assert "2 comments" in page  # the count is public
    assert "Můj komentář." in page and "Komentář souseda." not in page
    assert "they are published with the final report" in page
    page = browser.page(url(consultation, "comments"))
    assert "Sousedův otevřený." not in page and "You have not commented yet." in page
    # Shown when the consultation says so.
    consultation.show_comments = True
    db.session.flush()
    page = browser.page(url(consultation, "draft"))
    assert "Komentář souseda." in page and "Soused Sousedský" in page
    assert "Sousedův otevřený." in browser.page(url(consultation, "comments"))
    # And always once the report is out, also to visitors.
    consultation.show_comments = False
    consultation.closes_at = utcnow() - timedelta(days=1)
    consultation.report_published_at = utcnow()
    db.session.flush()
    assert "Komentář souseda." in Browser(app).page(url(consultation, "draft"))


def test_open_comments(app, town, resident):
    consultation = make_consultation(town.municipality, status="open", open_comments=True)
    browser = Browser(app, resident)
    page = browser.page(url(consultation, "comments"))
    assert "Open comments" in page and "No comments yet." in page
    response = browser.post(url(consultation, "comments"), {"body": ""})
    assert response.status_code == 422 and "Write your comment." in text(response)
    response = browser.post(url(consultation, "comments"), {"body": "Chybí cyklostezka."})
    assert response.status_code == 302
    (comment,) = stored_comments()
    assert comment.paragraph_id is None and comment.author_id == resident.id
    page = browser.page(url(consultation, "comments"))
    assert "Chybí cyklostezka." in page and "Rita Rezková" in page and "your comment" in page


def test_no_open_comments_page_when_switched_off(app, town, resident):
    consultation = make_consultation(town.municipality, status="open", open_comments=False)
    assert Browser(app, resident).get(url(consultation, "comments")).status_code == 404
    assert Browser(app, resident).get(url(consultation, "draft")).status_code == 404


def test_commenting_needs_an_account_and_an_open_consultation(app, town, resident):
    consultation = with_draft(town)
    target = paragraph(consultation, "1.1")
    visitor = Browser(app)
    assert "Log in to comment on the paragraphs" in visitor.page(url(consultation, "draft"))
    response = visitor.post(url(consultation, f"draft/{target.id}/comment"), {"body": "Ahoj"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    response = visitor.post(url(consultation, "comments"), {"body": "Ahoj"})
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.session.flush()
    browser = Browser(app, resident)
    page = browser.page(url(consultation, "draft"))
    assert "Comment on paragraph" not in page and "can no longer be commented on" in page
    response = browser.post(url(consultation, f"draft/{target.id}/comment"), {"body": "Pozdě"})
    assert response.status_code == 403
    assert "no longer takes comments" in text(response)
    assert browser.post(url(consultation, "comments"), {"body": "Pozdě"}).status_code == 403
    assert stored_comments() == []


def test_a_paragraph_of_another_consultation_is_not_found(app, town, resident):
    mine, other = with_draft(town), with_draft(town)
    foreign = paragraph(other, "1.1")
    response = Browser(app, resident).get(url(mine, f"draft/{foreign.id}/comment"))
    assert response.status_code == 404

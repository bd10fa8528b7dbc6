"""Following one consultation or all of a town's, and the hourly notices to followers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from participation.consultations.models import ConsultationFollow
from participation.core.models import Role, utcnow
from participation.extensions import db
from tests.consultations.public_helpers import url
from tests.factories import make_consultation, make_user
from tests.ideas.helpers import Browser

LIST = "/lipnice/consultations/"


@pytest.fixture
def resident(town):
    return make_user(municipality=town.municipality, roles=(Role.RESIDENT,))


def follows() -> list[tuple[int, int | None]]:
    db.session.expire_all()
    return [
        (f.user_id, f.consultation_id)
        for f in db.session.scalars(select(ConsultationFollow).order_by(ConsultationFollow.id))
    ]


def test_follow_and_unfollow_one_consultation(app, town, resident):
    consultation = make_consultation(town.municipality, status="scheduled")
    browser = Browser(app, resident)
    assert "Follow this consultation" in browser.page(url(consultation))
    response = browser.post(url(consultation, "follow"))
    assert response.status_code == 302
    assert follows() == [(resident.id, consultation.id)]
    page = browser.page(url(consultation))
    assert "You follow this consultation: we email you when it opens" in page
    assert "Stop following this consultation" in page
    browser.post(url(consultation, "follow"))
    assert follows() == []
    assert "You no longer follow this consultation." in browser.page(url(consultation))


def test_follow_all_consultations_of_the_town(app, town, resident):
    browser = Browser(app, resident)
    assert "Follow all consultations of Lipnice" in browser.page(LIST)
    response = browser.post("/lipnice/consultations/follow")
    assert response.status_code == 302 and response.headers["Location"].endswith(LIST)
    assert follows() == [(resident.id, None)]
    page = browser.page(LIST)
    assert "You follow all consultations of Lipnice" in page
    assert "Stop following all consultations of Lipnice" in page
    consultation = make_consultation(town.municipality, status="open")
    assert "You follow all consultations of Lipnice." in browser.page(url(consultation))
    browser.post("/lipnice/consultations/follow")
    assert follows() == []


def test_following_needs_an_account_and_a_post(app, town):
    consultation = make_consultation(town.municipality, status="open")
    visitor = Browser(app)
    assert "Log in to follow all consultations of Lipnice" in visitor.page(LIST)
    response = visitor.post(url(consultation, "follow"))
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    assert visitor.get(url(consultation, "follow")).status_code == 405
    assert follows() == []


def test_a_draft_or_another_towns_consultation_cannot_be_followed(app, town, other_town, resident):
    draft = make_consultation(town.municipality, status="draft")
    theirs = make_consultation(other_town.municipality, status="open")
    browser = Browser(app, resident)
    assert browser.post(url(draft, "follow")).status_code == 404
    assert browser.post(f"/lipnice/consultations/{theirs.id}/follow").status_code == 404
    assert follows() == []


def test_the_notify_command_sends_each_notice_once(app, town, runner, outbox, resident):
    # Mail goes in each recipient's language; these two chose English.
    everything = make_user(municipality=town.municipality, language="en")
    resident.language = "en"
    browser_one = Browser(app, resident)
    browser_all = Browser(app, everything)
    now = utcnow()
    opened = make_consultation(town.municipality, status="open", title="Nově otevřená")
    opened.opens_at = now - timedelta(hours=1)
    opened.closes_at = now + timedelta(days=30)
    closing = make_consultation(town.municipality, status="open", title="Brzy končí")
    closing.opens_at = now - timedelta(days=20)
    closing.closes_at = now + timedelta(days=5)
    closing.opening_notice_sent_at = now - timedelta(days=20)
    db.session.flush()
    browser_one.post(url(opened, "follow"))
    browser_all.post("/lipnice/consultations/follow")
    outbox.clear()

    result = runner.invoke(args=["consultations", "notify"])
    assert result.exit_code == 0, result.output
    assert "1 consultations announced as open, 1 reminded a week before closing." in result.output
    sent = sorted((m.to, m.subject) for m in outbox)
    assert sent == sorted(
        [
            (resident.email, "The consultation “Nově otevřená” is open"),
            (everything.email, "The consultation “Nově otevřená” is open"),
            (everything.email, next(m.subject for m in outbox if "Brzy končí" in m.subject)),
        ]
    )
    assert any(f"/lipnice/consultations/{opened.id}/" in m.body for m in outbox)
    # Run again within the hour: nothing more.
    outbox.clear()
    result = runner.invoke(args=["consultations", "notify"])
    assert "0 consultations announced as open, 0 reminded" in result.output
    assert outbox == []

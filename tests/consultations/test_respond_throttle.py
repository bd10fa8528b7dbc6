"""Anonymous survey POSTs are rate-limited per address; signed-in respondents are not."""

from __future__ import annotations

from types import SimpleNamespace

from participation.consultations.rules import Kind
from participation.core.models import Role
from participation.extensions import db
from tests.consultations.public_helpers import url
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import Browser, make_town


def test_anonymous_responses_are_throttled(rate_limited_app, monkeypatch):
    app = rate_limited_app
    monkeypatch.setitem(app.config, "ANONYMOUS_RESPONSE_RATE_LIMIT", "2 per hour")
    with app.app_context():
        town = make_town("lipnice")
        consultation = make_consultation(
            town.municipality, status="open", anonymous_responses=True, ask_demographics=False
        )
        question = make_survey(consultation, kinds=("yes_no",))[Kind.YES_NO]
        resident = make_user(municipality=town.municipality, roles=(Role.RESIDENT,))
        db.session.commit()
        address, name = url(consultation, "survey"), f"q{question.id}"
        person = SimpleNamespace(email=resident.email)
    # Each browser is another client from the same address.
    statuses = [Browser(app).post(address, {name: "yes"}).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    # Reading the survey is never throttled, nor are signed-in respondents.
    assert Browser(app).get(address).status_code == 200
    assert Browser(app, person).post(address, {name: "no"}).status_code == 302

"""Proving who may vote is throttled per address: register identifiers can be guessed."""

from __future__ import annotations

from participation.budget.models import Verification
from participation.core import services as core_services
from participation.extensions import db
from tests.factories import make_cycle, make_pool, make_project
from tests.ideas.helpers import Browser, make_town


def test_guessing_identifiers_is_throttled(rate_limited_app, monkeypatch):
    app = rate_limited_app
    monkeypatch.setitem(app.config, "VOTER_IDENTIFY_RATE_LIMIT", "3 per minute")
    with app.app_context():
        town = make_town("lipnice")
        core_services.ensure_register_key(town.municipality)
        cycle = make_cycle(town.municipality, verification=Verification.REGISTER)
        make_project(make_pool(cycle))
        db.session.commit()
        address = f"/lipnice/budget/{cycle.id}/vote"
    # Each guess from another browser, all from one address.
    statuses = [
        Browser(app).post(address, {"identifier": f"99010{n}1234"}).status_code for n in range(4)
    ]
    # Three wrong identifiers are refused with a message; the fourth try is not heard.
    assert statuses == [422, 422, 422, 429]
    # Reading the page is never throttled.
    assert Browser(app).get(address).status_code == 200

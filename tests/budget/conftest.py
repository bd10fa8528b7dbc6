"""Fixtures of the budget use-case tests: a town with three coded districts, its staff,
and an upload folder per test."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from participation.core.models import Role
from participation.extensions import db
from tests.factories import make_user
from tests.ideas.helpers import make_town

DISTRICT_CODES = {"Střed": "STR", "Sever": "SEV", "Jih": "JIH"}


@pytest.fixture
def town(app):
    town = make_town("lipnice")
    for name, district in town.districts.items():
        district.code = DISTRICT_CODES[name]
    db.session.flush()
    return town


@pytest.fixture
def coordinator(town):
    return make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """Uploaded files go to a folder of this test only."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def english_outside_requests(request):
    """Use cases called directly by a test speak English, as the pages the test client
    asks for do; outside a request the app would use its default, Czech."""
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    with force_locale("en"):
        yield

"""Fixtures of the consultations tests: the town of Lipnice with three districts."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from tests.ideas.helpers import make_town


@pytest.fixture
def town(app):
    return make_town("lipnice")


@pytest.fixture
def other_town(app):
    return make_town("jinde")


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

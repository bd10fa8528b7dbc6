"""Fixtures of the consultations tests: the town of Lipnice with three districts."""

from __future__ import annotations

import pytest

from tests.ideas.helpers import make_town


@pytest.fixture
def town(app):
    return make_town("lipnice")


@pytest.fixture
def other_town(app):
    return make_town("jinde")

"""Fixtures of the ideas tests: the town of Lipnice with three districts, and another town."""

from __future__ import annotations

import pytest

from tests.ideas.helpers import make_town


@pytest.fixture
def town(app):
    return make_town("lipnice")


@pytest.fixture
def other_town(app):
    return make_town("jinde")


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    """Uploaded files go to a folder of this test only."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    return tmp_path / "ideas"

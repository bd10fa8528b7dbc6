"""The demo municipality, assembled from each module's demo content."""

from __future__ import annotations

from contextlib import ExitStack

from flask import current_app, has_request_context

from participation.budget import demo as budget_demo
from participation.consultations import demo as consultations_demo
from participation.core import demo as core_demo
from participation.core import mail
from participation.core.models import Municipality
from participation.ideas import demo as ideas_demo
from participation.maps import demo as maps_demo


def load_demo() -> Municipality:
    """Create or complete the demo town; running it again changes nothing.

    Demo content sends no mail; links are built against BASE_URL when no request is there.
    """
    with ExitStack() as stack:
        if not has_request_context():
            stack.enter_context(
                current_app.test_request_context(base_url=current_app.config["BASE_URL"])
            )
        stack.enter_context(mail.suppressed())
        municipality = core_demo.load()
        maps_demo.load(municipality)
        ideas_demo.load(municipality)
        consultations_demo.load(municipality)
        budget_demo.load(municipality)
        return municipality

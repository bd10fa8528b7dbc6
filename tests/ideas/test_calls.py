"""Coordinators open and edit calls; the town's home page and call list show them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from participation.core.models import Role
from participation.extensions import db
from participation.ideas.models import IdeaCall, Submitters
from tests.factories import make_call, make_idea, make_user
from tests.ideas.helpers import Browser, field_value, text


def call_form(**changes) -> dict:
    form = {
        "title": "Nápady pro Lipnici 2030",
        "description": "Pošlete nám **své nápady**.",
        "opens_at": "2030-03-01T09:00",  # winter time: UTC+1
        "closes_at": "2030-07-01T18:00",  # summer time: UTC+2
        "categories": "Doprava\r\n  Zeleň \r\n\r\nKultura\r\nDoprava\r\n",
        "submitters": "verified_resident",
        "max_ideas_per_person": "3",
        "location_required": "y",
        "support_threshold": "25",
        "support_deadline": "2030-08-31T23:59",
        "max_images": "2",
        "appeal_days": "10",
        "duplicate_distance_m": "200",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_a_coordinator_opens_a_call_in_local_time_with_districts_and_categories(app, town):
    coordinator = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    browser = Browser(app, coordinator)
    page = browser.page("/lipnice/ideas/calls/new")
    assert "Europe/Prague" in page
    sever, jih = town.districts["Sever"], town.districts["Jih"]
    response = browser.post(
        "/lipnice/ideas/calls/new", call_form(districts=[str(sever.id), str(jih.id)])
    )
    assert response.status_code == 302
    call = db.session.scalar(select(IdeaCall).where(IdeaCall.title == "Nápady pro Lipnici 2030"))
    assert response.headers["Location"] == f"/lipnice/ideas/calls/{call.id}"
    assert call.municipality_id == town.municipality.id
    assert call.created_by_id == coordinator.id
    # Local times of the municipality, stored in UTC, across the change to summer time.
    assert call.opens_at == datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
    assert call.closes_at == datetime(2030, 7, 1, 16, 0, tzinfo=UTC)
    assert call.support_deadline == datetime(2030, 8, 31, 21, 59, tzinfo=UTC)
    assert sorted(d.name for d in call.districts) == ["Jih", "Sever"]
    # One per line, trimmed, without blanks or repeats, in the order given.
    assert [c.name for c in call.categories] == ["Doprava", "Zeleň", "Kultura"]
    assert [c.position for c in call.categories] == [0, 1, 2]
    assert call.submitters == Submitters.VERIFIED_RESIDENT
    assert (call.max_ideas_per_person, call.support_threshold) == (3, 25)
    assert call.location_required is True
    assert (call.max_images, call.appeal_days, call.duplicate_distance_m) == (2, 10, 200)

    page = browser.page(f"/lipnice/ideas/calls/{call.id}")
    assert "Nápady pro Lipnici 2030" in page
    assert "<strong>své nápady</strong>" in page
    assert "Jih, Sever" in page
    assert "An idea needs 25 supporters to go to review." in page


def test_editing_a_call_shows_local_times_and_keeps_ideas_categories(app, town):
    coordinator = make_user(municipality=town.municipality, roles=(Role.ADMIN,))
    browser = Browser(app, coordinator)
    browser.post(
        "/lipnice/ideas/calls/new",
        call_form(categories="Doprava\nZeleň", districts=[str(town.districts["Střed"].id)]),
    )
    call = db.session.scalar(select(IdeaCall))
    doprava = call.categories[0]
    idea = make_idea(call, make_user(), category=doprava)

    form = browser.get(f"/lipnice/ideas/calls/{call.id}/edit")
    # Shown again in the municipality's time, as typed.
    assert datetime.fromisoformat(field_value(form, "opens_at")) == datetime(2030, 3, 1, 9, 0)
    assert datetime.fromisoformat(field_value(form, "closes_at")) == datetime(2030, 7, 1, 18, 0)
    assert field_value(form, "categories") == "Doprava\nZeleň"
    stred = town.districts["Střed"].id
    assert re.search(
        rf'<option selected value="{stred}">|value="{stred}" selected', form.get_data(as_text=True)
    )

    response = browser.post(
        f"/lipnice/ideas/calls/{call.id}/edit",
        call_form(
            title="Nápady 2030, prodlouženo",
            closes_at="2030-07-15T18:00",
            categories="Kultura\nDoprava",
            location_required=None,
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert call.title == "Nápady 2030, prodlouženo"
    assert call.closes_at == datetime(2030, 7, 15, 16, 0, tzinfo=UTC)
    assert call.location_required is False
    assert call.districts == []  # none chosen: the whole municipality
    assert [c.name for c in call.categories] == ["Kultura", "Doprava"]
    # The idea keeps its category, which is matched by name.
    assert idea.category_id == doprava.id and idea.category.name == "Doprava"
    assert len(db.session.scalars(select(IdeaCall)).all()) == 1


def test_a_call_must_close_after_it_opens_and_keeps_what_was_typed(app, town):
    coordinator = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    browser = Browser(app, coordinator)
    response = browser.post(
        "/lipnice/ideas/calls/new",
        call_form(opens_at="2030-07-01T18:00", closes_at="2030-07-01T18:00"),
    )
    assert response.status_code == 200
    assert "The call must close after it opens." in text(response)
    assert field_value(response, "title") == "Nápady pro Lipnici 2030"
    response = browser.post("/lipnice/ideas/calls/new", call_form(title="", max_images="11"))
    assert response.status_code == 200
    page = text(response)
    assert "This field is required." in page
    assert "Number must be between 0 and 10." in page
    assert db.session.scalar(select(IdeaCall)) is None


def test_the_home_page_and_the_call_list_show_calls_by_phase(app, town):
    open_call = make_call(town.municipality, phase="open", title="Otevřená výzva")
    make_call(town.municipality, phase="upcoming", title="Budoucí výzva")
    make_call(town.municipality, phase="closed", title="Uzavřená výzva")
    browser = Browser(app)
    home = browser.page("/lipnice/")
    open_now = home.split('id="open-now"')[1].split('id="coming-next"')[0]
    coming = home.split('id="coming-next"')[1]
    assert f'href="/lipnice/ideas/calls/{open_call.id}"' in open_now
    assert "Otevřená výzva" in open_now and "Budoucí výzva" not in open_now
    assert "Budoucí výzva" in coming
    assert "Uzavřená výzva" not in home

    listing = browser.page("/lipnice/ideas/")
    sections = {
        phase: listing.split(f'id="calls-{phase}"')[1].split("</section>")[0]
        for phase in ("open", "upcoming", "closed")
    }
    assert "Otevřená výzva" in sections["open"]
    assert "Budoucí výzva" in sections["upcoming"]
    assert "Uzavřená výzva" in sections["closed"]
    assert "Open a new call" not in listing


def test_another_towns_calls_are_not_on_this_towns_pages(app, town, other_town):
    make_call(other_town.municipality, title="Výzva jinde")
    browser = Browser(app)
    assert "Výzva jinde" not in browser.page("/lipnice/")
    assert "Výzva jinde" not in browser.page("/lipnice/ideas/")
    assert "Výzva jinde" in browser.page("/jinde/")

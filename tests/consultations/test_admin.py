"""Coordinators prepare a consultation: details, area, dates, publishing, opening and
closing; the staff overview; the municipality's minimum duration; who may do it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from participation.consultations.models import Consultation, Document
from participation.consultations.rules import Area, Status
from participation.core.models import Role, utcnow
from participation.extensions import db
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import Browser, field_value, text

POLYGON = {
    "type": "Polygon",
    "coordinates": [
        [[14.65, 49.41], [14.66, 49.41], [14.66, 49.415], [14.65, 49.415], [14.65, 49.41]]
    ],
}


def details(**changes) -> dict:
    form = {
        "title": "Nové náměstí",
        "summary": "Jak má vypadat **náměstí**.",
        "decision": "Zadání architektonické soutěže.",
        "decision_maker": "Zastupitelstvo města",
        "area_kind": "whole",
        "opens_at": "2030-03-01T09:00",  # winter time: UTC+1
        "closes_at": "2030-04-30T18:00",  # summer time: UTC+2
        "has_survey": "y",
        "open_comments": "y",
        "show_comments": "y",
        "ask_demographics": "y",
        "contact_name": "Karla Nováková",
        "contact_email": "karla@lipnice.test",
        "contact_phone": "+420 123 456 789",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def coordinator_of(app, town, role=Role.COORDINATOR):
    user = make_user(municipality=town.municipality, roles=(role,))
    return Browser(app, user), user


def only_consultation() -> Consultation:
    return db.session.scalar(select(Consultation).order_by(Consultation.id.desc()))


def test_a_coordinator_creates_a_consultation_for_the_whole_town_in_local_time(app, town):
    browser, user = coordinator_of(app, town)
    page = browser.page("/lipnice/consultations/new")
    assert "Europe/Prague" in page
    assert "recommended minimum is 21 days" in page
    response = browser.post("/lipnice/consultations/new", details())
    assert response.status_code == 302
    consultation = only_consultation()
    assert response.headers["Location"] == f"/lipnice/consultations/{consultation.id}/manage"
    assert consultation.municipality_id == town.municipality.id
    assert consultation.created_by_id == user.id
    assert consultation.opens_at == datetime(2030, 3, 1, 8, 0, tzinfo=UTC)
    assert consultation.closes_at == datetime(2030, 4, 30, 16, 0, tzinfo=UTC)
    assert consultation.area_kind == Area.WHOLE
    assert consultation.decision_maker == "Zastupitelstvo města"
    assert consultation.contact_email == "karla@lipnice.test"
    assert (consultation.has_survey, consultation.has_draft) == (True, False)
    assert (consultation.anonymous_responses, consultation.show_comments) == (False, True)
    assert consultation.status == Status.DRAFT

    page = text(browser.get(response.headers["Location"]))
    assert "The consultation is saved." in page
    assert "less than the" not in page  # 60 days: no warning
    assert "Draft" in page
    assert "Publish" in page


def test_a_short_consultation_is_saved_with_a_warning_not_refused(app, town):
    browser, _user = coordinator_of(app, town)
    response = browser.post(
        "/lipnice/consultations/new",
        details(opens_at="2030-03-01T09:00", closes_at="2030-03-11T09:00"),
        follow_redirects=True,
    )
    page = text(response)
    assert response.status_code == 200
    assert "The consultation is saved." in page
    assert "open for 10 days, less than the 21 days recommended for Lipnice" in page
    # The staff page keeps telling.
    page = browser.page(f"/lipnice/consultations/{only_consultation().id}/manage")
    assert "open for 10 days" in page


def test_the_municipality_sets_its_own_minimum(app, town):
    admin = make_user(municipality=town.municipality, roles=(Role.ADMIN,))
    browser = Browser(app, admin)
    page = browser.page("/lipnice/admin/settings")
    assert "Minimum length of a consultation (days)" in page
    form = {
        "name": "Lipnice",
        "country": "CZ",
        "default_language": "cs",
        "timezone": "Europe/Prague",
        "currency": "CZK",
        "min_consultation_days": "30",
    }
    assert browser.post("/lipnice/admin/settings", form).status_code == 302
    db.session.refresh(town.municipality)
    assert town.municipality.min_consultation_days == 30
    bad = browser.post("/lipnice/admin/settings", dict(form, min_consultation_days="0"))
    assert bad.status_code == 200
    assert "Number must be between 1 and 365." in text(bad)
    db.session.refresh(town.municipality)
    assert town.municipality.min_consultation_days == 30

    page = text(
        browser.post(
            "/lipnice/consultations/new",
            details(opens_at="2030-03-01T09:00", closes_at="2030-03-26T09:00"),
            follow_redirects=True,
        )
    )
    assert "open for 25 days, less than the 30 days recommended" in page


def test_some_districts_are_chosen_with_checkboxes(app, town):
    browser, _user = coordinator_of(app, town)
    page = browser.page("/lipnice/consultations/new")
    for name in ("Střed", "Sever", "Jih"):
        assert re.search(rf'type="checkbox"[^>]*>\s*<label[^>]*>{name}</label>', page)
    # None chosen: a message by the checkboxes, and what was typed stays.
    response = browser.post("/lipnice/consultations/new", details(area_kind="districts"))
    assert response.status_code == 422
    page = text(response)
    assert "Choose at least one district, or another area." in page
    assert field_value(response, "title") == "Nové náměstí"
    assert field_value(response, "contact_phone") == "+420 123 456 789"
    assert db.session.scalar(select(Consultation)) is None

    sever, jih = town.districts["Sever"], town.districts["Jih"]
    response = browser.post(
        "/lipnice/consultations/new",
        details(area_kind="districts", districts=[str(sever.id), str(jih.id)]),
    )
    assert response.status_code == 302
    consultation = only_consultation()
    assert consultation.area_kind == Area.DISTRICTS
    assert [d.name for d in consultation.districts] == ["Jih", "Sever"]
    assert consultation.area is None
    # The edit form shows them ticked.
    page = browser.page(f"/lipnice/consultations/{consultation.id}/manage/edit")
    assert re.search(rf'checked[^>]*value="{sever.id}"|value="{sever.id}"[^>]*checked', page)


def test_an_area_drawn_on_the_map_is_sent_as_geojson(app, town):
    browser, _user = coordinator_of(app, town)
    page = browser.page("/lipnice/consultations/new")
    assert "Participation.draw" in page  # the map writes into the textarea
    assert 'name="area"' in page
    response = browser.post(
        "/lipnice/consultations/new", details(area_kind="drawn", area=json.dumps(POLYGON))
    )
    assert response.status_code == 302
    consultation = only_consultation()
    assert consultation.area_kind == Area.DRAWN
    assert consultation.area.geom_type == "MultiPolygon"
    assert consultation.area.bounds == pytest.approx((14.65, 49.41, 14.66, 49.415))
    # Editing shows the area again, and switching to the whole town drops it.
    edit = browser.get(f"/lipnice/consultations/{consultation.id}/manage/edit")
    assert json.loads(field_value(edit, "area"))["type"] == "MultiPolygon"
    response = browser.post(
        f"/lipnice/consultations/{consultation.id}/manage/edit", details(area_kind="whole")
    )
    assert response.status_code == 302
    db.session.refresh(consultation)
    assert consultation.area_kind == Area.WHOLE and consultation.area is None


@pytest.mark.parametrize(
    ("area", "message"),
    [
        ("", "Draw the area on the map, or paste it as GeoJSON."),
        ("{not json", "This is not a GeoJSON polygon."),
        (json.dumps({"type": "Point", "coordinates": [14.65, 49.41]}), "Draw at least one"),
    ],
)
def test_a_drawn_area_that_is_missing_or_wrong_is_explained(app, town, area, message):
    browser, _user = coordinator_of(app, town)
    response = browser.post("/lipnice/consultations/new", details(area_kind="drawn", area=area))
    assert response.status_code == 422
    assert message in text(response)
    assert field_value(response, "area") == area
    assert db.session.scalar(select(Consultation)) is None


def test_bad_details_are_explained_and_kept(app, town):
    browser, _user = coordinator_of(app, town)
    response = browser.post(
        "/lipnice/consultations/new",
        details(title="", closes_at="2030-02-01T09:00", contact_email="not-an-address"),
    )
    assert response.status_code == 422
    page = text(response)
    assert "Please correct the following:" in page
    assert 'href="#title"' in page
    assert field_value(response, "decision_maker") == "Zastupitelstvo města"
    response = browser.post("/lipnice/consultations/new", details(closes_at="2030-02-01T09:00"))
    assert "The consultation must close after it opens." in text(response)
    assert field_value(response, "closes_at") == "2030-02-01T09:00"


def test_publish_open_and_close_by_hand(app, town, outbox):
    browser, _user = coordinator_of(app, town)
    browser.post("/lipnice/consultations/new", details())
    consultation = only_consultation()
    manage = f"/lipnice/consultations/{consultation.id}/manage"
    page = browser.page(manage)
    assert "Publishing makes the consultation public" in page
    assert "Close now" not in page

    response = browser.post(f"/lipnice/consultations/{consultation.id}/manage/publish", {})
    assert response.headers["Location"] == manage
    db.session.refresh(consultation)
    assert consultation.status == Status.SCHEDULED
    page = browser.page(manage)
    assert "The consultation is published." in page
    assert "Scheduled" in page
    assert "Open it now" in page and "Publish</button>" not in page

    browser.post(f"/lipnice/consultations/{consultation.id}/manage/open", {})
    db.session.refresh(consultation)
    assert consultation.status == Status.OPEN
    page = browser.page(manage)
    assert "The consultation is open." in page
    assert "Closing now ends the consultation" in page

    browser.post(f"/lipnice/consultations/{consultation.id}/manage/close", {})
    db.session.refresh(consultation)
    assert consultation.status == Status.CLOSED
    page = browser.page(manage)
    assert "The consultation is closed." in page
    # Closing again is refused with a message, not an error page.
    response = browser.post(
        f"/lipnice/consultations/{consultation.id}/manage/close", {}, follow_redirects=True
    )
    assert "Only an open consultation can be closed." in text(response)


def test_a_draft_opened_now_is_published_too(app, town):
    browser, user = coordinator_of(app, town)
    consultation = make_consultation(town.municipality, status="draft", by=user)
    browser.post(f"/lipnice/consultations/{consultation.id}/manage/open", {})
    db.session.refresh(consultation)
    assert consultation.published_at is not None
    assert consultation.status == Status.OPEN


def test_an_action_without_the_csrf_token_is_refused(app, town):
    browser, user = coordinator_of(app, town)
    consultation = make_consultation(town.municipality, status="draft", by=user)
    response = browser.client.post(f"/lipnice/consultations/{consultation.id}/manage/publish")
    assert response.status_code == 400
    db.session.refresh(consultation)
    assert consultation.published_at is None


def test_the_staff_overview_groups_consultations(app, town, other_town):
    browser, user = coordinator_of(app, town)
    page = browser.page("/lipnice/consultations/manage")
    assert "No consultation yet." in page
    assert "New consultation" in page
    titles = {}
    for status in ("draft", "scheduled", "open", "closed", "report_published"):
        titles[status] = make_consultation(
            town.municipality, status=status, by=user, title=f"Konzultace {status}"
        ).title
    make_consultation(other_town.municipality, title="Cizí konzultace")
    page = browser.page("/lipnice/consultations/manage")
    order = [page.index(h) for h in ("Drafts", "Scheduled", "Open", "Closed", "Report published")]
    assert order == sorted(order)
    positions = [page.index(titles[s]) for s in titles]
    assert positions == sorted(positions)
    assert "Cizí konzultace" not in page
    assert "No consultation yet." not in page


def test_the_staff_page_links_to_every_part(app, town):
    browser, user = coordinator_of(app, town)
    consultation = make_consultation(town.municipality, status="open", by=user)
    page = browser.page(f"/lipnice/consultations/{consultation.id}/manage")
    for path in ("edit", "documents", "survey", "draft"):
        assert f'href="/lipnice/consultations/{consultation.id}/manage/{path}"' in page
    assert "People are to answer a survey, but it has no questions yet." in page
    make_survey(consultation, kinds=("yes_no",))
    page = browser.page(f"/lipnice/consultations/{consultation.id}/manage")
    assert "no questions yet" not in page


# --- who may --------------------------------------------------------------------------


def _routes(consultation, section, question, document):
    c = f"/lipnice/consultations/{consultation.id}/manage"
    gets = [
        "/lipnice/consultations/manage",
        "/lipnice/consultations/new",
        f"{c}/edit",
        c,
        f"{c}/documents",
        f"{c}/documents/{document.id}/delete",
        f"{c}/survey",
        f"{c}/survey/preview",
        f"{c}/survey/sections/{section.id}/edit",
        f"{c}/survey/sections/{section.id}/delete",
        f"{c}/survey/sections/{section.id}/questions/new",
        f"{c}/survey/questions/{question.id}/edit",
        f"{c}/survey/questions/{question.id}/delete",
        f"{c}/draft",
    ]
    posts = [
        ("/lipnice/consultations/new", details()),
        (f"{c}/edit", details()),
        (f"{c}/publish", {}),
        (f"{c}/open", {}),
        (f"{c}/close", {}),
        (f"{c}/documents", {"title": "x"}),
        (f"{c}/documents/{document.id}/title", {f"doc{document.id}-title": "x"}),
        (f"{c}/documents/{document.id}/move", {"direction": "down"}),
        (f"{c}/documents/{document.id}/delete", {}),
        (f"{c}/survey/sections", {"new-title": "x"}),
        (f"{c}/survey/sections/{section.id}/edit", {"title": "x"}),
        (f"{c}/survey/sections/{section.id}/move", {"direction": "down"}),
        (f"{c}/survey/sections/{section.id}/delete", {}),
        (f"{c}/survey/sections/{section.id}/questions/new", {"kind": "date", "text": "x"}),
        (f"{c}/survey/questions/{question.id}/edit", {"kind": "date", "text": "x"}),
        (f"{c}/survey/questions/{question.id}/move", {"direction": "down"}),
        (f"{c}/survey/questions/{question.id}/delete", {}),
        (f"{c}/draft", {"text": "# A\n\nB", "save": "1"}),
    ]
    return gets, posts


def _prepared(town, status="draft"):
    consultation = make_consultation(town.municipality, status=status)
    questions = make_survey(consultation, kinds=("yes_no", "date"))
    document = Document(
        consultation=consultation,
        title="Studie",
        filename="0" * 32 + ".pdf",
        original_name="studie.pdf",
        content_type="application/pdf",
        size=10,
    )
    db.session.add(document)
    db.session.flush()
    question = questions["date"]
    return consultation, question.section, question, document


def _unchanged(consultation, section, question, document):
    db.session.expire_all()
    assert consultation.title.startswith("Konzultace")
    assert consultation.published_at is None
    assert section.title == "Otázky"
    assert question.text == "Otázka date"
    assert document.title == "Studie"
    assert len(consultation.questions) == 2
    assert (
        db.session.scalar(select(Consultation).where(Consultation.title == "Nové náměstí")) is None
    )


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR, Role.REVIEWER])
def test_residents_and_other_staff_get_403_everywhere(app, town, role):
    objects = _prepared(town)
    gets, posts = _routes(*objects)
    browser = Browser(app, make_user(municipality=town.municipality, roles=(role,)))
    for url in gets:
        assert browser.get(url).status_code == 403, url
    for url, data in posts:
        assert browser.post(url, data).status_code == 403, url
    _unchanged(*objects)


def test_a_coordinator_of_another_town_gets_403_here_and_404_through_their_town(
    app, town, other_town
):
    objects = _prepared(town)
    gets, posts = _routes(*objects)
    stranger = make_user(municipality=other_town.municipality, roles=(Role.COORDINATOR,))
    browser = Browser(app, stranger)
    for url in gets:
        assert browser.get(url).status_code == 403, url
    for url, data in posts:
        assert browser.post(url, data).status_code == 403, url
    # Through their own town's address, this town's objects do not exist.
    for url in gets:
        if "/consultations/manage" in url or url.endswith("/new"):
            continue
        assert browser.get(url.replace("/lipnice/", "/jinde/")).status_code == 404, url
    for url, data in posts:
        if url.endswith("/new"):
            continue
        assert browser.post(url.replace("/lipnice/", "/jinde/"), data).status_code == 404, url
    _unchanged(*objects)


def test_objects_of_another_consultation_are_404(app, town):
    browser, user = coordinator_of(app, town)
    consultation, section, question, document = _prepared(town)
    mine = make_consultation(town.municipality, status="draft", by=user)
    c = f"/lipnice/consultations/{mine.id}/manage"
    for url in (
        f"{c}/survey/sections/{section.id}/edit",
        f"{c}/survey/questions/{question.id}/edit",
        f"{c}/documents/{document.id}/delete",
    ):
        assert browser.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in(app, town):
    gets, posts = _routes(*_prepared(town))
    browser = Browser(app)
    for url in gets:
        response = browser.get(url)
        assert response.status_code == 302, url
        assert "/account/login" in response.headers["Location"]
    for url, data in posts:
        assert browser.post(url, data).status_code == 302, url


def test_an_administrator_and_a_platform_admin_may_prepare(app, town):
    consultation, *_rest = _prepared(town)
    for user in (
        make_user(municipality=town.municipality, roles=(Role.ADMIN,)),
        make_user(platform_admin=True),
    ):
        browser = Browser(app, user)
        for path in ("", "/edit", "/survey", "/documents", "/draft", "/survey/preview"):
            url = f"/lipnice/consultations/{consultation.id}/manage{path}"
            assert browser.get(url).status_code == 200, url


def test_a_closed_consultation_keeps_its_survey_and_draft(app, town):
    browser, user = coordinator_of(app, town)
    consultation = make_consultation(town.municipality, status="closed", by=user)
    questions = make_survey(consultation, kinds=("date",))
    page = browser.page(f"/lipnice/consultations/{consultation.id}/manage/survey")
    assert "the survey no longer changes" in page
    assert "Add a section" not in page
    section = questions["date"].section
    assert (
        browser.post(
            f"/lipnice/consultations/{consultation.id}/manage/survey/sections",
            {"new-title": "Další"},
        ).status_code
        == 403
    )
    assert (
        browser.post(
            f"/lipnice/consultations/{consultation.id}/manage/survey/sections/{section.id}/delete",
            {},
        ).status_code
        == 403
    )
    page = browser.page(f"/lipnice/consultations/{consultation.id}/manage/draft")
    assert "the draft text no longer changes" in page
    assert (
        browser.post(
            f"/lipnice/consultations/{consultation.id}/manage/draft",
            {"text": "# A\n\nB", "save": "1"},
        ).status_code
        == 403
    )


def test_opening_by_hand_fails_clearly_when_the_close_has_passed(app, town):
    browser, user = coordinator_of(app, town)
    consultation = make_consultation(town.municipality, status="draft", by=user)
    consultation.opens_at = utcnow() + timedelta(days=1)
    consultation.closes_at = utcnow() + timedelta(days=2)
    db.session.flush()
    # A draft dated in the past: the dates must change first.
    consultation.opens_at = utcnow() - timedelta(days=3)
    consultation.closes_at = utcnow() - timedelta(days=1)
    db.session.flush()
    response = browser.post(
        f"/lipnice/consultations/{consultation.id}/manage/open", {}, follow_redirects=True
    )
    assert "Its closing date has passed; change the dates first." in text(response)
    db.session.refresh(consultation)
    assert consultation.published_at is None

"""The list of ideas, the GeoJSON API, the exports, and a person's data."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from participation.core.models import Role, utcnow
from participation.extensions import db
from participation.ideas import services
from participation.ideas.models import Comment, Follow, Idea, Support
from participation.ideas.rules import IdeaStatus
from tests.factories import PASSWORD, make_call, make_idea, make_user
from tests.ideas.helpers import (
    IN_JIH,
    IN_SEVER,
    IN_STRED,
    Browser,
    listed_idea_ids,
    png_with_text,
    text,
)


@pytest.fixture
def call(town):
    return make_call(town.municipality, categories=("Doprava", "Zeleň"))


@pytest.fixture
def ideas(town, call):
    """Five public ideas over the districts and a draft, submitted a day apart."""
    doprava, zelen = call.categories
    now = utcnow()
    spec = [
        ("Lavička u řeky", "Místo k odpočinku.", IN_STRED, zelen, IdeaStatus.COLLECTING, 4),
        (
            "Přechod u školy",
            "Bezpečná cesta, lavička u přechodu.",
            IN_SEVER,
            doprava,
            IdeaStatus.UNDER_REVIEW,
            9,
        ),
        ("Komunitní zahrada", "Záhony pro sousedy.", IN_SEVER, zelen, IdeaStatus.ACCEPTED, 2),
        ("Heliport", "Na náměstí.", IN_JIH, doprava, IdeaStatus.REJECTED, 0),
        ("Knihobudka", "V telefonní budce.", None, None, IdeaStatus.COLLECTING, 7),
    ]
    made = []
    for age, (title, description, place, category, status, supports) in enumerate(spec):
        made.append(
            make_idea(
                call,
                make_user(),
                title=title,
                description=description,
                lat=place[0] if place else None,
                lon=place[1] if place else None,
                district=town.districts["Jih"] if place is None else None,
                category=category,
                status=status,
                support_count=supports,
                submitted_at=now - timedelta(days=age),
            )
        )
    make_idea(
        call,
        make_user(),
        title="Tajný koncept",
        status=IdeaStatus.DRAFT,
        lat=IN_STRED[0],
        lon=IN_STRED[1],
    )
    return made


def ids(*ideas) -> list[int]:
    return [i.id for i in ideas]


# --- the list ----------------------------------------------------------------------------


def test_the_list_sorts_by_newest_and_by_most_supported(app, call, ideas):
    browser = Browser(app)
    url = f"/lipnice/ideas/calls/{call.id}"
    response = browser.get(url)
    assert listed_idea_ids(response) == ids(*ideas)  # newest first
    assert "5 ideas" in text(response) and "Tajný koncept" not in text(response)
    response = browser.get(f"{url}?sort=supported")
    lavicka, prechod, zahrada, heliport, budka = ideas
    assert listed_idea_ids(response) == ids(prechod, budka, lavicka, zahrada, heliport)
    # Nonsense in the query is ignored, not an error.
    assert listed_idea_ids(browser.get(f"{url}?sort=evil&district=x&status=nope")) == ids(*ideas)


def test_the_list_filters_by_district_category_and_status(app, town, call, ideas):
    lavicka, prechod, zahrada, heliport, budka = ideas
    doprava, zelen = call.categories
    browser = Browser(app)
    url = f"/lipnice/ideas/calls/{call.id}"
    sever, jih = town.districts["Sever"].id, town.districts["Jih"].id
    assert listed_idea_ids(browser.get(f"{url}?district={sever}")) == ids(prechod, zahrada)
    assert listed_idea_ids(browser.get(f"{url}?district={jih}")) == ids(heliport, budka)
    assert listed_idea_ids(browser.get(f"{url}?category={zelen.id}")) == ids(lavicka, zahrada)
    assert listed_idea_ids(browser.get(f"{url}?status=collecting")) == ids(lavicka, budka)
    response = browser.get(f"{url}?district={sever}&category={doprava.id}&sort=supported")
    assert listed_idea_ids(response) == ids(prechod)
    response = browser.get(f"{url}?status=expired")
    assert listed_idea_ids(response) == [] and "No idea matches yet." in text(response)
    # The chosen filters stay chosen.
    page = browser.get(f"{url}?district={sever}").get_data(as_text=True)
    assert f'<option selected value="{sever}">' in page or f'value="{sever}" selected' in page


def test_full_text_search_on_either_database(app, call, ideas):
    lavicka, prechod, zahrada, heliport, budka = ideas
    browser = Browser(app)
    url = f"/lipnice/ideas/calls/{call.id}"
    # In a title, or only in a description; case does not matter.
    assert listed_idea_ids(browser.get(f"{url}?q=lavička")) == ids(lavicka, prechod)
    assert listed_idea_ids(browser.get(f"{url}?q=Lavička")) == ids(lavicka, prechod)
    assert listed_idea_ids(browser.get(f"{url}?q=sousedy")) == ids(zahrada)
    assert listed_idea_ids(browser.get(f"{url}?q=telefonní budce")) == ids(budka)
    response = browser.get(f"{url}?q=lavička&status=accepted")
    assert listed_idea_ids(response) == []
    assert listed_idea_ids(browser.get(f"{url}?q=tajný")) == []  # drafts stay private
    for odd in ("100%", "_", "' OR 1=1 --", "!!!", "&|:*"):
        response = browser.get(url, query_string={"q": odd})
        assert response.status_code == 200, odd
    assert 'value="lavička"' in browser.get(f"{url}?q=lavička").get_data(as_text=True)


def test_the_list_is_paginated(app, call, monkeypatch):
    monkeypatch.setattr(services, "PAGE_SIZE", 4)
    now = utcnow()
    made = [
        make_idea(call, None, title=f"Nápad číslo {n}", submitted_at=now - timedelta(hours=n))
        for n in range(10)
    ]
    browser = Browser(app)
    url = f"/lipnice/ideas/calls/{call.id}"
    pages = [listed_idea_ids(browser.get(f"{url}?page={n}")) for n in (1, 2, 3)]
    assert pages == [ids(*made[0:4]), ids(*made[4:8]), ids(*made[8:10])]
    first = text(browser.get(url))
    assert "10 ideas" in first and "Page 1 of 3" in first
    assert f'href="{url}?page=2"' in first
    # Filters travel with the page links.
    assert f'href="{url}?page=2&amp;sort=supported"' in browser.get(
        f"{url}?sort=supported"
    ).get_data(as_text=True)
    assert listed_idea_ids(browser.get(f"{url}?page=9")) == []
    # A page number that is no page of ours is the first page.
    for odd in (str(2**31), "9" * 20, "1" * 5000, "-2", "²"):
        assert listed_idea_ids(browser.get(f"{url}?page={odd}")) == pages[0], odd


# --- the GeoJSON API ---------------------------------------------------------------------


def test_the_geojson_api_with_a_bounding_box(app, town, other_town, call, ideas):
    lavicka, prechod, zahrada, heliport, budka = ideas
    make_idea(make_call(other_town.municipality), None, lat=IN_STRED[0], lon=IN_STRED[1])
    browser = Browser(app)
    url = f"/api/v1/lipnice/ideas.geojson?call={call.id}"
    response = browser.get(url)
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    data = response.get_json()
    # Located public ideas only, by id.
    assert [f["id"] for f in data["features"]] == ids(lavicka, prechod, zahrada, heliport)
    first = data["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [IN_STRED[1], IN_STRED[0]]}
    assert first["properties"]["title"] == "Lavička u řeky"
    assert first["properties"]["status"] == "collecting"
    assert first["properties"]["supports"] == 4
    assert first["properties"]["url"] == f"/lipnice/ideas/{lavicka.id}"

    sever_box = "14.63,49.42,14.69,49.44"  # minLon,minLat,maxLon,maxLat
    response = browser.get(f"{url}&bbox={sever_box}")
    assert [f["id"] for f in response.get_json()["features"]] == ids(prechod, zahrada)
    response = browser.get(f"{url}&bbox={sever_box}&status=accepted")
    assert [f["id"] for f in response.get_json()["features"]] == ids(zahrada)
    # Without a call: every call of this town, and none of another.
    everything = browser.get("/api/v1/lipnice/ideas.geojson").get_json()
    assert [f["id"] for f in everything["features"]] == ids(lavicka, prechod, zahrada, heliport)


@pytest.mark.parametrize(
    "bbox", ["14.6,49.4,14.7", "a,b,c,d", "14.7,49.4,14.6,49.5", "14,95,15,96", "1,2,3,4,5"]
)
def test_a_bad_bounding_box_is_a_400(app, town, bbox):
    response = Browser(app).get(f"/api/v1/lipnice/ideas.geojson?bbox={bbox}")
    assert response.status_code == 400
    assert "bbox" in response.get_json()["error"]


def test_the_geojson_api_answers_304_while_nothing_changed(app, town, call, ideas):
    browser = Browser(app)
    url = f"/api/v1/lipnice/ideas.geojson?call={call.id}"
    first = browser.get(url)
    etag = first.headers["ETag"]
    assert etag and first.headers["Cache-Control"].startswith("public")
    again = browser.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    assert browser.get(url).get_data() == first.get_data()  # a stable answer
    make_idea(call, None, lat=IN_JIH[0], lon=IN_JIH[1])
    changed = browser.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert Browser(app).get("/api/v1/nowhere/ideas.geojson").status_code == 404


def test_the_map_page_lists_the_same_ideas(app, call, ideas):
    lavicka, prechod, zahrada, heliport, budka = ideas
    response = Browser(app).get(f"/lipnice/ideas/calls/{call.id}/map?status=collecting")
    assert response.status_code == 200
    assert listed_idea_ids(response) == ids(lavicka, budka)
    assert f"/api/v1/lipnice/ideas.geojson?call={call.id}" in text(response)


# --- exports -----------------------------------------------------------------------------


@pytest.fixture
def coordinator(app, town):
    return Browser(app, make_user(municipality=town.municipality, roles=(Role.COORDINATOR,)))


def expected_rows(ideas) -> dict[int, tuple]:
    return {i.id: (i.title, i.lat, i.lon, i.district.name if i.district else "") for i in ideas}


def test_csv_export_holds_every_public_idea_with_its_place(app, call, ideas, coordinator):
    response = coordinator.get(f"/lipnice/ideas/calls/{call.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # Excel reads UTF-8 with a BOM
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    got = {
        int(r["id"]): (
            r["title"],
            float(r["latitude"]) if r["latitude"] else None,
            float(r["longitude"]) if r["longitude"] else None,
            r["district"],
        )
        for r in rows
    }
    assert got == expected_rows(ideas)
    assert {r["status"] for r in rows} == {"collecting", "under_review", "accepted", "rejected"}
    assert rows[0]["category"] == "Zeleň" and rows[0]["supports"] == "4"


def test_xlsx_export_opens_in_a_spreadsheet(app, call, ideas, coordinator):
    response = coordinator.get(f"/lipnice/ideas/calls/{call.id}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert {"id", "title", "latitude", "longitude", "district"} <= set(header)
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    got = {
        r["id"]: (r["title"], r["latitude"], r["longitude"], r["district"] or "") for r in records
    }
    assert got == expected_rows(ideas)


def test_geojson_export_has_a_point_per_placed_idea(app, call, ideas, coordinator):
    response = coordinator.get(f"/lipnice/ideas/calls/{call.id}/export.geojson")
    data = json.loads(response.get_data(as_text=True))
    assert data["type"] == "FeatureCollection"
    got = {}
    for feature in data["features"]:
        props = feature["properties"]
        if feature["geometry"] is not None:
            lon, lat = feature["geometry"]["coordinates"]
            assert (lat, lon) == (props["latitude"], props["longitude"])
        got[feature["id"]] = (
            props["title"],
            props["latitude"],
            props["longitude"],
            props["district"],
        )
    assert got == expected_rows(ideas)


def test_exports_do_not_turn_text_into_formulas(app, call, coordinator):
    title = '=HYPERLINK("http://evil.example/","Klikni")'
    make_idea(
        call, None, title=title, description="+420 777 123 456", lat=IN_STRED[0], lon=IN_STRED[1]
    )
    response = coordinator.get(f"/lipnice/ideas/calls/{call.id}/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [c.value for c in sheet[1]]
    title_cell = sheet.cell(row=2, column=header.index("title") + 1)
    assert title_cell.data_type == "s" and title_cell.value == title
    description = sheet.cell(row=2, column=header.index("description") + 1)
    assert description.data_type == "s" and description.value == "+420 777 123 456"
    body = coordinator.get(f"/lipnice/ideas/calls/{call.id}/export.csv").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(body[1:])))
    # A leading apostrophe keeps spreadsheets from running it; the text stays readable.
    assert row["title"] == "'" + title
    assert row["description"] == "'+420 777 123 456"


def test_a_hidden_idea_is_exported_without_its_text(app, call, ideas, coordinator):
    lavicka = ideas[0]
    lavicka.hidden_at = utcnow()
    lavicka.hidden_reason = "Spam"
    db.session.flush()
    body = coordinator.get(f"/lipnice/ideas/calls/{call.id}/export.csv").get_data(as_text=True)
    row = next(r for r in csv.DictReader(io.StringIO(body[1:])) if r["id"] == str(lavicka.id))
    assert row["hidden"] == "True" and row["description"] == ""


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.MODERATOR, Role.REVIEWER])
def test_exports_are_for_coordinators_and_admins_only(app, town, call, ideas, role):
    user = make_user(municipality=town.municipality, roles=(role,)) if role else None
    browser = Browser(app, user)
    for fmt in ("csv", "xlsx", "geojson"):
        response = browser.get(f"/lipnice/ideas/calls/{call.id}/export.{fmt}")
        assert response.status_code == (302 if user is None else 403), (role, fmt)


def test_an_unknown_export_format_is_not_found(app, call, coordinator):
    assert coordinator.get(f"/lipnice/ideas/calls/{call.id}/export.pdf").status_code == 404


# --- a person's data ---------------------------------------------------------------------


def test_download_my_data_includes_my_ideas_comments_and_supports(app, call, ideas):
    me = make_user()
    mine = make_idea(call, me, title="Můj nápad", lat=IN_JIH[0], lon=IN_JIH[1])
    draft = make_idea(call, me, title="Můj koncept", status=IdeaStatus.DRAFT)
    db.session.add_all(
        [
            Comment(idea_id=ideas[0].id, author_id=me.id, body="Můj komentář"),
            Support(idea_id=ideas[0].id, user_id=me.id),
        ]
    )
    db.session.flush()
    response = Browser(app, me).get("/account/export")
    data = json.loads(response.get_data(as_text=True))
    by_id = {i["id"]: i for i in data["ideas"]}
    assert set(by_id) == {mine.id, draft.id}
    assert by_id[mine.id]["title"] == "Můj nápad"
    assert (by_id[mine.id]["latitude"], by_id[mine.id]["longitude"]) == IN_JIH
    assert by_id[draft.id]["status"] == "draft"
    assert [c["body"] for c in data["idea_comments"]] == ["Můj komentář"]
    assert data["idea_supports"] == [ideas[0].id]


def test_a_deleted_account_leaves_its_ideas_without_the_author(app, call, ideas, uploads):
    me = make_user(name="Jana Nováková")
    mine = make_idea(call, me, title="Můj nápad")
    browser = Browser(app, me)
    browser.post(
        f"/lipnice/ideas/calls/{call.id}/submit",
        {
            "title": "Můj koncept",
            "description": "Zatím jen pro mě.",
            "save_draft": "1",
            "images": [(io.BytesIO(png_with_text()), "zahrada.png")],
        },
    )
    draft = db.session.scalar(select(Idea).where(Idea.title == "Můj koncept"))
    assert draft.author_id == me.id and len(list(uploads.iterdir())) == 2
    comment = Comment(idea_id=ideas[0].id, author_id=me.id, body="Můj komentář")
    db.session.add_all(
        [
            comment,
            Follow(idea_id=mine.id, user_id=me.id),
            Support(idea_id=ideas[0].id, user_id=me.id),
        ]
    )
    db.session.flush()
    draft_id = draft.id
    response = browser.post("/account/delete", {"password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert mine.author_id is None and mine.title == "Můj nápad"
    # The private draft goes, with its photo.
    assert db.session.get(Idea, draft_id) is None
    assert list(uploads.iterdir()) == []
    assert comment.author_id is None and comment.body == "Můj komentář"
    assert db.session.scalar(select(Follow).where(Follow.user_id == me.id)) is None
    page = Browser(app).page(f"/lipnice/ideas/{mine.id}")
    assert "deleted account" in page and "Jana Nováková" not in page
    assert "Můj komentář" in Browser(app).page(f"/lipnice/ideas/{ideas[0].id}")

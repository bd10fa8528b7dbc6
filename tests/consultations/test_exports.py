"""Downloads of a consultation's responses: CSV, XLSX with a codebook, GeoJSON of places."""

from __future__ import annotations

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from participation.consultations import services as s
from participation.consultations.rules import Kind
from participation.core.models import Role
from tests.consultations.test_results import FORMULA, answered_survey, closed
from tests.factories import make_user
from tests.ideas.helpers import IN_JIH, IN_STRED, Browser


@pytest.fixture
def coordinator(town):
    return make_user(
        municipality=town.municipality, roles=(Role.COORDINATOR,), name="Karla Koordinátorová"
    )


@pytest.fixture
def resident(town):
    return make_user(municipality=town.municipality, roles=(Role.RESIDENT,), name="Rosa Rezková")


@pytest.fixture
def survey(town, coordinator, resident):
    return answered_survey(town, coordinator, resident)


def export(app, user, c, fmt):
    response = Browser(app, user).get(f"/lipnice/consultations/{c.id}/export.{fmt}")
    assert response.status_code == 200, response.status_code
    assert "attachment" in response.headers["Content-Disposition"]
    return response


def csv_rows(response) -> list[dict]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")  # spreadsheets read UTF-8 with a BOM
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_csv_has_one_row_per_submitted_response(app, survey, coordinator):
    c, qs = survey
    rows = csv_rows(export(app, coordinator, c, "csv"))
    assert len(rows) == 3  # the unfinished response is not there
    assert [r["channel"] for r in rows] == ["online", "online", "paper"]
    online, anonymous, paper = rows
    assert online["entered_by"] == "" and paper["entered_by"] == coordinator.display_name
    assert paper["paper_reference"] == "P-7"
    n = {kind: i for i, kind in enumerate(Kind, start=1)}
    assert online[f"q{n[Kind.SINGLE]}"] == "A"
    assert online[f"q{n[Kind.MULTIPLE]}"] == "A; B"
    assert online[f"q{n[Kind.RANKING]}"] == "1. B; 2. A; 3. C"
    assert online[f"q{n[Kind.SHORT_TEXT]}"] == "Víc laviček"
    assert online[f"q{n[Kind.SCALE]}"] == "4"
    assert online[f"q{n[Kind.NUMBER]}"] == "10" and paper[f"q{n[Kind.NUMBER]}"] == "3.5"
    assert online[f"q{n[Kind.YES_NO]}"] == "yes" and anonymous[f"q{n[Kind.YES_NO]}"] == "no"
    assert online[f"q{n[Kind.DATE]}"] == "2026-05-03"
    point = n[Kind.POINT]
    assert (float(online[f"q{point}_lat"]), float(online[f"q{point}_lon"])) == IN_STRED
    assert online[f"q{point}_district"] == "Střed"
    assert anonymous[f"q{point}_district"] == "Jih" and anonymous[f"q{n[Kind.LONG_TEXT]}"] == ""
    # No names or emails of respondents.
    assert "Rosa" not in "".join("".join(r.values()) for r in rows)


def test_formula_like_answers_are_made_inert(app, survey, coordinator):
    c, _qs = survey
    n = list(Kind).index(Kind.LONG_TEXT) + 1
    rows = csv_rows(export(app, coordinator, c, "csv"))
    assert rows[0][f"q{n}"] == "'" + FORMULA
    sheet = load_workbook(io.BytesIO(export(app, coordinator, c, "xlsx").get_data()))["responses"]
    header = [cell.value for cell in sheet[1]]
    cell = sheet.cell(row=2, column=header.index(f"q{n}") + 1)
    assert cell.data_type == "s" and cell.value == FORMULA


def test_xlsx_has_the_responses_and_a_codebook(app, survey, coordinator):
    c, qs = survey
    book = load_workbook(io.BytesIO(export(app, coordinator, c, "xlsx").get_data()))
    assert book.sheetnames == ["responses", "codebook"]
    responses = list(book["responses"].iter_rows(values_only=True))
    assert len(responses) == 1 + 3
    codebook = list(book["codebook"].iter_rows(values_only=True))
    assert codebook[0] == ("column", "question", "kind", "options", "required", "condition")
    entries = {row[0]: row for row in codebook[1:]}
    n = {kind: i for i, kind in enumerate(Kind, start=1)}
    single = qs[Kind.SINGLE]
    assert entries[f"q{n[Kind.SINGLE]}"][1:5] == (
        single.text,
        "single",
        "; ".join(f"{o.id}: {o.label}" for o in single.options),
        "no",
    )
    assert entries[f"q{n[Kind.POINT]}_district"][2] == "point"
    assert set(entries) == set(responses[0])  # every column is explained


def test_the_codebook_says_when_a_question_is_shown(app, town, coordinator):
    from tests.factories import make_consultation, make_survey

    c = make_consultation(town.municipality, by=coordinator)
    yes_no = make_survey(c, kinds=(Kind.YES_NO,))[Kind.YES_NO]
    section = c.sections[0]
    s.add_question(
        section,
        kind=Kind.SHORT_TEXT,
        text="Proč?",
        condition_question_id=yes_no.id,
        condition_value="yes",
    )
    book = load_workbook(io.BytesIO(export(app, coordinator, c, "xlsx").get_data()))
    entries = {row[0]: row for row in book["codebook"].iter_rows(values_only=True)}
    assert entries["q2"][5] == "shown when q1 is “yes”"
    assert entries["q1"][3] == "yes; no"


def test_geojson_has_the_places_and_nothing_about_people(app, survey, coordinator, resident):
    c, _qs = survey
    url = f"/lipnice/consultations/{c.id}/points.geojson"
    assert Browser(app, resident).get(url).status_code == 403  # open: staff only
    data = json.loads(Browser(app, coordinator).get(url).get_data(as_text=True))
    assert data["type"] == "FeatureCollection"
    places = sorted(tuple(reversed(f["geometry"]["coordinates"])) for f in data["features"])
    assert places == sorted([IN_STRED, IN_STRED, IN_JIH])
    for feature in data["features"]:
        assert set(feature["properties"]) == {
            "question",
            "question_text",
            "district",
            "latitude",
            "longitude",
        }
        assert feature["id"] is None
    closed(c)
    public = Browser(app).get(url)
    assert public.status_code == 200 and public.mimetype == "application/geo+json"


@pytest.mark.parametrize("role", [None, Role.RESIDENT, Role.MODERATOR, Role.REVIEWER])
def test_exports_are_for_coordinators_and_admins_only(app, town, survey, role):
    c, _qs = survey
    closed(c)
    user = make_user(municipality=town.municipality, roles=(role,)) if role else None
    for fmt in ("csv", "xlsx"):
        response = Browser(app, user).get(f"/lipnice/consultations/{c.id}/export.{fmt}")
        assert response.status_code == (302 if user is None else 403), (role, fmt)


def test_an_unknown_export_format_or_another_town_is_not_found(
    app, survey, coordinator, other_town
):
    c, _qs = survey
    browser = Browser(app, coordinator)
    assert browser.get(f"/lipnice/consultations/{c.id}/export.pdf").status_code == 404
    assert browser.get(f"/jinde/consultations/{c.id}/export.csv").status_code == 404

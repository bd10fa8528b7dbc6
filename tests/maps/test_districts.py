"""Districts on both databases: import, the locator on real boundaries, the API, the pages."""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest
from shapely.geometry import Point
from sqlalchemy import Integer, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from participation.core.models import Role
from participation.extensions import db
from participation.maps import geometry, services
from participation.maps.models import District, Located, MunicipalityBoundary
from tests.conftest import Auth, csrf_token
from tests.factories import make_municipality, make_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "districts"


def load(name: str, **options) -> geometry.ParsedDistricts:
    return geometry.parse_districts((FIXTURES / f"{name}.geojson").read_bytes(), "name", **options)


def test_import_stores_every_district_and_the_locator_agrees_with_shapely(app):
    praha = make_municipality(slug="praha")
    report = services.import_districts(praha, load("prague-mestske-casti"))
    assert len(report.created) == 57 and report.updated == [] and report.repairs == []
    districts = services.districts_of(praha)
    assert len(districts) == 57
    by_id = {d.id: d.boundary for d in districts}

    rng = random.Random(2026)
    min_x, min_y, max_x, max_y = services.municipality_boundary(praha).bounds
    points = [(rng.uniform(min_y, max_y), rng.uniform(min_x, max_x)) for _ in range(2000)]
    expected = [
        min((i for i, shape in by_id.items() if shape.covers(Point(lon, lat))), default=None)
        for lat, lon in points
    ]
    assert services.locate_many(praha, points) == expected
    for (lat, lon), want in list(zip(points, expected, strict=True))[:200]:
        found = services.locate(praha, lat, lon)
        assert (found.id if found else None) == want
        assert services.contains(praha, lat, lon) is (want is not None)


def test_krakow_imports_with_its_repair_reported(app):
    krakow = make_municipality(slug="krakow")
    report = services.import_districts(krakow, load("krakow-districts"))
    assert len(report.created) == 18
    assert len(report.repairs) == 1 and "Podgórze" in report.repairs[0]
    podgorze = db.session.scalar(select(District).where(District.name == "Podgórze"))
    assert podgorze.boundary.is_valid


def test_a_form_value_names_a_district_of_this_municipality_only(app):
    krakow = make_municipality(slug="krakow")
    services.import_districts(krakow, load("krakow-districts"))
    praha = make_municipality(slug="praha")
    services.import_districts(praha, load("prague-mestske-casti"))
    podgorze = db.session.scalar(select(District).where(District.name == "Podgórze"))
    assert services.district_of(krakow, str(podgorze.id)) is podgorze
    # Another town's district, no district, and values that are not an id: none.
    assert services.district_of(praha, str(podgorze.id)) is None
    for value in (None, "", " 1", "-1", "1.0", "²", "9" * 20, str(2**63 - 1)):
        assert services.district_of(krakow, value) is None


def test_warsaw_whole_city_feature_becomes_the_boundary(app):
    warszawa = make_municipality(slug="warszawa")
    services.import_districts(warszawa, load("warszawa-dzielnice", municipality_feature="Warszawa"))
    assert len(services.districts_of(warszawa)) == 18
    own = db.session.get(MunicipalityBoundary, warszawa.id)
    assert own is not None and own.source == "imported"
    # A point in the Vistula between districts is still inside the city's own boundary.
    center = own.boundary.representative_point()
    assert services.contains(warszawa, center.y, center.x)


def test_a_refused_file_changes_nothing(app):
    town = make_municipality()
    services.import_districts(town, load("krakow-districts"))
    before = {d.name: d.boundary.wkb for d in services.districts_of(town)}
    with pytest.raises(services.ImportRefused) as refused:
        services.import_districts(town, load("warszawa-dzielnice"), replace=True)
    assert any("Warszawa" in message and "Ursynów" in message for message in refused.value.messages)
    assert {d.name: d.boundary.wkb for d in services.districts_of(town)} == before


def test_import_updates_by_name_and_replace_removes_the_rest(app):
    town = make_municipality()
    services.import_districts(town, load("krakow-districts"))
    subset = load("krakow-districts")
    subset.districts = subset.districts[:3]
    report = services.import_districts(town, subset)
    assert len(report.updated) == 3 and report.created == [] and report.removed == []
    assert len(services.districts_of(town)) == 18
    report = services.import_districts(town, subset, replace=True)
    assert len(report.removed) == 15
    assert len(services.districts_of(town)) == 3


class _TestBase(DeclarativeBase):
    pass


class Spot(Located, _TestBase):
    """A located thing for this test only; ideas and projects are the real ones."""

    __tablename__ = "test_spot"
    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int | None] = mapped_column(Integer)  # no FK across metadata


Located.LOCATED_MODELS.remove(Spot)  # only while the test below runs


@pytest.fixture
def spots(app):
    Spot.__table__.create(db.session.connection())
    Located.LOCATED_MODELS.append(Spot)
    yield Spot
    Located.LOCATED_MODELS.remove(Spot)


def test_after_an_import_every_point_is_assigned_again(app, spots):
    town = make_municipality()
    inside = [(50.05, 19.94), (50.03, 19.90), (50.08, 20.03)]
    for lat, lon in [*inside, (51.0, 21.0)]:
        db.session.add(Spot(municipality_id=town.id, lat=lat, lon=lon))
    db.session.flush()
    report = services.import_districts(town, load("krakow-districts"))
    assert report.points_reassigned == 4
    rows = db.session.execute(select(Spot.lat, Spot.lon, Spot.district_id)).all()
    db.session.expire_all()
    located = {
        (lat, lon): district
        for lat, lon, district in db.session.execute(
            select(Spot.lat, Spot.lon, Spot.district_id)
        ).all()
    }
    for lat, lon in inside:
        expected = services.locate(town, lat, lon)
        assert expected is not None and located[(lat, lon)] == expected.id
    assert located[(51.0, 21.0)] is None
    assert len(rows) == 4


def test_cli_imports_and_refuses_with_messages(app, runner, tmp_path):
    make_municipality(slug="krakow")
    result = runner.invoke(
        args=[
            "maps",
            "import-districts",
            "krakow",
            str(FIXTURES / "krakow-districts.geojson"),
            "--name-property",
            "name",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "18 created" in result.output and "Podgórze" in result.output
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"nazev": "X"},
                        "geometry": {
                            "type": "Polygon",
                            "coordinates": [[[19, 50], [19.1, 50], [19.1, 50.1], [19, 50]]],
                        },
                    }
                ],
            }
        )
    )
    refused = runner.invoke(
        args=[
            "maps",
            "import-districts",
            "krakow",
            str(bad),
            "--name-property",
            "name",
            "--replace",
        ]
    )
    assert refused.exit_code != 0
    assert "1" in refused.output and "name" in refused.output and "nazev" in refused.output
    assert "Nothing was imported." in refused.output
    assert (
        runner.invoke(
            args=["maps", "import-districts", "nowhere", str(bad), "--name-property", "name"]
        ).exit_code
        != 0
    )


def test_districts_geojson_api_with_etag_and_gzip(app, client):
    town = make_municipality(slug="krakow")
    services.import_districts(town, load("krakow-districts"))
    response = client.get("/api/v1/krakow/districts.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    assert response.headers["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(response.data))
    assert len(data["features"]) == 18
    assert {f["properties"]["name"] for f in data["features"]} >= {"Podgórze", "Zwierzyniec"}
    again = client.get(
        "/api/v1/krakow/districts.geojson", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/api/v1/nowhere/districts.geojson").status_code == 404


def test_district_pages_show_the_figures_in_a_table(app, client):
    town = make_municipality(slug="lipnice")
    parsed = load("krakow-districts")
    for i, district in enumerate(parsed.districts):
        district.population = 1000 + i
    services.import_districts(town, parsed)
    html = client.get("/lipnice/districts/").get_data(as_text=True)
    assert "Podgórze" in html and "1,004" in html or "1004" in html
    assert "folium-map" in html and "leaflet.js" in html
    assert (
        "cdn" not in html.lower()
        and 'src="http' not in html
        and 'href="http' not in html.split("leaflet-attribution")[0]
    )
    empty = make_municipality(slug="prazdna")
    assert "has no districts yet" in client.get(f"/{empty.slug}/districts/").get_data(as_text=True)


def test_find_a_district_without_javascript(app, client):
    town = make_municipality(slug="krakow", name="Kraków")
    services.import_districts(town, load("krakow-districts"))
    token = csrf_token(client, "/krakow/districts/find")
    podgorze = db.session.scalar(select(District).where(District.name == "Podgórze"))
    point = podgorze.boundary.representative_point()
    found = client.post(
        "/krakow/districts/find",
        data={"lat": f"{point.y:.6f}", "lon": f"{point.x:.6f}", "csrf_token": token},
    )
    assert "The place is in the district Podgórze." in found.get_data(as_text=True)
    outside = client.post(
        "/krakow/districts/find", data={"lat": "50.5", "lon": "14.0", "csrf_token": token}
    )
    html = outside.get_data(as_text=True)
    assert "This place is outside Kraków" in html and 'value="50.5"' in html
    half = client.post("/krakow/districts/find", data={"lat": "50.05", "csrf_token": token})
    assert "Give both latitude and longitude" in half.get_data(as_text=True)
    nothing = client.post("/krakow/districts/find", data={"csrf_token": token})
    assert "type the latitude and longitude" in nothing.get_data(as_text=True)


ADMIN_PAGES = ["/lipnice/admin/districts/import", "/lipnice/admin/districts/boundary"]


@pytest.mark.parametrize(
    "role, expected",
    [
        (None, 302),
        (Role.RESIDENT, 403),
        (Role.COORDINATOR, 403),
        (Role.MODERATOR, 403),
        (Role.REVIEWER, 403),
        (Role.ADMIN, 200),
        ("other_admin", 403),
    ],
)
def test_district_admin_pages_by_role(app, client, role, expected):
    town = make_municipality(slug="lipnice")
    other = make_municipality(slug="jinde")
    if role == "other_admin":
        Auth(client).login(make_user(municipality=other, roles=(Role.ADMIN,)).email)
    elif role is not None:
        Auth(client).login(make_user(municipality=town, roles=(role,)).email)
    for url in ADMIN_PAGES:
        assert client.get(url).status_code == expected, (role, url)


def test_admin_imports_through_preview_and_confirm(app, client, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    town = make_municipality(slug="krakow")
    Auth(client).login(make_user(municipality=town, roles=(Role.ADMIN,)).email)
    token = csrf_token(client, "/krakow/admin/districts/import")
    # Compact JSON keeps the upload under the test client's 500 kB temporary-file limit,
    # whose file the test client never closes.
    compact = json.loads((FIXTURES / "krakow-districts.geojson").read_bytes())
    data = json.dumps(compact, separators=(",", ":")).encode()
    preview = client.post(
        "/krakow/admin/districts/import",
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(data), "krakow.geojson"),
            "name_property": "name",
            "csrf_token": token,
        },
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Save these districts" in html
    assert "Podgórze" in html and "was repaired" in html
    assert services.districts_of(town) == []  # nothing saved before the confirmation
    confirm_token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
    saved = client.post(
        "/krakow/admin/districts/import/confirm",
        data={"token": confirm_token, "name_property": "name", "csrf_token": token},
    )
    assert saved.headers["Location"] == "/krakow/districts/"
    assert len(services.districts_of(town)) == 18
    # The file is gone: confirming twice does not import again.
    again = client.post(
        "/krakow/admin/districts/import/confirm",
        data={"token": confirm_token, "name_property": "name", "csrf_token": token},
        follow_redirects=True,
    )
    assert "no longer here" in again.get_data(as_text=True)


def test_admin_import_problems_are_shown_and_nothing_changes(app, client, tmp_path):
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    town = make_municipality(slug="krakow")
    Auth(client).login(make_user(municipality=town, roles=(Role.ADMIN,)).email)
    token = csrf_token(client, "/krakow/admin/districts/import")
    response = client.post(
        "/krakow/admin/districts/import",
        content_type="multipart/form-data",
        data={
            "file": (io.BytesIO(b"<html>not geojson</html>"), "x.geojson"),
            "name_property": "nazev",
            "code_property": "kod",
            "csrf_token": token,
        },
    )
    html = response.get_data(as_text=True)
    assert "The file is not JSON" in html and "Nothing was changed" in html
    assert 'value="nazev"' in html and 'value="kod"' in html
    assert services.districts_of(town) == []
    # Another town's token cannot be confirmed here.
    other = make_municipality(slug="jinde")
    forged = client.post(
        "/krakow/admin/districts/import/confirm",
        data={"token": f"{other.id}-abc", "name_property": "name", "csrf_token": token},
    )
    assert forged.status_code == 404


def test_admin_draws_or_pastes_the_boundary(app, client):
    town = make_municipality(slug="lipnice")
    Auth(client).login(make_user(municipality=town, roles=(Role.ADMIN,)).email)
    token = csrf_token(client, "/lipnice/admin/districts/boundary")
    area = {
        "type": "Polygon",
        "coordinates": [[[14.6, 49.4], [14.7, 49.4], [14.7, 49.45], [14.6, 49.4]]],
    }
    saved = client.post(
        "/lipnice/admin/districts/boundary", data={"area": json.dumps(area), "csrf_token": token}
    )
    assert saved.status_code == 302
    own = db.session.get(MunicipalityBoundary, town.id)
    assert own.source == "drawn" and own.boundary.geom_type == "MultiPolygon"
    assert services.contains(town, 49.41, 14.68) and not services.contains(town, 49.44, 14.61)
    page = client.get("/lipnice/admin/districts/boundary").get_data(as_text=True)
    assert "MultiPolygon" in page  # the saved boundary is in the form again
    bad = client.post(
        "/lipnice/admin/districts/boundary", data={"area": "{not json", "csrf_token": token}
    )
    assert "This is not a GeoJSON polygon." in bad.get_data(as_text=True)
    client.post("/lipnice/admin/districts/boundary", data={"area": "", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(MunicipalityBoundary, town.id) is None


def test_find_without_a_place_asks_for_one_at_the_coordinates(app, client):
    make_municipality(slug="lipnice")
    token = csrf_token(client, "/lipnice/districts/find")
    html = client.post("/lipnice/districts/find", data={"csrf_token": token}).get_data(as_text=True)
    assert "Click the map, or type the latitude and longitude." in html
    assert 'href="#lat"' in html

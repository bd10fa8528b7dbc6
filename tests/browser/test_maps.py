"""The district pages in Chromium: the choropleth, the location picker (with the mouse, the
keyboard and without JavaScript), the district import with its preview, and drawing the
municipality boundary; every map page passes axe-core in Czech and in Polish and loads
nothing from any host but ours and the tile server."""

from __future__ import annotations

import base64
import json
import re

import pytest
from playwright.sync_api import expect
from shapely.geometry import Point, Polygon

from participation.maps import colours
from participation.maps.demo import DEMO_DISTRICTS
from tests.browser.helpers import log_in, make_municipality, other_hosts
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser

TILE_HOST = "https://tile.openstreetmap.org"
# A 1 x 1 transparent PNG: every tile, so that nothing waits for a network there is none of.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII="
)
LANGUAGES = {"cs": "Čeština", "pl": "Polski"}
TOWN = "Lipová nad Lužnicí"
PICKER = re.compile(r"^Map: click to mark the place")

# A sixth district just east of the demo town, for the import.
EXTRA_DISTRICT = (
    "Za Lužnicí",
    "06",
    1200,
    [(14.690, 49.392), (14.705, 49.392), (14.705, 49.440), (14.690, 49.440)],
)


# --- helpers -------------------------------------------------------------------------------


def serve_tiles(context) -> None:
    context.route(
        f"{TILE_HOST}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE_PNG),
    )


def track_requests(page) -> None:
    """Keep the requests still under way, of every tab of the page's context, in
    ``page.in_flight``."""
    page.in_flight = set()
    page.context.on("request", lambda request: page.in_flight.add(request))
    page.context.on("requestfinished", lambda request: page.in_flight.discard(request))
    page.context.on("requestfailed", lambda request: page.in_flight.discard(request))


def settle(page, limit_ms: int = 3000) -> None:
    """Wait until no request is under way. A context closed while the live server still sends
    a static file leaves werkzeug with an unclosed file: a ResourceWarning in a later test."""
    for _ in range(limit_ms // 25):
        if not page.in_flight:
            return
        page.wait_for_timeout(25)


@pytest.fixture
def map_page(page):
    """The conftest page, with the tile server answered locally."""
    serve_tiles(page.context)
    track_requests(page)
    yield page
    settle(page)
    page.context.unroute_all(behavior="ignoreErrors")


@pytest.fixture
def no_js_page(chromium, live_server):
    """A page of a browser with JavaScript switched off."""
    context = chromium.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    serve_tiles(context)
    pg = context.new_page()
    pg.requested_urls = []
    pg.on("request", lambda request: pg.requested_urls.append(request.url))
    track_requests(pg)
    yield pg
    settle(pg)
    context.unroute_all(behavior="ignoreErrors")
    context.close()


def foreign_requests(page, base_url: str) -> list[str]:
    """Requests to hosts other than ours, the tile server excepted (no CDN, nothing else)."""
    return [url for url in other_hosts(page, base_url) if not url.startswith(TILE_HOST + "/")]


def assert_only_our_host_and_tiles(page, base_url: str) -> None:
    assert foreign_requests(page, base_url) == []


def district_at(lat: float, lon: float, districts=DEMO_DISTRICTS) -> str | None:
    for name, _code, _population, ring in districts:
        if Polygon(ring).covers(Point(lon, lat)):
            return name
    return None


def geojson_file(features, name: str = "districts.geojson") -> dict:
    data = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    return {"name": name, "mimeType": "application/geo+json", "buffer": data}


def district_features(districts) -> list[dict]:
    return [
        {
            "type": "Feature",
            "properties": {"name": name, "code": code, "population": population},
            "geometry": {"type": "Polygon", "coordinates": [[*map(list, ring), list(ring[0])]]},
        }
        for name, code, population, ring in districts
    ]


def the_map(page):
    return page.locator(".leaflet-container")


def inputs_of(page) -> tuple[float, float]:
    lat = page.get_by_label("Latitude").input_value()
    lon = page.get_by_label("Longitude").input_value()
    return float(lat), float(lon)


def click_in_map(page, fx: float, fy: float) -> None:
    """Click the map at a fraction of its width and height."""
    box = the_map(page).bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def screen_point(page, lat: float, lon: float) -> tuple[float, float]:
    """Where a place is on the screen: what a person sees on the map, in pixels."""
    point = the_map(page).evaluate("(e, ll) => window[e.id].latLngToContainerPoint(ll)", [lat, lon])
    box = the_map(page).bounding_box()
    return box["x"] + point["x"], box["y"] + point["y"]


def focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 40) -> list[str]:
    """Press Tab until the focus is on ``selector``; the path taken, for the message."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        path.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim()"
                ".slice(0, 30); }"
            )
        )
        if focused(page, selector):
            return path
    raise AssertionError(f"Tab never reached {selector}; it went: {path}")


# --- the choropleth --------------------------------------------------------------------------


def test_the_districts_page_shows_residents_on_a_map_and_in_a_table(map_page, live_server):
    page = map_page
    page.goto("/demo/districts/")
    populations = {name: population for name, _code, population, _ring in DEMO_DISTRICTS}

    region = page.get_by_role("region", name="Map of the districts by number of residents")
    expect(region).to_be_visible()
    # One filled shape per district, coloured by its class as colours.py computes it.
    breaks = colours.class_breaks(list(populations.values()))
    shapes = region.locator(".leaflet-overlay-pane path.leaflet-interactive")
    expect(shapes).to_have_count(len(DEMO_DISTRICTS))
    fills = sorted(shapes.evaluate_all("ps => ps.map(p => p.getAttribute('fill'))"))
    assert fills == sorted(colours.colour_for(v, breaks) for v in populations.values())

    # Hovering a district names it with its figure (the centre of the map is Střed).
    box = region.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text("Střed")
    expect(tooltip).to_contain_text(str(populations["Střed"]))

    # The legend: its title, each class with the swatch colour of the map, and "no data".
    legend = page.locator(".map-legend")
    expect(legend.locator(".legend-title")).to_have_text("Residents")
    items = legend.get_by_role("listitem")
    expected = colours.legend(breaks)
    expect(items).to_have_count(len(expected) + 1)
    for item, (position, text) in zip(items.all(), expected, strict=False):
        expect(item).to_have_text(text)
        swatch = item.locator(".swatch").evaluate("e => getComputedStyle(e).backgroundColor")
        hex_colour = colours.PALETTE[position]
        rgb = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        assert swatch == f"rgb({rgb[0]}, {rgb[1]}, {rgb[2]})", f"legend {text}: {swatch}"
    expect(items.last).to_have_text("no data")

    # The same figures in a table, with the total.
    table = page.get_by_role("table", name="Residents by district")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(DEMO_DISTRICTS))
    shown = {
        row.get_by_role("rowheader").inner_text(): row.get_by_role("cell").last.inner_text()
        for row in rows.all()
    }
    assert shown == {name: f"{n:,}" for name, n in populations.items()}
    expect(table.locator("tfoot")).to_contain_text(f"{sum(populations.values()):,}")

    assert any(url.startswith(TILE_HOST + "/") for url in page.requested_urls)
    assert_only_our_host_and_tiles(page, live_server.url)


# --- the location picker -------------------------------------------------------------------


def test_clicking_the_map_marks_a_draggable_place_and_finds_its_district(map_page, live_server):
    page = map_page
    page.goto("/demo/districts/find")
    region = page.get_by_role("region", name=PICKER)
    expect(region).to_be_visible()
    expect(page.get_by_label("Latitude")).to_have_value("")

    # A click puts the marker there and writes the place into the form.
    click_in_map(page, 0.5, 0.5)
    marker = page.get_by_role("button", name="The marked place")
    expect(marker).to_be_visible()
    expect(page.get_by_label("Latitude")).not_to_have_value("")
    lat, lon = inputs_of(page)
    assert district_at(lat, lon) == "Střed", (lat, lon)
    expect(page.locator("#picker-status")).to_have_text(f"Place marked at {lat:.5f}, {lon:.5f}.")

    # Dragging the marker north, into Sever, writes the new place. (The marker's tip is
    # the place: grab the icon where it is drawn, above the tip.)
    x, y = screen_point(page, lat, lon)
    to_x, to_y = screen_point(page, 49.430, lon)
    page.mouse.move(x, y - 10)
    page.mouse.down()
    page.mouse.move(to_x, to_y - 10, steps=8)
    page.mouse.up()
    expect(page.get_by_label("Latitude")).not_to_have_value(f"{lat:.6f}")
    dragged_lat, dragged_lon = inputs_of(page)
    assert dragged_lat > lat
    assert district_at(dragged_lat, dragged_lon) == "Sever", (dragged_lat, dragged_lon)

    page.get_by_role("button", name="Find the district").click()
    expect(page.get_by_role("status").filter(has_text="The place is in")).to_have_text(
        "The place is in the district Sever."
    )
    # The place stays marked on the map after the answer.
    assert inputs_of(page) == (dragged_lat, dragged_lon)
    expect(page.get_by_role("button", name="The marked place")).to_be_visible()
    assert_only_our_host_and_tiles(page, live_server.url)


def test_the_picker_works_from_the_keyboard_alone(map_page, live_server):
    page = map_page
    page.goto("/demo/districts/find")
    expect(page.get_by_role("region", name=PICKER)).to_be_visible()

    tab_to(page, ".leaflet-container")
    expect(page.get_by_role("region", name=PICKER)).to_be_focused()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused map shows no focus outline"
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="The marked place")).to_be_visible()
    lat, lon = inputs_of(page)
    centre = district_at(lat, lon)
    assert centre == "Střed", (lat, lon)

    tab_to(page, "main button[type=submit]")
    expect(page.get_by_role("button", name="Find the district")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"The place is in the district {centre}.")).to_be_visible()
    assert inputs_of(page) == (lat, lon)
    assert_only_our_host_and_tiles(page, live_server.url)


def test_a_place_outside_the_town_is_refused_and_kept(map_page, live_server):
    page = map_page
    page.goto("/demo/districts/find")
    page.get_by_label("Latitude").fill("50.0")
    page.get_by_label("Longitude").fill("14.0")
    page.get_by_role("button", name="Find the district").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"This place is outside {TOWN}")
    expect(page.get_by_label("Latitude")).to_have_attribute("aria-invalid", "true")
    # The typed place is kept (the map writes it back with six decimals) and marked.
    assert inputs_of(page) == (50.0, 14.0)
    expect(page.get_by_role("button", name="The marked place")).to_be_visible()
    expect(page.get_by_text("The place is in the district")).to_have_count(0)
    # The summary's link leads to the field.
    alert.get_by_role("link").first.click()
    expect(page.get_by_label("Latitude")).to_be_focused()
    assert_only_our_host_and_tiles(page, live_server.url)


def test_finding_a_district_works_without_javascript(no_js_page, live_server):
    page = no_js_page
    page.goto("/demo/districts/find")
    expect(page.locator(".leaflet-container")).to_have_count(0)
    # Jih: the south of the town.
    page.get_by_label("Latitude").fill("49.40")
    page.get_by_label("Longitude").fill("14.66")
    page.get_by_role("button", name="Find the district").click()
    expect(page.get_by_text("The place is in the district Jih.")).to_be_visible()
    assert inputs_of(page) == (49.40, 14.66)

    page.get_by_label("Latitude").fill("50.0")
    page.get_by_label("Longitude").fill("14.0")
    page.get_by_role("button", name="Find the district").click()
    expect(page.get_by_role("alert")).to_contain_text(f"This place is outside {TOWN}")
    assert inputs_of(page) == (50.0, 14.0)
    assert axe_violations_without_js(page) == []
    assert_only_our_host_and_tiles(page, live_server.url)


def axe_violations_without_js(page) -> list[dict]:
    """axe-core needs JavaScript: run it on this page's HTML, with its styles and without its
    scripts, in a browser that has JavaScript; that is the page a no-JS browser shows."""
    html = page.content()
    context = page.context.browser.new_context(base_url=page.url)
    try:
        other = context.new_page()

        def answer(route):
            kind = route.request.resource_type
            if kind == "document":
                route.fulfill(status=200, body=html, content_type="text/html")
            elif kind == "script":
                route.abort()
            else:
                route.continue_()

        other.route("**/*", answer)
        track_requests(other)
        other.goto(page.url)
        found = axe_violations(other)
        settle(other)
        return found
    finally:
        context.close()


# --- importing districts --------------------------------------------------------------------


def test_importing_districts_shows_a_preview_and_saves_only_when_asked(
    map_page, browser_app, live_server
):
    page = map_page
    slug, admin = make_municipality(browser_app, "import")
    log_in(page, admin)
    page.goto(f"/{slug}/admin/districts/import")
    expect(page.get_by_label("Property with the district name")).to_have_value("name")
    check = page.get_by_role("button", name="Check and preview")

    # Not GeoJSON at all.
    page.get_by_label("GeoJSON file").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"These are not districts."}
    )
    check.click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was changed")
    expect(page.get_by_role("alert")).to_contain_text("The file is not JSON")

    # JSON, but not GeoJSON.
    page.get_by_label("GeoJSON file").set_input_files(
        {"name": "x.json", "mimeType": "application/json", "buffer": b'{"districts": []}'}
    )
    check.click()
    expect(page.get_by_role("alert")).to_contain_text("The file is not GeoJSON")

    # A feature without the name property.
    features = district_features(DEMO_DISTRICTS)
    features[0]["properties"] = {"nazev": "Střed"}
    page.get_by_label("GeoJSON file").set_input_files(geojson_file(features))
    check.click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Feature 1: it has no property 'name' for the name (it has: nazev)."
    )
    expect(page.get_by_role("button", name="Save these districts")).to_have_count(0)

    page.goto(f"/{slug}/districts/")
    expect(page.get_by_text("This municipality has no districts yet.")).to_be_visible()

    # A good file: the five demo districts and a sixth just outside the demo town.
    districts = (*DEMO_DISTRICTS, EXTRA_DISTRICT)
    page.goto(f"/{slug}/admin/districts/import")
    page.get_by_label("GeoJSON file").set_input_files(geojson_file(district_features(districts)))
    page.get_by_label("Property with the district code").fill("code")
    page.get_by_label("Property with the population").fill("population")
    page.get_by_role("button", name="Check and preview").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview the districts")
    region = page.get_by_role("region", name="Preview of the districts in the file")
    expect(region.locator(".leaflet-overlay-pane path")).to_have_count(len(districts))
    table = page.get_by_role("table", name=f"{len(districts)} districts in the file")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(districts))
    for row, (name, code, population, _ring) in zip(rows.all(), districts, strict=True):
        expect(row.get_by_role("rowheader")).to_have_text(name)
        expect(row.get_by_role("cell")).to_have_text([code, f"{population:,}", "new"])

    # Nothing saved before the button (seen in another tab).
    other = page.context.new_page()
    other.goto(f"/{slug}/districts/")
    expect(other.get_by_text("This municipality has no districts yet.")).to_be_visible()
    settle(page)
    other.close()

    page.get_by_role("button", name="Save these districts").click()
    expect(page).to_have_url(f"{live_server.url}/{slug}/districts/")
    expect(page.get_by_role("status").filter(has_text="Districts saved")).to_contain_text(
        "Districts saved: 6 new, 0 updated, 0 removed."
    )
    saved = page.get_by_role("table", name="Residents by district").locator("tbody th")
    expect(saved).to_have_count(len(districts))
    assert sorted(saved.all_inner_texts()) == sorted(d[0] for d in districts)

    # The sixth district is found by the picker of the new town.
    page.goto(f"/{slug}/districts/find")
    page.get_by_label("Latitude").fill("49.43")
    page.get_by_label("Longitude").fill("14.70")
    page.get_by_role("button", name="Find the district").click()
    expect(page.get_by_text(f"The place is in the district {EXTRA_DISTRICT[0]}.")).to_be_visible()

    # The demo town keeps its five.
    page.goto("/demo/districts/")
    expect(
        page.get_by_role("table", name="Residents by district").locator("tbody tr")
    ).to_have_count(len(DEMO_DISTRICTS))
    assert_only_our_host_and_tiles(page, live_server.url)


# --- drawing the boundary -------------------------------------------------------------------


def test_drawing_the_boundary_with_the_polygon_tool(map_page, browser_app, live_server):
    page = map_page
    slug, admin = make_municipality(browser_app, "draw")
    log_in(page, admin)
    page.goto(f"/{slug}/admin/districts/boundary")
    area = page.get_by_label("Boundary as GeoJSON")
    expect(area).to_have_value("")
    expect(page.get_by_role("region", name="Map for drawing the boundary")).to_be_visible()

    page.get_by_title("Draw a polygon").click()
    corners = [(0.35, 0.3), (0.7, 0.3), (0.7, 0.7), (0.35, 0.7)]
    vertices = page.locator(".leaflet-editing-icon")
    for number, (fx, fy) in enumerate(corners, start=1):
        click_in_map(page, fx, fy)
        expect(vertices).to_have_count(number)
        # Leaflet.draw ignores a click within 50 ms of the last vertex; no hand is that quick.
        page.wait_for_timeout(80)
    click_in_map(page, *corners[0])  # closes the polygon
    expect(vertices).to_have_count(0)

    expect(area).not_to_have_value("")
    drawn = json.loads(area.input_value())
    assert drawn["type"] == "MultiPolygon"
    assert len(drawn["coordinates"]) == 1
    ring = drawn["coordinates"][0][0]
    assert len(ring) == len(corners) + 1 and ring[0] == ring[-1], ring
    # A square on screen: west to east, then north to south.
    assert ring[0][0] < ring[1][0] and ring[1][1] > ring[2][1]

    page.get_by_role("button", name="Save the boundary").click()
    expect(page.get_by_role("status").filter(has_text="The boundary is saved.")).to_be_visible()
    page.reload()
    kept = json.loads(page.get_by_label("Boundary as GeoJSON").input_value())
    assert kept["type"] == "MultiPolygon"
    assert Polygon(kept["coordinates"][0][0]).equals_exact(Polygon(ring), 1e-6)
    # The kept boundary is on the map again, ready to be edited.
    expect(page.locator(".leaflet-overlay-pane path.leaflet-interactive")).to_have_count(1)
    expect(page.get_by_title("Edit the drawn areas")).to_be_visible()
    assert_only_our_host_and_tiles(page, live_server.url)


def test_the_boundary_can_be_pasted_without_javascript(no_js_page, browser_app, live_server):
    page = no_js_page
    slug, admin = make_municipality(browser_app, "paste")
    log_in(page, admin)
    page.goto(f"/{slug}/admin/districts/boundary")
    area = page.get_by_label("Boundary as GeoJSON")

    area.fill("a square, roughly")
    page.get_by_role("button", name="Save the boundary").click()
    expect(page.get_by_role("alert")).to_contain_text("This is not a GeoJSON polygon.")
    expect(page.get_by_label("Boundary as GeoJSON")).to_have_value("a square, roughly")
    assert axe_violations_without_js(page) == []

    square = [[14.5, 49.3], [14.6, 49.3], [14.6, 49.4], [14.5, 49.4], [14.5, 49.3]]
    page.get_by_label("Boundary as GeoJSON").fill(
        json.dumps({"type": "Polygon", "coordinates": [square]})
    )
    page.get_by_role("button", name="Save the boundary").click()
    expect(page.get_by_role("status").filter(has_text="The boundary is saved.")).to_be_visible()
    page.goto(f"/{slug}/admin/districts/boundary")
    kept = json.loads(page.get_by_label("Boundary as GeoJSON").input_value())
    assert kept["type"] == "MultiPolygon"
    assert Polygon(kept["coordinates"][0][0]).equals_exact(Polygon(square), 1e-9)

    # The picker of this town (which has no districts) now knows what is inside it.
    page.goto(f"/{slug}/districts/find")
    page.get_by_label("Latitude").fill("49.35")
    page.get_by_label("Longitude").fill("14.55")
    page.get_by_role("button", name="Find the district").click()
    expect(page.get_by_role("status").filter(has_text="none of its districts")).to_have_text(
        f"The place is in Test town {slug}, but in none of its districts."
    )
    page.get_by_label("Latitude").fill("50.0")
    page.get_by_label("Longitude").fill("14.0")
    page.get_by_role("button", name="Find the district").click()
    expect(page.get_by_role("alert")).to_contain_text("This place is outside Test town")
    assert_only_our_host_and_tiles(page, live_server.url)


# --- every map page in Czech and in Polish ---------------------------------------------------


class MapSurvey:
    """axe-core, the lang attribute and the hosts asked, page by page."""

    def __init__(self, page, live_server, lang: str):
        self.page = page
        self.base = live_server.url
        self.lang = lang
        self.violations: dict[str, list] = {}

    def check(self, what: str) -> None:
        self.page.wait_for_load_state("load")
        settle(self.page)
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)
        found = axe_violations(self.page)
        if found:
            self.violations[what] = found

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        self.check(path)

    def submit(self) -> None:
        """Press the submit button of the page's form (its name is translated)."""
        self.page.locator("main form button[type=submit]").first.click()

    def assert_clean(self) -> None:
        assert not self.violations, "axe-core found violations:\n" + "\n".join(
            f"{what}: {found}" for what, found in self.violations.items()
        )
        assert foreign_requests(self.page, self.base) == []
        assert any(url.startswith(TILE_HOST + "/") for url in self.page.requested_urls)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_map_pages_are_accessible(map_page, browser_app, live_server, lang):
    page = map_page
    survey = MapSurvey(page, live_server, lang)
    slug, admin = make_municipality(browser_app, f"axe-{lang}")
    log_in(page, admin)
    page.goto("/demo/districts/")
    page.get_by_role("banner").get_by_role("button", name=LANGUAGES[lang]).click()
    survey.check("/demo/districts/")

    survey.visit("/demo/districts/find")
    page.locator(".leaflet-container").focus()
    page.keyboard.press("Enter")
    survey.submit()
    expect(page.locator(".flash-success")).to_contain_text("Střed")
    survey.check("/demo/districts/find with a result")
    page.locator("main input[name=lat]").fill("50.0")
    page.locator("main input[name=lon]").fill("14.0")
    survey.submit()
    expect(page.get_by_role("alert")).to_be_visible()
    survey.check("/demo/districts/find with an error")

    survey.visit(f"/{slug}/admin/districts/import")
    file_input = page.locator("main input[type=file]")
    file_input.set_input_files({"name": "a.txt", "mimeType": "text/plain", "buffer": b"no"})
    survey.submit()
    expect(page.get_by_role("alert")).to_be_visible()
    survey.check("import: not JSON")
    features = district_features(DEMO_DISTRICTS)
    features[2]["properties"].pop("name")
    file_input.set_input_files(geojson_file(features))
    survey.submit()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"\b3: "))  # feature 3
    survey.check("import: a feature without a name")
    file_input.set_input_files(geojson_file(district_features(DEMO_DISTRICTS)))
    survey.submit()
    expect(page.locator(".leaflet-overlay-pane path")).to_have_count(len(DEMO_DISTRICTS))
    survey.check("import: the preview")
    # Saving also removes the uploaded file the preview kept.
    survey.submit()
    expect(page).to_have_url(f"{live_server.url}/{slug}/districts/")
    expect(page.locator(".flash-success")).to_be_visible()
    survey.check(f"/{slug}/districts/ after the import")

    survey.visit(f"/{slug}/admin/districts/boundary")
    page.locator("main textarea").fill("[1, 2")
    survey.submit()
    expect(page.get_by_role("alert")).to_be_visible()
    survey.check("boundary: not GeoJSON")
    page.locator("main textarea").fill("")
    survey.submit()
    expect(page.locator(".flash-success")).to_be_visible()
    survey.check("boundary: saved")

    survey.assert_clean()


@pytest.mark.browser
@pytest.mark.parametrize("language", ["cs", "pl"])
def test_map_controls_speak_the_page_language(map_page, browser_app, language):
    from flask_babel import force_locale, gettext

    with browser_app.test_request_context(), force_locale(language):
        zoom_in = gettext("Zoom in")
    assert zoom_in != "Zoom in", "the catalog lacks a translation"
    page = map_page
    page.goto("/demo/districts/")
    page.get_by_role("button", name={"cs": "Čeština", "pl": "Polski"}[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", zoom_in)


# --- the browse map with many points ------------------------------------------------------


def call_with_many_ideas(app, count: int) -> int:
    """An open call of the demo town with ``count`` public ideas spread over the town."""
    import random

    from sqlalchemy import insert, select

    from participation.core.demo import DEMO_SLUG
    from participation.core.models import Municipality, utcnow
    from participation.extensions import db
    from participation.ideas.models import Idea
    from participation.ideas.rules import IdeaStatus
    from tests.factories import make_call

    rng = random.Random(count)
    with app.app_context():
        town = db.session.scalar(select(Municipality).where(Municipality.slug == DEMO_SLUG))
        call = make_call(town, title=f"Many ideas {rng.random():.6f}")
        now = utcnow()
        db.session.execute(
            insert(Idea),
            [
                {
                    "municipality_id": town.id,
                    "call_id": call.id,
                    "title": f"Point {n}",
                    "status": IdeaStatus.COLLECTING,
                    "submitted_at": now,
                    "lat": round(rng.uniform(49.393, 49.439), 6),
                    "lon": round(rng.uniform(14.631, 14.689), 6),
                }
                for n in range(count)
            ],
        )
        db.session.commit()
        return call.id


# Every point is on the map: in a group that counts it, or as a marker of its own.
SHOWN = (
    "() => { let s = 0; document.querySelectorAll('.marker-cluster')"
    ".forEach(c => s += parseInt(c.textContent, 10));"
    " return s + document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length; }"
)


def test_the_browse_map_shows_the_servers_groups_and_asks_again_when_moved(
    map_page, browser_app, live_server
):
    from participation.maps.clustering import POINT_LIMIT

    count = POINT_LIMIT + 500
    call_id = call_with_many_ideas(browser_app, count)
    page = map_page
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "ideas.geojson" in r.url else None)
    page.goto(f"/demo/ideas/calls/{call_id}/map")
    region = page.get_by_role("region", name="Map of the ideas")
    expect(region).to_have_attribute("data-loaded", str(count))
    expect(region).to_have_attribute("data-clustered", "true")
    expect(page.locator("#map-status")).to_have_text(f"{count} ideas on the map.")
    assert len(asked) == 1 and "cluster=1" in asked[0] and "&bbox=" in asked[0], asked
    first_zoom = int(re.search(r"zoom=(\d+)", asked[0]).group(1))
    # Groups are buttons named with their count; together with the lone markers they
    # account for every idea.
    groups = region.get_by_role("button", name=re.compile(r"^Group of \d+ on the map"))
    expect(groups.first).to_be_visible()
    assert page.evaluate(SHOWN) == count
    label = groups.first.get_attribute("aria-label")
    assert label == f"Group of {groups.first.inner_text()} on the map. Zoom in to see them."

    # Moving the map (the keyboard's arrows) asks for the new view, once it has stopped.
    region.focus()
    with page.expect_request(GEOJSON) as moved:
        for _ in range(3):
            page.keyboard.press("ArrowLeft")
    assert zoom_of(moved.value.url) == first_zoom
    assert moved.value.url.split("bbox=")[1] != asked[0].split("bbox=")[1]
    page.wait_for_function(SETTLED)
    expect(region).to_have_attribute("data-clustered", "true")
    page.wait_for_function(f"() => ({SHOWN})() === +{region.get_attribute('data-loaded')!r}")

    # Enter on a group zooms in on it, and the map asks for the closer view.
    group = groups.first
    group.focus()
    with page.expect_request(GEOJSON) as closer:
        page.keyboard.press("Enter")
    assert zoom_of(closer.value.url) > first_zoom
    expect(region).not_to_have_attribute("data-loaded", str(count))
    shown = int(region.get_attribute("data-loaded"))
    assert 0 < shown < count
    page.wait_for_function(f"() => ({SHOWN})() === {shown}")
    expect(region).to_be_focused()  # the keyboard stays on the map

    # A click on a group zooms in too, until the ideas themselves show, named by title.
    for _ in range(6):
        if region.get_attribute("data-clustered") == "false":
            break
        zoom = zoom_of(asked[-1])
        with page.expect_request(GEOJSON) as clicked:
            region.locator(".marker-cluster").first.click()
        assert zoom_of(clicked.value.url) > zoom
        page.wait_for_function(SETTLED)
    expect(region.locator(".leaflet-marker-icon[title^='Point ']").first).to_be_attached()
    assert axe_violations(page) == []
    assert_only_our_host_and_tiles(page, live_server.url)


GEOJSON = re.compile(r"/ideas\.geojson\?")
SETTLED = "() => !document.querySelector('.leaflet-container[aria-busy]')"


def zoom_of(url: str) -> int:
    return int(re.search(r"[?&]zoom=(\d+)", url).group(1))

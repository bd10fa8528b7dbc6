"""The map widgets' scripts use only what the pages load: Leaflet, markercluster, Leaflet.draw
and our maps.js - no jQuery (folium's popups need it), nothing from another host."""

from __future__ import annotations

import json
import re

import pytest
from shapely.geometry import MultiPolygon, Polygon

from participation.maps import widgets

BOUNDARY = MultiPolygon([Polygon([(14.6, 49.4), (14.7, 49.4), (14.7, 49.45), (14.6, 49.45)])])
PLACES = [
    widgets.LinkedPlace(49.41, 14.65, 'Lavičky "u řeky" </script>', "/t/budget/projects/1"),
    widgets.LinkedPlace(49.42, 14.66, "Stromy", "/t/budget/projects/2"),
]


def every_widget() -> dict[str, widgets.MapWidget]:
    feature = {
        "type": "Feature",
        "id": 1,
        "properties": {"name": "Střed"},
        "geometry": BOUNDARY.__geo_interface__,
    }
    return {
        "linked places": widgets.linked_places_map(PLACES, "Map of the projects"),
        "linked places, one spot": widgets.linked_places_map(PLACES[:1], "Map", new_tab=True),
        "point": widgets.point_map(49.41, 14.65, "Map", "Here"),
        "points": widgets.points_map([(49.41, 14.65)], BOUNDARY, "Map"),
        "picker": widgets.location_picker(BOUNDARY, "lat", "lon", "status", "Map", "{lat}", "P"),
        "browse": widgets.browse_map(BOUNDARY, "/api", "/ideas/", "status", "Map", "{count}", "!"),
        "draw": widgets.draw_tool(BOUNDARY, "area", "Map"),
        "choropleth": widgets.choropleth([feature], {1: 2.5}, "Residents", "Map", "Residents"),
    }


@pytest.fixture
def rendered(app):
    with app.test_request_context("/"):
        yield every_widget()


def test_no_map_script_needs_jquery_or_another_host(rendered):
    for name, widget in rendered.items():
        script = str(widget.script)
        assert "$(" not in script and "jQuery" not in script, name
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", str(widget.html)), name
        for asset in (*widget.css, *widget.js):
            assert asset.startswith("/static/"), (name, asset)


def test_the_places_map_gives_each_place_its_link(rendered):
    """Each place goes to Participation.places as data (its title escaped by JSON, and
    made into text by the script), with whether links open a new tab."""
    script = str(rendered["linked places"].script)
    call = re.search(r"Participation\.places\((\w+), (\{.*\})\);", script)
    assert call, script[-500:]
    options = json.loads(call.group(2).replace("<\\/", "</"))
    assert options["label"] == "Map of the projects" and options["newTab"] is False
    assert options["places"] == [
        {"lat": p.lat, "lon": p.lon, "title": p.title, "url": p.url} for p in PLACES
    ]
    assert "</script>" not in script
    assert '"newTab": true' in str(rendered["linked places, one spot"].script)

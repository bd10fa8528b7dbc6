"""Maps built with folium, served with our own Leaflet files and rendered inline.

folium gives the map, the tile layer and GeoJSON layers; the behaviours (picking a
point, clustering a GeoJSON endpoint, drawing an area) live in ``static/js/maps.js``
and are started by one line appended to folium's script. folium's own page header is
not used: it would load CDN files, set ``user-scalable=no`` and restyle ``body``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import folium
from flask import current_app, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from folium import plugins as folium_plugins
from markupsafe import Markup
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

LEAFLET_CSS = ("vendor/leaflet/leaflet.css",)
LEAFLET_JS = ("vendor/leaflet/leaflet.js",)
CLUSTER_CSS = (
    "vendor/leaflet.markercluster/MarkerCluster.css",
    "vendor/leaflet.markercluster/MarkerCluster.Default.css",
)
CLUSTER_JS = ("vendor/leaflet.markercluster/leaflet.markercluster.js",)
DRAW_CSS = ("vendor/leaflet-draw/leaflet.draw.css",)
DRAW_JS = ("vendor/leaflet-draw/leaflet.draw.js",)
OUR_JS = ("js/maps.js",)


@dataclass
class MapWidget:
    """What a template needs to show a map: its files, its element and its script."""

    css: tuple[str, ...]
    js: tuple[str, ...]
    html: Markup
    script: Markup
    legend: list[tuple[str, str]] = field(default_factory=list)


def use_local_assets() -> None:
    """Point folium's class-level asset lists at our files, once, at start-up.

    We render only folium's map element and script, but other code that renders a
    whole folium page (benchmarks, notebooks) then still loads nothing from a CDN.
    """
    folium.Map.default_js = [("leaflet", "/static/" + LEAFLET_JS[0])]
    folium.Map.default_css = [("leaflet_css", "/static/" + LEAFLET_CSS[0])]
    folium_plugins.MarkerCluster.default_js = [("markerclusterjs", "/static/" + CLUSTER_JS[0])]
    folium_plugins.MarkerCluster.default_css = [
        (f"markercluster{i}", "/static/" + path) for i, path in enumerate(CLUSTER_CSS)
    ]
    folium_plugins.Draw.default_js = [("leaflet_draw_js", "/static/" + DRAW_JS[0])]
    folium_plugins.Draw.default_css = [("leaflet_draw_css", "/static/" + DRAW_CSS[0])]


def base_map(center: tuple[float, float], zoom: int = 13, bounds: BaseGeometry | None = None):
    config = current_app.config
    m = folium.Map(
        location=list(center), zoom_start=zoom, tiles=None, max_zoom=19, control_scale=True
    )
    folium.TileLayer(
        tiles=config["MAP_TILES_URL"],
        attr=config["MAP_TILES_ATTRIBUTION"],
        max_zoom=19,
        name="tiles",
    ).add_to(m)
    if bounds is not None and not bounds.is_empty:
        min_x, min_y, max_x, max_y = bounds.bounds
        m.fit_bounds([[min_y, min_x], [max_y, max_x]])
    return m


def outline(m, geometry: BaseGeometry | None, name: str) -> None:
    """Draw a boundary as a thin line that does not catch clicks."""
    if geometry is None:
        return
    folium.GeoJson(
        {"type": "Feature", "properties": {}, "geometry": mapping(geometry)},
        name=name,
        style_function=lambda _feature: {
            "color": "#0b4f8a",
            "weight": 2,
            "fill": False,
            "interactive": False,
        },
        interactive=False,
        control=False,
    ).add_to(m)


def control_texts() -> dict[str, str]:
    """Leaflet's and Leaflet.draw's own labels in the page's language (WCAG 3.1.2)."""
    return {
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "drawPolygon": _("Draw a polygon"),
        "drawRectangle": _("Draw a rectangle"),
        "editLayers": _("Edit the drawn areas"),
        "removeLayers": _("Delete drawn areas"),
        "finish": _("Finish"),
        "cancel": _("Cancel"),
        "deleteLastPoint": _("Delete the last point"),
        "save": _("Save"),
        "clearAll": _("Clear all"),
        "polygonStart": _("Click to start drawing the area."),
        "polygonContinue": _("Click to continue drawing the area."),
        "polygonEnd": _("Click the first point to close the area."),
    }


def _render(m, call: str, options: dict, css=(), js=()) -> MapWidget:
    root = m.get_root()
    root.render()
    name = m.get_name()
    options = {**options, "texts": control_texts()}
    script = root.script.render() + f"\nParticipation.{call}({name}, {json.dumps(options)});\n"
    return MapWidget(
        css=tuple(url_for("static", filename=p) for p in (*LEAFLET_CSS, *css)),
        js=tuple(url_for("static", filename=p) for p in (*LEAFLET_JS, *js, *OUR_JS)),
        html=Markup(root.html.render()),
        script=Markup(script.replace("</", "<\\/")),
    )


def center_of(geometry: BaseGeometry | None, default=(49.8, 15.5)) -> tuple[float, float]:
    if geometry is None or geometry.is_empty:
        return default
    point = geometry.representative_point()
    return point.y, point.x


def location_picker(
    boundary: BaseGeometry | None,
    lat_input: str,
    lon_input: str,
    status_id: str,
    label: str,
    placed_text: str,
    marker_title: str,
) -> MapWidget:
    m = base_map(center_of(boundary), bounds=boundary)
    outline(m, boundary, "boundary")
    return _render(
        m,
        "picker",
        {
            "latInput": lat_input,
            "lonInput": lon_input,
            "statusId": status_id,
            "label": label,
            "placedText": placed_text,
            "markerTitle": marker_title,
        },
    )


def point_map(lat: float, lon: float, label: str, marker_title: str) -> MapWidget:
    """One place on a small map (an idea's page)."""
    m = base_map((lat, lon), zoom=16)
    folium.Marker([lat, lon], tooltip=None, title=marker_title, alt=marker_title).add_to(m)
    return _render(m, "plain", {"label": label})


@dataclass(frozen=True)
class LinkedPlace:
    """A marker whose popup is a link to a page (a project's, an idea's)."""

    lat: float
    lon: float
    title: str
    url: str


def linked_places_map(places: list[LinkedPlace], label: str, new_tab: bool = False) -> MapWidget:
    """Places as markers named by their title, each opening a popup with a link to its
    page (in a new tab when ``new_tab``: from a ballot, so that the choices made so far
    stay). The markers and their popups are made by ``Participation.places`` from plain
    data: folium's ``Popup`` needs jQuery, which we do not load."""
    from shapely.geometry import MultiPoint

    spots = {(p.lat, p.lon) for p in places}
    if len(spots) > 1:
        points = MultiPoint([(p.lon, p.lat) for p in places])
        m = base_map(center_of(points), bounds=points.envelope.buffer(0.002))
    elif places:
        m = base_map((places[0].lat, places[0].lon), zoom=15)
    else:
        m = base_map(center_of(None))
    return _render(
        m,
        "places",
        {
            "label": label,
            "newTab": new_tab,
            "places": [
                {"lat": p.lat, "lon": p.lon, "title": p.title, "url": p.url} for p in places
            ],
        },
    )


def points_map(
    points: list[tuple[float, float]], boundary: BaseGeometry | None, label: str
) -> MapWidget:
    """Many places as dots (answers to a survey's map question): a picture of where they
    are, with no marker to tab through; the page gives the figures in a table."""
    from shapely.geometry import MultiPoint

    spread = MultiPoint([(lon, lat) for lat, lon in points]) if points else None
    frame = boundary if spread is None or spread.is_empty else spread.envelope.buffer(0.002)
    m = base_map(center_of(frame), bounds=frame)
    outline(m, boundary, "boundary")
    for lat, lon in points:
        folium.CircleMarker(
            [lat, lon],
            radius=6,
            color="#0b4f8a",
            weight=2,
            fill=True,
            fill_color="#0b4f8a",
            fill_opacity=0.5,
            interactive=False,
        ).add_to(m)
    return _render(m, "plain", {"label": label})


def browse_map(
    boundary: BaseGeometry | None,
    url: str,
    url_prefix: str,
    status_id: str,
    label: str,
    loaded_text: str,
    failed_text: str,
    group_text: str | None = None,
) -> MapWidget:
    """A map of the points of a GeoJSON endpoint that serves ``cluster=1&zoom&bbox``
    (``geojson.clustered_collection``): it asks for its view, and again when it moves.

    ``loaded_text`` and ``group_text`` have a ``{count}`` placeholder: the points in the
    view, and the points of one group (a button that zooms in on them).
    """
    # The script fits the map to the boundary itself, without folium's animation: the
    # first request must see the final view, not one halfway through a zoom.
    m = base_map(center_of(boundary))
    outline(m, boundary, "boundary")
    bounds = None
    if boundary is not None and not boundary.is_empty:
        min_x, min_y, max_x, max_y = boundary.bounds
        bounds = [[min_y, min_x], [max_y, max_x]]
    return _render(
        m,
        "browse",
        {
            "url": url,
            "bounds": bounds,
            "urlPrefix": url_prefix,
            "statusId": status_id,
            "label": label,
            "loadedText": loaded_text,
            "failedText": failed_text,
            "groupText": group_text or _("Group of {count} on the map. Zoom in to see them."),
            "fit": bounds is None,
        },
        css=CLUSTER_CSS,
        js=CLUSTER_JS,
    )


def draw_tool(boundary: BaseGeometry | None, input_id: str, label: str) -> MapWidget:
    m = base_map(center_of(boundary), bounds=boundary)
    outline(m, boundary, "boundary")
    return _render(m, "draw", {"input": input_id, "label": label}, css=DRAW_CSS, js=DRAW_JS)


def choropleth(
    features: list[dict],
    values: dict[int, float | None],
    legend_title: str,
    label: str,
    value_label: str,
) -> MapWidget:
    """Districts coloured by a figure; ``features`` are district GeoJSON features by id."""
    from participation.maps import colours

    known = [v for v in values.values() if v is not None]
    breaks = colours.class_breaks(known)
    collection = {"type": "FeatureCollection", "features": []}
    for feature in features:
        value = values.get(feature["id"])
        properties = dict(feature["properties"])
        properties["value"] = "" if value is None else _number(value)
        properties["fill"] = colours.colour_for(value, breaks)
        collection["features"].append({**feature, "properties": properties})
    boundary = None
    if features:
        from shapely.geometry import shape
        from shapely.ops import unary_union

        boundary = unary_union([shape(f["geometry"]) for f in features])
    m = base_map(center_of(boundary), bounds=boundary)
    folium.GeoJson(
        collection,
        name="districts",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.7,
            "color": "#1b1b1f",
            "weight": 1,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "value"], aliases=["", value_label]),
    ).add_to(m)
    widget = _render(m, "plain", {"label": label})
    widget.legend = colours.legend(breaks, whole=colours.is_whole(known), locale=get_locale())
    return widget


def _number(value: float) -> str:
    # Whole numbers as they are (the districts' tooltips), fractions in the page's language.
    if float(value).is_integer():
        return str(int(value))
    return format_decimal(value, format="#,##0.00")

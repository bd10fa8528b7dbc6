"""Publishing items as GeoJSON: bounding boxes, a stable order, groups for a map view,
ETag and gzip.

A module publishes its located items with ``point_collection``: it passes a SELECT of
plain columns (id, lat, lon and the properties), so one query serves the whole
response and no ORM object is loaded per item. A map asks for ``clustered_collection``
instead, with its zoom and view: many points come back as one feature per grid cell
(``maps/clustering.py``), few as the points themselves.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Response, request
from sqlalchemy import Float, Numeric, Select, String, bindparam, cast, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by

from participation.core.ids import whole_number
from participation.extensions import db
from participation.maps import clustering

MEDIA_TYPE = "application/geo+json"
GZIP_MIN_BYTES = 1024


class BadBoundingBox(ValueError):
    pass


class BadZoom(ValueError):
    pass


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """``minLon,minLat,maxLon,maxLat`` (the order of RFC 7946) or None."""
    if not value:
        return None
    try:
        min_lon, min_lat, max_lon, max_lat = (float(part) for part in value.split(","))
    except ValueError:
        raise BadBoundingBox(value) from None
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise BadBoundingBox(value)
    return min_lon, min_lat, max_lon, max_lat


def parse_zoom(value: str | None) -> int:
    """A map zoom level: a whole number from 0 to ``clustering.MAX_ZOOM``."""
    zoom = whole_number(value, clustering.MAX_ZOOM)
    if zoom is None:
        raise BadZoom(value)
    return zoom


def within_bbox(statement: Select, model, bbox) -> Select:
    """Restrict a SELECT on a ``Located`` model to a bounding box (B-tree on lat and lon)."""
    if bbox is None:
        return statement
    min_lon, min_lat, max_lon, max_lat = bbox
    return statement.where(model.lat.between(min_lat, max_lat), model.lon.between(min_lon, max_lon))


def point_features(
    rows: Iterable[Sequence[Any]],
    properties: Sequence[str],
    url: Callable[[Sequence[Any]], str] | None = None,
) -> dict:
    """A FeatureCollection from rows of ``(id, lat, lon, *properties)``."""
    features = []
    for row in rows:
        item_id, lat, lon = row[0], row[1], row[2]
        props = dict(zip(properties, row[3:], strict=True))
        if url is not None:
            props["url"] = url(row)
        features.append(
            {
                "type": "Feature",
                "id": item_id,
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def select_rows(statement: Select) -> list:
    return db.session.execute(statement).all()


def point_collection(
    statement: Select,
    properties: Sequence[str],
    url_prefix: str | None = None,
) -> bytes:
    """A FeatureCollection of ``statement``'s rows ``(id, lat, lon, *properties)`` as bytes.

    On PostgreSQL the database writes the document itself (one ``string_agg``), so no
    Python object is made per item; elsewhere ``point_features`` does it. Both give the
    same features in the order of the statement.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        rows = db.session.execute(statement).all()
        url = (lambda row: f"{url_prefix}{row[0]}") if url_prefix is not None else None
        return dumps(point_features(rows, properties, url=url))
    inner = statement.subquery("items")
    columns = list(inner.columns)
    id_, lat, lon, *props = columns
    # The id is the feature's own (RFC 7946, 3.2), not repeated in the properties.
    members = [
        (name, cast(func.to_json(column), String))
        for name, column in zip(properties, props, strict=True)
    ]
    if url_prefix is not None:
        members.append(("url", cast(func.to_json(literal(url_prefix) + cast(id_, String)), String)))
    parts = []
    for index, (name, value) in enumerate(members):
        parts += [literal(f'{"," if index else ""}"{name}":'), value]
    feature = func.concat(
        literal('{"type":"Feature","id":'),
        cast(id_, String),
        literal(',"geometry":{"type":"Point","coordinates":['),
        cast(func.round(cast(lon, Numeric), 6), String),
        literal(","),
        cast(func.round(cast(lat, Numeric), 6), String),
        literal(']},"properties":{'),
        *parts,
        literal("}}"),
    )
    body = db.session.scalar(
        select(
            func.concat(
                literal('{"type":"FeatureCollection","features":['),
                func.coalesce(
                    func.string_agg(feature, aggregate_order_by(literal(","), id_)), literal("")
                ),
                literal("]}"),
            )
        )
    )
    return body.encode()


def clustered_collection(
    statement: Select,
    properties: Sequence[str],
    zoom: int,
    bbox: clustering.BBox | None,
    url_prefix: str | None = None,
) -> bytes:
    """What a map at ``zoom`` shows of ``statement``'s rows ``(id, lat, lon, *properties)``
    inside ``bbox`` (which the statement must already be limited to), as bytes.

    - Up to ``clustering.POINT_LIMIT`` points, or from ``clustering.POINTS_ZOOM`` on:
      exactly what ``point_collection`` gives.
    - More: one feature per grid cell, in reading order. A cell of several points is a
      group (``clustering.cell_feature``: ``properties.count`` and a ``bbox``); a cell of
      one point is that point's feature, as ``point_collection`` writes it.

    Two queries at most on a large view (the cells, then the lone points by id), and
    three on a small one (the cells, then the points). Without ``bbox``, the extent of
    the rows is asked for first.
    """
    if bbox is None:
        bbox = _extent(statement)
        if bbox is None:
            return dumps({"type": "FeatureCollection", "features": []})
    grid = clustering.grid_for(zoom, bbox)
    if zoom >= clustering.POINTS_ZOOM:
        return point_collection(statement, properties, url_prefix)
    cells = _cells(statement, grid)
    if clustering.use_points(sum(cell.count for cell in cells), zoom):
        return point_collection(statement, properties, url_prefix)
    lone_ids = [cell.only_id for cell in cells if cell.only_id is not None]
    lone = {}
    if lone_ids:
        id_column = statement.selected_columns[0]
        rows = db.session.execute(statement.where(id_column.in_(lone_ids))).all()
        url = (lambda row: f"{url_prefix}{row[0]}") if url_prefix is not None else None
        lone = {f["id"]: f for f in point_features(rows, properties, url=url)["features"]}
    features = [
        lone[cell.only_id] if cell.only_id is not None else clustering.cell_feature(cell)
        for cell in cells
    ]
    return dumps({"type": "FeatureCollection", "features": features})


def _extent(statement: Select) -> clustering.BBox | None:
    inner = statement.order_by(None).subquery("items")
    _, lat, lon = list(inner.columns)[:3]
    row = db.session.execute(
        select(func.min(lon), func.min(lat), func.max(lon), func.max(lat))
    ).one()
    return None if row[0] is None else tuple(row)


def _cells(statement: Select, grid: clustering.Grid) -> list[clustering.Cell]:
    """The grid cells of the statement's rows: grouped by PostgreSQL, or in Python."""
    inner = statement.order_by(None).subquery("items")
    id_, lat, lon = list(inner.columns)[:3]
    if db.session.get_bind().dialect.name != "postgresql":
        return clustering.cluster(db.session.execute(select(id_, lat, lon)), grid)
    # The same arithmetic as Grid.cell, on float8 both ways: the edges come from Python.
    edges = bindparam("edges", list(grid.edges), type_=ARRAY(Float))
    width = bindparam("width", grid.width, type_=Float)
    keyed = select(
        id_.label("id"),
        lat.label("lat"),
        lon.label("lon"),
        func.floor((lon + 180.0) / width).label("gx"),
        func.width_bucket(lat, edges).label("gy"),
    ).subquery("keyed")
    k = keyed.c
    statement = (
        select(
            k.gy,
            k.gx,
            func.count(),
            func.avg(k.lon),
            func.avg(k.lat),
            func.min(k.lon),
            func.min(k.lat),
            func.max(k.lon),
            func.max(k.lat),
            func.min(k.id),
        )
        .group_by(k.gy, k.gx)
        .order_by(k.gy.desc(), k.gx)
    )
    return [
        clustering.Cell(
            row=grid.south_row - gy,
            column=int(gx),
            count=n,
            lon=mean_lon,
            lat=mean_lat,
            bbox=(west, south, east, north),
            only_id=first_id if n == 1 else None,
        )
        for gy, gx, n, mean_lon, mean_lat, west, south, east, north, first_id in (
            db.session.execute(statement)
        )
    ]


def dumps(data: dict) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def geojson_response(data: dict | bytes, max_age: int = 60) -> Response:
    """Compact JSON with a strong ETag; gzip when the client takes it and it pays."""
    body = data if isinstance(data, bytes) else dumps(data)
    etag = hashlib.sha256(body).hexdigest()[:32]
    if etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag)
        return response
    response = Response(body, mimetype=MEDIA_TYPE)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.vary.add("Accept-Encoding")
    if len(body) >= GZIP_MIN_BYTES and "gzip" in request.accept_encodings:
        response.set_data(gzip.compress(body, compresslevel=1))
        response.headers["Content-Encoding"] = "gzip"
    return response

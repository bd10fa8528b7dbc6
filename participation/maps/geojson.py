"""Publishing items as GeoJSON: bounding boxes, a stable order, ETag and gzip.

A module publishes its located items with ``point_features``: it passes a SELECT of
plain columns (id, lat, lon and the properties), so one query serves the whole
response and no ORM object is loaded per item.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Response, request
from sqlalchemy import Numeric, Select, String, cast, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from participation.extensions import db

MEDIA_TYPE = "application/geo+json"
GZIP_MIN_BYTES = 1024


class BadBoundingBox(ValueError):
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
        props = {"id": item_id}
        props.update(zip(properties, row[3:], strict=True))
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
    parts = [literal('"id":'), cast(id_, String)]
    for name, column in zip(properties, props, strict=True):
        parts += [literal(f',"{name}":'), cast(func.to_json(column), String)]
    if url_prefix is not None:
        parts += [
            literal(',"url":'),
            cast(func.to_json(literal(url_prefix) + cast(id_, String)), String),
        ]
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

"""Municipality-scoped blueprints: ``/<slug>/...`` loads ``g.municipality`` once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, g
from sqlalchemy import select

from participation.core.models import Municipality
from participation.extensions import db


def get_municipality_or_404(slug: str) -> Municipality:
    municipality = db.session.scalar(select(Municipality).where(Municipality.slug == slug))
    if municipality is None:
        abort(404)
    return municipality


def municipality_blueprint(
    name: str, import_name: str, url_prefix: str = "", before_slug: str = ""
) -> Blueprint:
    """A blueprint whose every URL has the municipality's slug (``/api/v1/<slug>/...``)."""
    bp = Blueprint(name, import_name, url_prefix=before_slug + "/<slug>" + url_prefix)

    @bp.url_value_preprocessor
    def load_municipality(endpoint, values):
        g.municipality = get_municipality_or_404(values.pop("slug"))

    @bp.url_defaults
    def add_slug(endpoint, values):
        if "slug" not in values and g.get("municipality") is not None:
            values["slug"] = g.municipality.slug

    return bp


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive time typed in a form, in the URL's municipality's zone, as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=ZoneInfo(g.municipality.timezone)).astimezone(UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    """A stored time as the naive local time a form field shows."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(g.municipality.timezone)).replace(tzinfo=None)

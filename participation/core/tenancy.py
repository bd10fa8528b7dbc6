"""Municipality-scoped blueprints: ``/<slug>/...`` loads ``g.municipality`` once.

A view marked :func:`reads_its_municipality` gets only ``g.municipality_slug`` and scopes
its own query by it (the ballot's cast reads the town, the cycle and the pool in one
query); :func:`municipality_of_request` loads the town there when a page is to be shown."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, g
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
        g.municipality_slug = values.pop("slug")
        view = current_app.view_functions.get(endpoint)
        if not getattr(view, "reads_its_municipality", False):
            g.municipality = get_municipality_or_404(g.municipality_slug)

    @bp.url_defaults
    def add_slug(endpoint, values):
        if "slug" in values:
            return
        if g.get("municipality") is not None:  # its slug may have just changed
            values["slug"] = g.municipality.slug
        elif g.get("municipality_slug") is not None:
            values["slug"] = g.municipality_slug

    return bp


def reads_its_municipality(view):
    """Mark a view that scopes its own query by ``g.municipality_slug`` (404 when nothing
    is found) instead of loading ``g.municipality`` before it runs."""
    view.reads_its_municipality = True
    return view


def municipality_of_request():
    """``g.municipality``, loaded now if the view had not had it loaded."""
    if g.get("municipality") is None:
        g.municipality = get_municipality_or_404(g.municipality_slug)
    return g.municipality


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

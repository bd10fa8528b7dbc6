"""Small factories; each flushes and returns the object."""

from __future__ import annotations

import itertools
from datetime import timedelta

from participation.core import services
from participation.core.models import Country, Municipality, Role, User, utcnow
from participation.extensions import db
from participation.ideas import services as ideas_services
from participation.ideas.models import Idea, IdeaCall, StatusEvent, Submitters
from participation.ideas.rules import IdeaStatus
from participation.maps.services import locate

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_municipality(slug: str | None = None, **fields) -> Municipality:
    n = next(_seq)
    fields.setdefault("name", f"Obec {n}")
    fields.setdefault("country", Country.CZ)
    fields.setdefault("default_language", "cs")
    fields.setdefault("timezone", "Europe/Prague")
    fields.setdefault("currency", "CZK")
    return services.create_municipality(slug=slug or f"obec-{n}", **fields)


def make_user(
    email: str | None = None,
    *,
    municipality: Municipality | None = None,
    roles: tuple[Role, ...] = (),
    confirmed: bool = True,
    platform_admin: bool = False,
    **fields,
) -> User:
    user = services.create_user(
        email or f"person{next(_seq)}@example.test", PASSWORD, confirmed=confirmed, **fields
    )
    user.is_platform_admin = platform_admin
    for role in roles:
        services.grant_role(municipality, user, role, by=None)
    db.session.flush()
    return user


# --- ideas -------------------------------------------------------------------------------

CALL_WINDOWS = {
    # phase -> (opens, closes) relative to now, in days
    "upcoming": (10, 40),
    "open": (-10, 20),
    "closed": (-40, -10),
}


def make_call(
    municipality: Municipality,
    *,
    phase: str = "open",
    categories: tuple[str, ...] = (),
    districts: tuple = (),
    **fields,
) -> IdeaCall:
    """A call for ideas in the given phase (upcoming, open or closed) as of now."""
    now = utcnow()
    opens, closes = CALL_WINDOWS[phase]
    fields.setdefault("title", f"Výzva {next(_seq)}")
    fields.setdefault("description", "")
    fields.setdefault("opens_at", now + timedelta(days=opens))
    fields.setdefault("closes_at", now + timedelta(days=closes))
    fields.setdefault("submitters", Submitters.CONFIRMED_EMAIL)
    fields.setdefault("max_ideas_per_person", None)
    fields.setdefault("location_required", False)
    fields.setdefault("support_threshold", None)
    fields.setdefault("support_deadline", None)
    fields.setdefault("max_images", 3)
    fields.setdefault("appeal_days", 14)
    fields.setdefault("duplicate_distance_m", 150)
    return ideas_services.save_call(
        None,
        municipality,
        None,
        district_ids=[d.id for d in districts],
        category_names=list(categories),
        **fields,
    )


def make_idea(
    call: IdeaCall,
    author: User | None,
    *,
    status: IdeaStatus = IdeaStatus.COLLECTING,
    title: str | None = None,
    description: str = "Popis nápadu.",
    lat: float | None = None,
    lon: float | None = None,
    district=None,
    category=None,
    **fields,
) -> Idea:
    """An idea in a status, written directly (no mail, no follows); public ones have a
    'submitted' step in their history. With a point and no district, the district is
    the one that contains the point."""
    if district is None and lat is not None:
        district = locate(call.municipality, lat, lon)
    idea = Idea(
        call=call,
        municipality_id=call.municipality_id,
        author_id=author.id if author else None,
        title=title or f"Nápad {next(_seq)}",
        description=description,
        status=status,
        lat=lat,
        lon=lon,
        district_id=district.id if district else None,
        category_id=category.id if category else None,
        **fields,
    )
    if status != IdeaStatus.DRAFT:
        idea.submitted_at = fields.get("submitted_at") or utcnow()
        idea.history.append(StatusEvent(status="submitted"))
    db.session.add(idea)
    db.session.flush()
    return idea

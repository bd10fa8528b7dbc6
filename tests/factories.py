"""Small factories; each flushes and returns the object."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

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


# --- consultations -----------------------------------------------------------------------

CONSULTATION_WINDOWS = {
    # status -> (opens, closes) relative to now, in days; drafts are not published
    "draft": (5, 30),
    "scheduled": (5, 30),
    "open": (-5, 20),
    "closed": (-30, -2),
    "report_published": (-30, -2),
}


def make_consultation(
    municipality: Municipality,
    *,
    status: str = "open",
    by: User | None = None,
    districts: tuple = (),
    area=None,
    **fields,
):
    """A consultation in the given status (draft, scheduled, open, closed,
    report_published) as of now. ``report_published`` has no inputs to answer."""
    from participation.consultations import services as consultation_services

    now = utcnow()
    opens, closes = CONSULTATION_WINDOWS[status]
    fields.setdefault("title", f"Konzultace {next(_seq)}")
    fields.setdefault("summary", "O čem se rozhoduje.")
    fields.setdefault("opens_at", now + timedelta(days=opens))
    fields.setdefault("closes_at", now + timedelta(days=closes))
    if districts:
        fields.setdefault("area_kind", "districts")
    elif area is not None:
        fields.setdefault("area_kind", "drawn")
    if by is None:
        by = make_user(municipality=municipality, roles=(Role.COORDINATOR,))
    consultation = consultation_services.save_consultation(
        municipality, None, by, districts=districts, area=area, **fields
    )
    if status != "draft":
        consultation.published_at = now + timedelta(days=min(opens, 0) - 1)
    if status == "report_published":
        consultation.report_published_at = now - timedelta(days=1)
    db.session.flush()
    return consultation


def make_survey(consultation, *, kinds: tuple[str, ...] | None = None, required: bool = False):
    """A section with one question of each kind (all kinds by default); returns the
    questions by kind. Choice questions get three options: "A", "B", "C"."""
    from participation.consultations import services as consultation_services
    from participation.consultations.rules import CHOICE_KINDS, Kind

    section = consultation_services.add_section(consultation, "Otázky")
    questions = {}
    for kind in kinds or tuple(Kind):
        settings = {"kind": kind, "text": f"Otázka {kind}", "required": required}
        if kind == Kind.MULTIPLE:
            settings.update(min_choices=1, max_choices=2)
        if kind == Kind.SCALE:
            settings.update(
                scale_min=1, scale_max=5, scale_min_label="málo", scale_max_label="hodně"
            )
        options = ("A", "B", "C") if Kind(kind) in CHOICE_KINDS else ()
        questions[Kind(kind)] = consultation_services.add_question(
            section, options=options, **settings
        )
    return questions


# --- participatory budgeting ---------------------------------------------------------------

CYCLE_WINDOWS = {
    # phase -> (voting opens, voting closes) relative to now, in days
    "preparation": (10, 30),
    "voting": (-5, 10),
    "counting": (-20, -1),
    "results": (-20, -5),
}
METHOD_DEFAULTS = {
    "approval": {},
    "k_approval": {"k": 3},
    "points": {"points": 10, "points_cap": 5},
    "d21": {"plus_votes": 4, "minus_votes": 2},
}


def make_cycle(
    municipality: Municipality,
    *,
    phase: str = "voting",
    published: bool = True,
    **fields,
):
    """A cycle in the given phase (preparation, voting, counting, results) as of now;
    ``results`` has its results marked published (no result rows)."""
    from participation.budget import services as budget_services

    now = utcnow()
    opens, closes = CYCLE_WINDOWS[phase]
    fields.setdefault("title", f"Participativní rozpočet {next(_seq)}")
    fields.setdefault("year", now.year)
    fields.setdefault("voting_opens_at", now + timedelta(days=opens))
    fields.setdefault("voting_closes_at", now + timedelta(days=closes))
    fields.setdefault("min_age", 15)
    cycle = budget_services.save_cycle(None, municipality, None, **fields)
    if published:
        cycle.published_at = now + timedelta(days=min(opens, 0) - 1)
    if phase == "results":
        cycle.results_published_at = now - timedelta(days=1)
    db.session.flush()
    return cycle


def make_pool(cycle, *, method: str = "approval", district=None, **fields):
    """A pool written directly (any phase), with the method's usual parameters."""
    from participation.budget.models import Pool

    for key, value in METHOD_DEFAULTS[method].items():
        fields.setdefault(key, value)
    fields.setdefault("name", district.name if district is not None else "Celé město")
    fields.setdefault("amount", Decimal("1000000"))
    fields.setdefault("currency", cycle.municipality.currency)
    pool = Pool(cycle=cycle, method=method, district=district, **fields)
    db.session.add(pool)
    db.session.flush()
    return pool


def make_project(pool, *, cost="100000", title: str | None = None, **fields):
    """A project of the pool written directly (any phase)."""
    from participation.budget.models import Project

    project = Project(
        municipality_id=pool.cycle.municipality_id,
        cycle_id=pool.cycle_id,
        pool=pool,
        title=title or f"Projekt {next(_seq)}",
        cost=Decimal(str(cost)),
        **fields,
    )
    db.session.add(project)
    db.session.flush()
    return project

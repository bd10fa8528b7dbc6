"""Use cases of participatory budgeting. Services flush; the request commits.

Each function takes explicit arguments and raises ``BudgetError`` (a translated message)
when the rules refuse what was asked. Every administrative action on a cycle writes an
``AuditEntry`` through :func:`audit`.

Who may vote (:func:`eligibility`) is decided from a *proof*, per the cycle's method:

- ``AccountProof``: a signed-in person with a confirmed email, who declares their
  district and year of birth; their voter key is ``user:<id>``.
- ``CodeProof``: a one-time code from a letter (scope ``budget:<cycle id>``); the
  letter's district, if the batch had one; key ``code:<hash>``.
- ``RegisterProof``: an identifier found in the office's hashed register, which gives
  the district and year of birth; key ``register:<hash>``.

Paper ballots use the same code or register identifier as online voting, so the voter
roll's unique (pool, voter key) refuses whoever already voted by the other channel.
Cycles verified by email accounts take no paper ballots: nothing would tie a paper voter
to an account.

Which pools a voter may use: with ``PoolAccess.ANY`` every pool; with
``PoolAccess.OWN_DISTRICT`` the city-wide pools and the pools of *their* district. Under
``Residence.DISTRICT`` their district is the one the evidence gives (the register's, the
code letter's; declared for accounts, and for codes from a letter to the whole town).
Under ``Residence.MUNICIPALITY`` living in the town is enough and the voter *chooses* a
district (the proof's ``district``; by default the one the evidence gives). Either way, with
``PoolAccess.OWN_DISTRICT`` a voter uses one district's pools only: once they voted in one
district's pool, the others refuse them. Where the evidence gives the district this changes
nothing; where the voter declares it (an account, a letter to the whole town) it is what
stops them from declaring another district to vote again.

Ballot secrecy: :func:`cast` writes the voter roll row and the ballot in one
transaction and no column links them (see ``models``; what the database itself still
reveals to its superuser, the shared transaction id among others, is in architecture.md's
Known limits); the receipt code is returned once and only its hash is kept.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import shutil
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

from flask_babel import format_currency, ngettext
from flask_babel import gettext as _
from sqlalchemy import (
    Integer,
    bindparam,
    delete,
    distinct,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from participation.budget import pabulib, rules, voting
from participation.budget.models import (
    MONEY,
    AuditEntry,
    Ballot,
    BallotLine,
    BudgetCategory,
    Channel,
    Cycle,
    DistrictChoice,
    Implementation,
    Method,
    Milestone,
    Pool,
    PoolAccess,
    PoolResult,
    Project,
    ProjectImage,
    Residence,
    Rule,
    Verification,
    Voter,
)
from participation.budget.voting import Phase, Problem
from participation.core import services as core_services
from participation.core import uploads
from participation.core.models import (
    Country,
    Municipality,
    User,
    UTCDateTime,
    VotingCode,
    utcnow,
)
from participation.extensions import db
from participation.ideas.models import Idea, IdeaCall, Review
from participation.ideas.rules import IdeaStatus
from participation.ideas.services import IMAGE_FOLDER as IDEA_IMAGES
from participation.maps import services as maps_services
from participation.maps.models import District
from participation.maps.services import Place

IMAGE_FOLDER = "budget"
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_SIDE = 1600
THUMBNAIL_SIDE = 400
RECEIPT_LENGTH = 16
# The most the money columns (``models.MONEY``) hold: 999,999,999,999.99.
MONEY_MAX = Decimal(10) ** (MONEY.precision - MONEY.scale) - Decimal(10) ** -MONEY.scale


class BudgetError(ValueError):
    """A refusal with a message for the person who asked. ``messages`` lists every
    problem when there are several (a ballot with two mistakes)."""

    def __init__(self, message: str, messages: Sequence[str] = ()):
        super().__init__(message)
        self.messages = list(messages) or [message]


class WrongPlace(BudgetError):
    """A project's place does not fit its pool (another district than the pool's)."""


class AlreadyVoted(BudgetError):
    """The voter is on the pool's roll already (online or on paper)."""


class DoneLater(BudgetError):
    """A milestone marked done on a day still to come."""


class CategoryInUse(BudgetError):
    """A category to be removed still has projects."""


# --- the audit log -------------------------------------------------------------------------


def _jsonable(value):
    """JSON for what audit details and fates hold: exact numbers as text, dates in ISO
    form, database objects by their id."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, db.Model):
        return value.id
    return str(value)  # Fraction ("1/3"), Decimal


def audit(cycle: Cycle | int, actor: User | None, action: str, **detail) -> AuditEntry:
    """Record an administrative action on ``cycle`` (or the cycle of that id) with its
    details (JSON)."""
    entry = AuditEntry(
        cycle_id=cycle if isinstance(cycle, int) else cycle.id,
        actor_id=actor.id if actor is not None else None,
        action=action,
        detail=json.dumps(detail, default=_jsonable, ensure_ascii=False, sort_keys=True),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def audit_log(cycle: Cycle) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.cycle_id == cycle.id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


# --- cycles, pools, categories --------------------------------------------------------------


def phase(cycle: Cycle, now: datetime | None = None) -> Phase:
    """The cycle's phase by the server's clock."""
    return voting.phase(
        cycle.voting_opens_at,
        cycle.voting_closes_at,
        cycle.results_published_at,
        now or utcnow(),
    )


def cycles_of(municipality: Municipality, include_unpublished: bool = False) -> list[Cycle]:
    statement = select(Cycle).where(Cycle.municipality_id == municipality.id)
    if not include_unpublished:
        statement = statement.where(Cycle.published_at.is_not(None))
    return list(db.session.scalars(statement.order_by(Cycle.year.desc(), Cycle.id.desc())))


CYCLE_FIELDS = (
    "title",
    "year",
    "description",
    "idea_call_id",
    "review_until",
    "voting_opens_at",
    "voting_closes_at",
    "min_age",
    "residence",
    "pool_access",
    "verification",
    "expenditure",
)
# Who may vote, and from when, is fixed once voting opens.
LOCKED_WHEN_VOTING = ("voting_opens_at", "min_age", "residence", "pool_access", "verification")


def save_cycle(cycle: Cycle | None, municipality: Municipality, by: User | None, **fields) -> Cycle:
    """Create or change a cycle (``CYCLE_FIELDS``)."""
    unknown = set(fields) - set(CYCLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown cycle fields: {sorted(unknown)}")
    now = utcnow()
    if cycle is not None:
        current = phase(cycle, now)
        changed = {k for k, v in fields.items() if getattr(cycle, k) != v}
        if current != Phase.PREPARATION and changed & set(LOCKED_WHEN_VOTING):
            raise BudgetError(
                _("Who may vote and when voting opens cannot change once voting has opened.")
            )
        if current in (Phase.COUNTING, Phase.RESULTS) and "voting_closes_at" in changed:
            raise BudgetError(_("Voting has closed; its closing time cannot change."))
        if (
            current == Phase.VOTING
            and "voting_closes_at" in changed
            and fields["voting_closes_at"] <= now
        ):
            raise BudgetError(_("The closing time cannot be moved into the past."))
        if (
            current == Phase.VOTING
            and "voting_closes_at" in changed
            and fields["voting_closes_at"] < cycle.voting_closes_at
        ):
            # Letters, receipts and the pages have promised voters the time set.
            raise BudgetError(_("While voting runs, its closing time can only move later."))
    opens = fields.get("voting_opens_at", cycle.voting_opens_at if cycle else None)
    closes = fields.get("voting_closes_at", cycle.voting_closes_at if cycle else None)
    if opens is None or closes is None:
        raise BudgetError(_("Enter when voting opens and closes."))
    if closes <= opens:
        raise BudgetError(_("Voting must close after it opens."))
    min_age = fields.get("min_age")
    if min_age is not None and not 0 <= min_age <= 120:
        raise BudgetError(_("The minimum age must be between 0 and 120."))
    expenditure = fields.get("expenditure")
    if expenditure is not None and not _storable(expenditure):
        raise BudgetError(_("The expenditure is too large."))
    if expenditure is not None and expenditure < 0:
        raise BudgetError(_("The expenditure cannot be negative."))
    call_id = fields.get("idea_call_id")
    if call_id is not None:
        call = db.session.get(IdeaCall, call_id)
        if call is None or call.municipality_id != municipality.id:
            raise BudgetError(_("Choose a call for ideas of this municipality."))
    created = cycle is None
    if created:
        cycle = Cycle(municipality_id=municipality.id, municipality=municipality)
        db.session.add(cycle)
        changes = dict(fields)
    else:
        changes = {k: v for k, v in fields.items() if getattr(cycle, k) != v}
    for key, value in fields.items():
        setattr(cycle, key, value)
    db.session.flush()
    if created or changes:
        audit(cycle, by, "cycle_created" if created else "cycle_changed", **changes)
    return cycle


# The voter keys of a file's voters (a resident's key is never this).
PABULIB_VOTER = "pabulib:"


def _holds_imported_ballots(cycle: Cycle) -> bool:
    """Whether the cycle's roll holds voters of a file (:func:`import_pabulib` keys them
    ``pabulib:``; a resident's key is their account's, code's or register entry's)."""
    return (
        db.session.scalar(
            select(Voter.id)
            .join(Pool, Pool.id == Voter.pool_id)
            .where(Pool.cycle_id == cycle.id, Voter.voter_key.startswith(PABULIB_VOTER))
            .limit(1)
        )
        is not None
    )


def publish_cycle(cycle: Cycle, by: User | None) -> Cycle:
    """Make the cycle public; it needs at least one pool."""
    if cycle.published_at is not None:
        return cycle
    if not cycle.pools:
        raise BudgetError(_("Add at least one pool before publishing the cycle."))
    if phase(cycle) in (Phase.PREPARATION, Phase.VOTING) and _holds_imported_ballots(cycle):
        raise BudgetError(
            _(
                "The cycle holds ballots imported from a file: published now, residents "
                "would vote beside them. Remove them first, or publish the cycle once voting "
                "has closed."
            )
        )
    cycle.published_at = utcnow()
    db.session.flush()
    audit(cycle, by, "cycle_published")
    return cycle


def _check_preparation(cycle: Cycle, message: str | None = None) -> None:
    if phase(cycle) != Phase.PREPARATION:
        raise BudgetError(message or _("This cannot change once voting has opened."))


POOL_FIELDS = (
    "name",
    "amount",
    "currency",
    "method",
    "rule",
    "max_projects",
    "min_share",
    "k",
    "points",
    "points_cap",
    "plus_votes",
    "minus_votes",
    "changeable",
    "position",
)


def save_pool(
    pool: Pool | None,
    cycle: Cycle,
    by: User | None,
    district: District | None = None,
    **fields,
) -> Pool:
    """Create or change a pool: city-wide without a ``district``, else for that district
    of the same town. The method's parameters are checked; pools fix with the vote."""
    unknown = set(fields) - set(POOL_FIELDS)
    if unknown:
        raise TypeError(f"unknown pool fields: {sorted(unknown)}")
    _check_preparation(cycle, _("Pools cannot change once voting has opened."))
    if pool is not None and pool.cycle_id != cycle.id:
        raise BudgetError(_("This pool belongs to another cycle."))
    if district is not None and district.municipality_id != cycle.municipality_id:
        raise BudgetError(_("Choose a district of this municipality."))
    values = {key: getattr(pool, key) for key in POOL_FIELDS} if pool is not None else {}
    values.update(fields)
    method = values.get("method")
    if method is None:
        raise BudgetError(_("Choose a voting method."))
    method = Method(method)
    rule = Rule(values.get("rule") or Rule.GREEDY)
    amount = values.get("amount")
    if amount is not None and not _storable(amount):
        raise BudgetError(_("The pool's amount is too large."))
    if amount is None or amount <= 0:
        raise BudgetError(_("The pool's amount must be more than zero."))
    if method == Method.K_APPROVAL and not values.get("k"):
        raise BudgetError(_("Enter how many projects a voter may choose."))
    if method == Method.POINTS and not values.get("points"):
        raise BudgetError(_("Enter how many points a voter may give."))
    if method == Method.D21:
        plus = values.get("plus_votes")
        minus = values.get("minus_votes") or 0
        if not plus:
            raise BudgetError(_("Enter how many plus votes a voter has."))
        if minus < 0 or 2 * minus > plus:
            raise BudgetError(_("A voter may have at most half as many minus votes as plus votes."))
        values["minus_votes"] = minus
    if method in (Method.POINTS, Method.D21) and rule != Rule.GREEDY:
        raise BudgetError(
            _("Points and D21 ballots are counted greedily by score; choose the greedy rule.")
        )
    values["rule"] = rule
    values["method"] = method
    values.setdefault("currency", None)
    values["currency"] = (values["currency"] or cycle.municipality.currency).upper()
    created = pool is None
    if created:
        pool = Pool(cycle=cycle)
        db.session.add(pool)
        changes = {k: v for k, v in values.items() if v is not None}
    else:
        changes = {k: v for k, v in values.items() if getattr(pool, k) != v}
    for key, value in values.items():
        setattr(pool, key, value)
    if pool.district_id != (district.id if district else None):
        changes["district"] = district
    pool.district = district
    db.session.flush()
    audit(cycle, by, "pool_created" if created else "pool_changed", pool=pool.id, **changes)
    return pool


def delete_pool(pool: Pool, by: User | None) -> None:
    cycle = pool.cycle
    _check_preparation(cycle, _("Pools cannot change once voting has opened."))
    if pool.projects:
        raise BudgetError(_("Move or delete the pool's projects first."))
    audit(cycle, by, "pool_deleted", pool=pool.id, name=pool.name)
    cycle.pools.remove(pool)
    db.session.flush()


def change_pool_rule(pool: Pool, rule: Rule, by: User | None) -> Pool:
    """Change how the pool's winners are picked: allowed until voting closes (the rule
    does not change the ballot). Points and D21 ballots are counted greedily."""
    cycle = pool.cycle
    if phase(cycle) not in (Phase.PREPARATION, Phase.VOTING):
        raise BudgetError(_("The rule cannot change once voting has closed."))
    rule = Rule(rule)
    if pool.method in (Method.POINTS, Method.D21) and rule != Rule.GREEDY:
        raise BudgetError(
            _("Points and D21 ballots are counted greedily by score; choose the greedy rule.")
        )
    if pool.rule != rule:
        pool.rule = rule
        db.session.flush()
        audit(cycle, by, "pool_changed", pool=pool.id, rule=rule)
    return pool


def save_categories(cycle: Cycle, by: User | None, names: Iterable[str]) -> list[BudgetCategory]:
    """Set the cycle's categories; existing ones are matched by name, so projects keep them.
    A category that projects still have is not removed (nor renamed: a new name is a new
    category): removing it would take it from them without a word."""
    existing = {c.name: c for c in cycle.categories}
    wanted = sorted(dict.fromkeys(name.strip() for name in names if name.strip()))
    removed = [c.id for name, c in existing.items() if name not in wanted and c.id is not None]
    if removed:
        used = db.session.execute(
            select(BudgetCategory.name, func.count(Project.id))
            .join(Project, Project.category_id == BudgetCategory.id)
            .where(BudgetCategory.id.in_(removed))
            .group_by(BudgetCategory.name)
            .order_by(BudgetCategory.name)
        ).all()
        if used:
            messages = [
                ngettext(
                    "The category “%(name)s” has %(num)d project: give it another category "
                    "first, then remove this one.",
                    "The category “%(name)s” has %(num)d projects: give them another "
                    "category first, then remove this one.",
                    count,
                    name=name,
                )
                for name, count in used
            ]
            raise CategoryInUse(" ".join(messages), messages)
    cycle.categories = [existing.get(name) or BudgetCategory(name=name) for name in wanted]
    db.session.flush()
    if set(wanted) != set(existing):
        audit(cycle, by, "categories_changed", categories=wanted)
    return cycle.categories


def pools_total(cycle: Cycle) -> Decimal:
    return sum((pool.amount for pool in cycle.pools), Decimal(0))


def minimum_total_warning(cycle: Cycle) -> str | None:
    """For a Polish city with county rights (it enters its ``expenditure``), a warning
    when the pools add up to less than 0.5% of it. A warning only: the council decides."""
    if cycle.municipality.country != Country.PL:
        return None
    total = pools_total(cycle)
    minimum = voting.total_below_minimum(total, cycle.expenditure)
    if minimum is None:
        return None
    currency = cycle.municipality.currency
    return _(
        "The pools add up to %(total)s, less than 0.5%% of the expenditure (%(minimum)s), "
        "the legal minimum in a city with county rights.",
        total=format_currency(total, currency),
        minimum=format_currency(minimum, currency),
    )


# --- projects --------------------------------------------------------------------------------

PROJECT_FIELDS = ("title", "description", "cost", "cost_note", "external_id")


def _check_project_target(cycle: Cycle, pool: Pool, category: BudgetCategory | None) -> None:
    if pool.cycle_id != cycle.id:
        raise BudgetError(_("Choose a pool of this cycle."))
    if category is not None and category.cycle_id != cycle.id:
        raise BudgetError(_("Choose a category of this cycle."))


def _storable(amount: Decimal) -> bool:
    """Whether the money columns can hold ``amount`` (finite, at most ``MONEY_MAX``)."""
    return Decimal(amount).is_finite() and abs(amount) <= MONEY_MAX


def _check_cost(cost) -> None:
    if cost is not None and not _storable(cost):
        raise BudgetError(_("The cost is too large."))
    if cost is None or cost <= 0:
        raise BudgetError(_("The cost must be more than zero."))


def save_project(
    project: Project | None,
    cycle: Cycle,
    pool: Pool,
    by: User | None,
    category: BudgetCategory | None = None,
    place: Place | None = None,
    **fields,
) -> Project:
    """Create or change a project entered directly (``PROJECT_FIELDS``); refused once
    voting has opened."""
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise TypeError(f"unknown project fields: {sorted(unknown)}")
    _check_preparation(cycle, _("Projects cannot change once voting has opened."))
    _check_project_target(cycle, pool, category)
    if project is not None and project.cycle_id != cycle.id:
        raise BudgetError(_("This project belongs to another cycle."))
    if project is None or "cost" in fields:
        _check_cost(fields.get("cost"))
    if not (fields.get("title") or (project and project.title) or "").strip():
        raise BudgetError(_("Enter the project's title."))
    if place is not None and place.district is not None:
        if place.district.municipality_id != cycle.municipality_id:
            raise BudgetError(_("Choose a place in this municipality."))
    district_id = place.district.id if place and place.district else None
    if place is None and project is not None:
        district_id = project.district_id
    if pool.district_id is not None and district_id not in (None, pool.district_id):
        raise WrongPlace(_("The place is in another district than the pool's."))
    created = project is None
    if created:
        project = Project(cycle=cycle, cycle_id=cycle.id, municipality_id=cycle.municipality_id)
        db.session.add(project)
    project.pool = pool
    project.category = category
    for key, value in fields.items():
        setattr(project, key, value.strip() if isinstance(value, str) else value)
    if place is not None:
        project.lat, project.lon, project.address = place.lat, place.lon, place.address
        project.district = place.district
    db.session.flush()
    audit(
        cycle,
        by,
        "project_created" if created else "project_changed",
        project=project.id,
        pool=pool.id,
        **fields,
    )
    return project


def _copy_image(source_folder: str, name: str) -> str | None:
    """A copy of a stored upload under the budget folder, or None if the file is gone."""
    source = uploads.upload_folder(source_folder) / Path(name).name
    if not source.exists():
        return None
    copy = f"{secrets.token_hex(8)}{source.suffix}"
    shutil.copyfile(source, uploads.upload_folder(IMAGE_FOLDER) / copy)
    return copy


def project_from_idea(
    cycle: Cycle, idea: Idea, pool: Pool, cost, by: User | None, cost_note: str = ""
) -> Project:
    """Make an accepted idea a project in one step, keeping the link to the idea, its
    place and copies of its images. An idea becomes at most one project per cycle."""
    _check_preparation(cycle, _("Projects cannot change once voting has opened."))
    _check_project_target(cycle, pool, None)
    if idea.municipality_id != cycle.municipality_id:
        raise BudgetError(_("Choose an idea of this municipality."))
    if idea.status != IdeaStatus.ACCEPTED:
        raise BudgetError(_("Only accepted ideas can become projects."))
    _check_cost(cost)
    taken = db.session.scalar(
        select(Project.id).where(Project.cycle_id == cycle.id, Project.idea_id == idea.id)
    )
    if taken is not None:
        raise BudgetError(_("This idea is already a project in this cycle."))
    if (
        pool.district_id is not None
        and idea.district_id is not None
        and idea.district_id != pool.district_id
    ):
        raise BudgetError(_("The idea's place is in another district than the pool's."))
    # Ids, not objects: the project joins the session only inside the savepoint below.
    project = Project(
        municipality_id=cycle.municipality_id,
        cycle_id=cycle.id,
        pool_id=pool.id,
        idea_id=idea.id,
        title=idea.title,
        description=idea.description,
        cost=cost,
        cost_note=cost_note.strip(),
        lat=idea.lat,
        lon=idea.lon,
        address=idea.address,
        district_id=idea.district_id,
    )
    copied: list[str] = []
    for image in idea.images:
        filename = _copy_image(IDEA_IMAGES, image.filename)
        if filename is None:
            continue
        thumbnail = _copy_image(IDEA_IMAGES, image.thumbnail) or filename
        copied += [filename, thumbnail]
        project.images.append(
            ProjectImage(
                filename=filename, thumbnail=thumbnail, alt=image.alt, position=image.position
            )
        )
    try:
        with db.session.begin_nested():
            db.session.add(project)
            db.session.flush()
    except IntegrityError:
        for name in copied:
            uploads.remove_file(IMAGE_FOLDER, name)
        raise BudgetError(_("This idea is already a project in this cycle.")) from None
    db.session.expire(pool, ["projects"])
    audit(cycle, by, "project_from_idea", project=project.id, idea=idea.id, pool=pool.id, cost=cost)
    return project


def delete_project(project: Project, by: User | None) -> None:
    cycle = project.cycle
    _check_preparation(cycle, _("Projects cannot change once voting has opened."))
    for image in project.images:
        uploads.remove_file(IMAGE_FOLDER, image.filename)
        uploads.remove_file(IMAGE_FOLDER, image.thumbnail)
    audit(cycle, by, "project_deleted", project=project.id, title=project.title)
    db.session.delete(project)
    db.session.flush()


# The pictures of a project before the vote (copies of its idea's included; photos of
# the implementation are not counted). An idea has at most 10 (ideas' max_images).
PROJECT_IMAGES_MAX = 10


class ProjectImageError(BudgetError):
    """The uploaded pictures cannot be added (a file, or how many); nothing was stored."""


def project_pictures(project: Project) -> list[ProjectImage]:
    """The project's pictures: from its idea or added by staff, not implementation photos."""
    return [image for image in project.images if not image.implementation]


def image_named(municipality: Municipality, name: str) -> ProjectImage | None:
    """The picture (or its thumbnail) stored under ``name``, of a project of this
    municipality; ``None`` for a file of another town or none of ours."""
    return db.session.scalar(
        select(ProjectImage)
        .join(Project, Project.id == ProjectImage.project_id)
        .where(
            Project.municipality_id == municipality.id,
            (ProjectImage.filename == name) | (ProjectImage.thumbnail == name),
        )
        .limit(1)
    )


def add_project_images(
    project: Project, by: User | None, files: Iterable[FileStorage], alt: str = ""
) -> list[ProjectImage]:
    """Add pictures to a project in preparation, each checked and re-encoded like every
    upload; all of them or none (a refused file leaves no file and no row)."""
    _check_preparation(project.cycle, _("Projects cannot change once voting has opened."))
    files = [upload for upload in files if upload and upload.filename]
    if not files:
        return []
    if len(project_pictures(project)) + len(files) > PROJECT_IMAGES_MAX:
        raise ProjectImageError(
            ngettext(
                "A project may have at most %(num)d image.",
                "A project may have at most %(num)d images.",
                PROJECT_IMAGES_MAX,
            )
        )
    stored: list[tuple[str, str]] = []
    try:
        for upload in files:
            name = uploads.save_image(upload, IMAGE_FOLDER, IMAGE_MAX_BYTES, IMAGE_MAX_SIDE)
            stored.append((name, uploads.thumbnail(IMAGE_FOLDER, name, THUMBNAIL_SIDE)))
    except uploads.UploadError as error:
        for name, thumb in stored:
            uploads.remove_file(IMAGE_FOLDER, name)
            uploads.remove_file(IMAGE_FOLDER, thumb)
        raise ProjectImageError(str(error)) from None
    start = max((image.position for image in project.images), default=-1) + 1
    added = [
        ProjectImage(filename=name, thumbnail=thumb, alt=alt.strip()[:200], position=position)
        for position, (name, thumb) in enumerate(stored, start=start)
    ]
    project.images.extend(added)
    db.session.flush()
    audit(
        project.cycle,
        by,
        "project_images_added",
        project=project.id,
        images=[image.id for image in added],
    )
    return added


def remove_project_image(image: ProjectImage, by: User | None) -> None:
    """Remove a picture of a project in preparation, its files with it. (Photos of the
    implementation come after the results, when the check below refuses.)"""
    project = image.project
    _check_preparation(project.cycle, _("Projects cannot change once voting has opened."))
    project.images.remove(image)
    db.session.flush()
    uploads.remove_file(IMAGE_FOLDER, image.filename)
    uploads.remove_file(IMAGE_FOLDER, image.thumbnail)
    audit(project.cycle, by, "project_image_removed", project=project.id, image=image.id)


def ideas_for_projects(cycle: Cycle) -> list[tuple[Idea, Decimal | None]]:
    """The accepted ideas of the cycle's call that are not yet its projects, each with
    the cost estimate of its latest review (for staff to confirm or change)."""
    if cycle.idea_call_id is None:
        return []
    taken = select(Project.idea_id).where(
        Project.cycle_id == cycle.id, Project.idea_id.is_not(None)
    )
    ideas = list(
        db.session.scalars(
            select(Idea)
            .where(
                Idea.call_id == cycle.idea_call_id,
                Idea.status == IdeaStatus.ACCEPTED,
                Idea.id.not_in(taken),
            )
            .order_by(Idea.title, Idea.id)
        )
    )
    estimates: dict[int, Decimal | None] = {}
    for idea_id, estimate in db.session.execute(
        select(Review.idea_id, Review.cost_estimate)
        .where(Review.idea_id.in_([idea.id for idea in ideas]))
        .order_by(Review.id)
    ):
        estimates[idea_id] = estimate  # the latest review wins
    return [(idea, estimates.get(idea.id)) for idea in ideas]


# --- the register and voting codes, audited -------------------------------------------------


def code_scope(cycle: Cycle) -> str:
    return f"budget:{cycle.id}"


def import_resident_register(
    cycle: Cycle, csv_text: str, by: User | None
) -> core_services.RegisterReport:
    """Replace the town's register (see ``core.services.import_register``), audited in the
    cycle it was imported for."""
    municipality = cycle.municipality
    codes = db.session.scalars(
        select(District.code).where(
            District.municipality_id == municipality.id, District.code.is_not(None)
        )
    )
    report = core_services.import_register(municipality, csv_text, set(codes))
    if not report.errors:
        audit(cycle, by, "register_imported", imported=report.imported, replaced=report.replaced)
    return report


def cycles_voting_by_register(municipality: Municipality) -> list[Cycle]:
    """The town's cycles whose voting is open now and checks voters against the register:
    replacing the register changes who may still vote in them."""
    cycles = db.session.scalars(
        select(Cycle).where(
            Cycle.municipality_id == municipality.id,
            Cycle.verification == Verification.REGISTER,
        )
    )
    return [cycle for cycle in cycles if phase(cycle) == Phase.VOTING]


def generate_voting_codes(
    cycle: Cycle, count: int, batch: str, by: User | None, district: District | None = None
) -> list[str]:
    """A batch of one-time codes for the cycle's letters (optionally one district's)."""
    if cycle.verification != Verification.CODE:
        raise BudgetError(_("This cycle does not use voting codes."))
    if district is not None and (
        district.municipality_id != cycle.municipality_id or not district.code
    ):
        raise BudgetError(_("Choose a district of this municipality that has a code."))
    batch = batch.strip()
    if not batch:
        raise BudgetError(_("Name the batch."))
    codes = core_services.generate_codes(
        cycle.municipality,
        code_scope(cycle),
        count,
        batch,
        district_code=district.code if district else None,
    )
    audit(cycle, by, "codes_generated", batch=batch, count=count, district=district)
    return codes


def show_codes(cycle: Cycle, batch: str, by: User | None) -> list:
    """The batch's codes still in clear, for its letters; each showing is in the audit log
    (whoever sees a code can cast its ballot)."""
    codes = core_services.codes_to_print(cycle.municipality, code_scope(cycle), batch)
    if codes:
        audit(cycle, by, "codes_shown", batch=batch, count=len(codes))
    return codes


def mark_codes_printed(cycle: Cycle, batch: str, by: User | None) -> int:
    erased = core_services.mark_batch_printed(cycle.municipality, code_scope(cycle), batch)
    audit(cycle, by, "codes_printed", batch=batch, count=erased)
    return erased


@dataclass(frozen=True)
class CodeBatch:
    name: str
    count: int
    used: int
    to_print: int  # codes still kept in clear
    district_code: str | None
    printed_at: datetime | None


def code_batches(cycle: Cycle) -> list[CodeBatch]:
    """The cycle's batches of voting codes, oldest first, with how many were used."""
    rows = db.session.execute(
        select(
            VotingCode.batch,
            func.count(),
            func.count(VotingCode.used_at),
            func.count(VotingCode.code),
            func.min(VotingCode.district_code),
            func.max(VotingCode.printed_at),
            func.min(VotingCode.id),
        )
        .where(
            VotingCode.municipality_id == cycle.municipality_id,
            VotingCode.scope == code_scope(cycle),
        )
        .group_by(VotingCode.batch)
        .order_by(func.min(VotingCode.id))
    )
    return [
        CodeBatch(name, count, used, to_print, district_code, printed_at)
        for name, count, used, to_print, district_code, printed_at, _first in rows
    ]


# --- eligibility -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountProof:
    """A signed-in person, with the district and year of birth they declare."""

    user: User
    district: District | None = None
    birth_year: int | None = None


@dataclass(frozen=True)
class CodeProof:
    """A code from a letter; ``district`` is the voter's declaration or choice where the
    letter has none or the cycle lets them choose; ``birth_year`` is checked if given."""

    code: str
    district: District | None = None
    birth_year: int | None = None


@dataclass(frozen=True)
class RegisterProof:
    """An identifier to look up in the register; ``district`` is a choice where the cycle
    lets the voter choose (``Residence.MUNICIPALITY``)."""

    identifier: str
    district: District | None = None


Proof = AccountProof | CodeProof | RegisterProof

PROOF_METHODS = {
    AccountProof: Verification.EMAIL,
    CodeProof: Verification.CODE,
    RegisterProof: Verification.REGISTER,
}


@dataclass(frozen=True)
class Eligibility:
    """Who is voting (as a key of the voter roll), where they live, and where they may vote."""

    cycle_id: int
    method: Verification
    voter_key: str
    district: District | None
    pools: tuple[Pool, ...]
    voted_pool_ids: frozenset[int] = frozenset()
    code_id: int | None = None

    @property
    def open_pools(self) -> tuple[Pool, ...]:
        """The pools they may still vote in."""
        return tuple(p for p in self.pools if p.id not in self.voted_pool_ids)

    def voter_pass(self) -> VoterPass:
        return VoterPass(
            cycle_id=self.cycle_id,
            method=Verification(self.method),
            voter_key=self.voter_key,
            district_id=self.district.id if self.district is not None else None,
            pool_ids=frozenset(p.id for p in self.pools),
            code_id=self.code_id,
        )


@dataclass(frozen=True)
class VoterPass:
    """A voter as a cast needs them, without loading anything: their roll key, their
    district's id, the ids of the pools they may use and the code they proved it with
    (an :class:`Eligibility` reduced, as the session carries it between proof and cast)."""

    cycle_id: int
    method: Verification
    voter_key: str
    district_id: int | None
    pool_ids: frozenset[int]
    code_id: int | None = None


def _district_by_code(municipality_id: int, code: str | None) -> District | None:
    if not code:
        return None
    return db.session.scalar(
        select(District).where(District.municipality_id == municipality_id, District.code == code)
    )


def _check_age(cycle: Cycle, birth_year: int | None, required: bool) -> None:
    if birth_year is None:
        if required and cycle.min_age > 0:
            raise BudgetError(_("Enter your year of birth."))
        return
    if voting.age_on(birth_year, utcnow()) < cycle.min_age:
        raise BudgetError(
            _(
                "You must be at least %(age)d years old to vote in this cycle.",
                age=cycle.min_age,
            )
        )


def _other_district_voted(cycle_id: int, voter_key: str, district_id: int | None) -> bool:
    """Whether the voter has a ballot in another district's pool than ``district_id`` (any
    district's, for ``None``)."""
    statement = (
        select(Voter.id)
        .join(Pool, Pool.id == Voter.pool_id)
        .where(Pool.cycle_id == cycle_id, Voter.voter_key == voter_key)
        .where(Pool.district_id.is_not(None))
    )
    if district_id is not None:
        statement = statement.where(Pool.district_id != district_id)
    return db.session.scalar(statement.limit(1)) is not None


def _insert_unless_present(table):
    """``INSERT … ON CONFLICT`` for the session's database (PostgreSQL or SQLite), to be
    given ``.on_conflict_do_nothing(...)``: a row a unique constraint already holds is
    skipped, not an error."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table)


def _choose_district(cycle_id: int, voter_key: str, district_id: int) -> None:
    """Under one-district voting, record the district of the voter's first ballot in a
    district pool, or refuse a ballot in another district's. The roll is asked too, for
    ballots cast before choices were recorded; the choice's unique (cycle, voter key) is
    what holds when two ballots in two districts arrive at once."""
    if _other_district_voted(cycle_id, voter_key, district_id):
        raise BudgetError(_("You have already voted in another district's pool."))
    table = DistrictChoice.__table__
    db.session.execute(
        _insert_unless_present(table)
        .values(cycle_id=cycle_id, voter_key=voter_key, district_id=district_id)
        .on_conflict_do_nothing(index_elements=[table.c.cycle_id, table.c.voter_key])
    )
    chosen = db.session.scalar(
        select(table.c.district_id).where(
            table.c.cycle_id == cycle_id, table.c.voter_key == voter_key
        )
    )
    if chosen != district_id:
        raise BudgetError(_("You have already voted in another district's pool."))


def _one_district(pool_access: PoolAccess) -> bool:
    """Whether a voter may use one district's pools only: with their own district's pools
    (``PoolAccess.OWN_DISTRICT``) under either residence rule. A district the voter
    declares is theirs once they voted in its pool, or a second declaration would open
    another district's pool to the same voter."""
    return pool_access == PoolAccess.OWN_DISTRICT


def eligibility(cycle: Cycle, proof: Proof) -> Eligibility:
    """Check the proof against the cycle's verification method, age and residence;
    return the voter's key, district and pools, or raise ``BudgetError``."""
    method = PROOF_METHODS.get(type(proof))
    if method is None or method != cycle.verification:
        raise BudgetError(_("This cycle does not accept this way of proving who you are."))
    municipality = cycle.municipality
    has_district_pools = any(p.district_id is not None for p in cycle.pools)
    code_id = None
    if isinstance(proof, AccountProof):
        user = proof.user
        if user is None or not user.is_authenticated or not user.is_active:
            raise BudgetError(_("Sign in to vote."))
        if not user.email_confirmed:
            raise BudgetError(_("Confirm your email address before voting."))
        _check_age(cycle, proof.birth_year, required=True)
        voter_key = f"user:{user.id}"
        evidence_district = None
        declared = proof.district
        if declared is None and has_district_pools and cycle.pool_access == PoolAccess.OWN_DISTRICT:
            raise BudgetError(_("Choose the district you live in."))
    elif isinstance(proof, CodeProof):
        code = core_services.find_code(municipality, code_scope(cycle), proof.code)
        if code is None:
            raise BudgetError(_("This voting code is not valid. Check it and try again."))
        _check_age(cycle, proof.birth_year, required=False)
        voter_key = f"code:{code.code_hash}"
        evidence_district = _district_by_code(municipality.id, code.district_code)
        declared = proof.district
        code_id = code.id
    else:
        entry = core_services.find_register_entry(municipality, proof.identifier)
        if entry is None:
            raise BudgetError(_("This identifier is not in the register of residents."))
        _check_age(cycle, entry.birth_year, required=False)
        voter_key = f"register:{entry.id_hash}"
        evidence_district = _district_by_code(municipality.id, entry.district_code)
        # The register is authoritative where residence decides the pool.
        declared = proof.district if cycle.residence == Residence.MUNICIPALITY else None
    if declared is not None and declared.municipality_id != municipality.id:
        raise BudgetError(_("Choose a district of this municipality."))
    if cycle.residence == Residence.DISTRICT:
        district = evidence_district or declared
    else:
        district = declared or evidence_district
    if cycle.pool_access == PoolAccess.ANY:
        pools = tuple(cycle.pools)
    else:
        pools = tuple(
            p
            for p in cycle.pools
            if p.district_id is None or (district is not None and p.district_id == district.id)
        )
    if not pools:
        raise BudgetError(_("There is no pool you may vote in."))
    if _one_district(cycle.pool_access) and _other_district_voted(
        cycle.id, voter_key, district.id if district else None
    ):
        raise BudgetError(_("You have already voted in another district's pool."))
    voted = frozenset(
        db.session.scalars(
            select(Voter.pool_id).where(
                Voter.voter_key == voter_key, Voter.pool_id.in_([p.id for p in pools])
            )
        )
    )
    if code_id is not None and voted >= {p.id for p in pools}:
        raise BudgetError(_("This voting code has already been used."))
    return Eligibility(
        cycle_id=cycle.id,
        method=method,
        voter_key=voter_key,
        district=district,
        pools=pools,
        voted_pool_ids=voted,
        code_id=code_id,
    )


# --- casting ballots -------------------------------------------------------------------------


def pool_spec(pool: Pool) -> voting.PoolSpec:
    return voting.PoolSpec(
        method=Method(pool.method).value,
        amount=pool.amount,
        max_projects=pool.max_projects,
        min_share=pool.min_share,
        k=pool.k,
        points=pool.points,
        points_cap=pool.points_cap,
        plus_votes=pool.plus_votes,
        minus_votes=pool.minus_votes,
    )


def pool_costs(pool: Pool) -> dict[int, Decimal]:
    rows = db.session.execute(select(Project.id, Project.cost).where(Project.pool_id == pool.id))
    return {project_id: cost for project_id, cost in rows}


def ballot_pool(
    municipality: Municipality, cycle_id: int, pool_id: int
) -> tuple[Cycle, Pool, dict[int, Decimal]] | None:
    """The cycle, the pool (of that cycle and town) and its projects' costs, in one query:
    the ballot's pages show them. ``None`` when there is no such pool."""
    rows = db.session.execute(
        select(Cycle, Pool, Project.id, Project.cost)
        .join(Pool, Pool.cycle_id == Cycle.id)
        .outerjoin(Project, Project.pool_id == Pool.id)
        .where(
            Cycle.id == cycle_id,
            Cycle.municipality_id == municipality.id,
            Pool.id == pool_id,
        )
    ).all()
    if not rows:
        return None
    costs = {row[2]: row[3] for row in rows if row[2] is not None}
    return rows[0][0], rows[0][1], costs


@dataclass(frozen=True)
class BallotRules:
    """All that a ballot in one pool is checked and cast against, as plain values: the
    voting window and its cycle's settings, the pool's method and its projects' costs.
    Read with the cast's own transaction (:func:`ballot_rules`), or taken from loaded
    objects (:meth:`of`)."""

    cycle_id: int
    published: bool
    voting_opens_at: datetime
    voting_closes_at: datetime
    results_published_at: datetime | None
    verification: Verification
    one_district_only: bool
    pool_id: int
    district_id: int | None
    currency: str
    spec: voting.PoolSpec
    costs: Mapping[int, Decimal]
    # and what the receipt page says
    cycle_title: str
    pool_name: str
    changeable: bool

    def phase(self, now: datetime | None = None) -> Phase:
        return voting.phase(
            self.voting_opens_at,
            self.voting_closes_at,
            self.results_published_at,
            now or utcnow(),
        )

    def voting_open(self, now: datetime | None = None) -> bool:
        return voting.voting_open(self.published, self.phase(now))

    @classmethod
    def of(cls, pool: Pool, costs: Mapping[int, Decimal] | None = None) -> BallotRules:
        cycle = pool.cycle
        return cls(
            cycle_id=cycle.id,
            published=cycle.published_at is not None,
            voting_opens_at=cycle.voting_opens_at,
            voting_closes_at=cycle.voting_closes_at,
            results_published_at=cycle.results_published_at,
            verification=Verification(cycle.verification),
            one_district_only=_one_district(cycle.pool_access),
            pool_id=pool.id,
            district_id=pool.district_id,
            currency=pool.currency,
            spec=pool_spec(pool),
            costs=pool_costs(pool) if costs is None else costs,
            cycle_title=cycle.title,
            pool_name=pool.name,
            changeable=pool.changeable,
        )


def _ballot_rules_query():
    c, p, pr = Cycle.__table__.c, Pool.__table__.c, Project.__table__.c
    spec = [getattr(p, name) for name in _SPEC_FIELDS]
    return (
        select(
            c.published_at,
            c.voting_opens_at,
            c.voting_closes_at,
            c.results_published_at,
            c.verification,
            c.pool_access,
            c.title,
            p.district_id,
            p.currency,
            p.name,
            p.changeable,
            *spec,
            pr.id.label("project_id"),
            pr.cost,
        )
        .select_from(
            Cycle.__table__.join(Pool.__table__, p.cycle_id == c.id).outerjoin(
                Project.__table__, pr.pool_id == p.id
            )
        )
        .where(
            c.municipality_id == bindparam("municipality"),
            c.id == bindparam("cycle"),
            p.id == bindparam("pool"),
        )
    )


_SPEC_FIELDS = [f.name for f in dataclass_fields(voting.PoolSpec)]
_BALLOT_RULES = _ballot_rules_query()


def ballot_rules(municipality: Municipality, cycle_id: int, pool_id: int) -> BallotRules | None:
    """The rules of the pool ``pool_id`` of the cycle ``cycle_id`` of ``municipality``, in
    one query (Core rows, no objects: what a cast reads); ``None`` when there is none."""
    rows = db.session.execute(
        _BALLOT_RULES, {"municipality": municipality.id, "cycle": cycle_id, "pool": pool_id}
    ).all()
    if not rows:
        return None
    first = rows[0]
    spec = {name: getattr(first, name) for name in _SPEC_FIELDS}
    spec["method"] = Method(spec["method"]).value
    return BallotRules(
        cycle_id=cycle_id,
        published=first.published_at is not None,
        voting_opens_at=first.voting_opens_at,
        voting_closes_at=first.voting_closes_at,
        results_published_at=first.results_published_at,
        verification=Verification(first.verification),
        one_district_only=_one_district(first.pool_access),
        pool_id=pool_id,
        district_id=first.district_id,
        currency=first.currency,
        spec=voting.PoolSpec(**spec),
        costs={row.project_id: row.cost for row in rows if row.project_id is not None},
        cycle_title=first.title,
        pool_name=first.name,
        changeable=first.changeable,
    )


def problem_message(error: voting.Error, currency: str, method: str = "") -> str:
    """A ballot problem in the voter's words (``method``: the pool's, for a value it does
    not allow). One about a project does not name it: :class:`BallotProblem` does."""
    params = error.params
    match error.problem:
        case Problem.EMPTY:
            return _("Choose at least one project.")
        case Problem.UNKNOWN_PROJECT:
            return _("The ballot names a project that is not in this pool.")
        case Problem.OVER_BUDGET:
            return _(
                "Your projects cost %(total)s, more than the pool's %(amount)s.",
                total=format_currency(params["total"], currency),
                amount=format_currency(params["amount"], currency),
            )
        case Problem.UNDER_MIN_SHARE:
            return _(
                "Your projects cost %(total)s; choose projects worth at least %(minimum)s.",
                total=format_currency(params["total"], currency),
                minimum=format_currency(params["minimum"], currency),
            )
        case Problem.TOO_MANY_PROJECTS:
            return ngettext(
                "Choose at most %(num)d project.", "Choose at most %(num)d projects.", params["max"]
            )
        case Problem.BAD_VALUE:
            if method == "points":
                return _("Points cannot be negative.")
            if method == "d21":
                return _("Choose a plus vote, a minus vote or no vote.")
            if method in ("approval", "k_approval"):
                return _("Choose the project or leave it out.")
            return _("The ballot has a value this voting method does not allow.")
        case Problem.TOO_MANY_POINTS:
            return _(
                "You gave %(used)d points; you have %(max)d.",
                used=params["used"],
                max=params["max"],
            )
        case Problem.OVER_POINTS_CAP:
            cap = params["cap"]
            return ngettext(
                "At most %(num)d point per project.", "At most %(num)d points per project.", cap
            )
        case Problem.TOO_MANY_PLUS:
            return ngettext(
                "You have at most %(num)d plus vote.",
                "You have at most %(num)d plus votes.",
                params["max"],
            )
        case Problem.TOO_MANY_MINUS:
            return ngettext(
                "You have at most %(num)d minus vote.",
                "You have at most %(num)d minus votes.",
                params["max"],
            )
        case Problem.MINUS_TOO_EARLY:
            return _("A minus vote needs at least two plus votes first.")
        case Problem.MINUS_NOT_ALLOWED:
            return _("This pool has no minus votes.")
    raise ValueError(f"unknown ballot problem {error.problem!r}")  # pragma: no cover


@dataclass(frozen=True)
class BallotProblem:
    """One problem of a refused ballot: ``message`` in the voter's words; ``project_id``
    and ``project_title`` when it is about one project of the pool (its control shows the
    message beside it), else None and "" (the whole ballot)."""

    message: str
    project_id: int | None = None
    project_title: str = ""

    def __str__(self) -> str:
        """The problem as a list of them says it, naming the project it is about."""
        return f"{self.project_title}: {self.message}" if self.project_title else self.message


class BallotRefused(BudgetError):
    """A ballot the voting method does not allow; ``problems`` says which projects."""

    def __init__(self, problems: Sequence[BallotProblem]):
        self.problems = list(problems)
        messages = [str(p) for p in self.problems]
        super().__init__(" ".join(messages), messages)


def _clean_values(values: Mapping) -> dict[int, int]:
    try:
        return {int(p): int(v) for p, v in values.items() if int(v) != 0}
    except (TypeError, ValueError):
        raise BudgetError(_("The ballot has a value this voting method does not allow.")) from None


def check_values(
    pool: Pool, values: Mapping, costs: Mapping[int, Decimal] | None = None
) -> dict[int, int]:
    """The ballot's non-zero values, or ``BallotRefused`` with every problem (a
    ``BudgetError``: ``messages`` name the project each is about).
    ``costs`` are the pool's (:func:`ballot_pool`), loaded here when not given."""
    return _checked(
        pool_spec(pool), pool.currency, pool_costs(pool) if costs is None else costs, values
    )


def _checked(
    spec: voting.PoolSpec, currency: str, costs: Mapping[int, Decimal], values: Mapping
) -> dict[int, int]:
    cleaned = _clean_values(values)
    errors = voting.check_ballot(spec, cleaned, costs)
    if errors:
        # Titles of the pool's own projects only: an id from elsewhere names nothing.
        ids = {e.project for e in errors if e.project in costs}
        query = select(Project.id, Project.title).where(Project.id.in_(ids))
        titles = {row.id: row.title for row in db.session.execute(query)} if ids else {}
        raise BallotRefused(
            [
                BallotProblem(
                    problem_message(e, currency, spec.method),
                    e.project if e.project in titles else None,
                    titles.get(e.project, ""),
                )
                for e in errors
            ]
        )
    return cleaned


def new_receipt() -> tuple[str, str]:
    """A receipt code to show once, and the hash we keep."""
    receipt = voting.new_code(RECEIPT_LENGTH)
    return receipt, voting.code_hash(receipt)


# Whether the pool still takes this ballot, asked by the statement that writes it, at the
# time it writes: voting opened and not closed, the cycle published (online), or results
# not yet published (paper, entered also while counting). The closing time is the
# database's row at that moment, not the one read a few milliseconds before.
_WINDOW_HOLDS = """
    EXISTS (
        SELECT 1 FROM budget_cycle c
        WHERE c.id = :cycle_id AND c.voting_opens_at <= :now
          AND c.results_published_at IS NULL
          AND (:paper OR (c.published_at IS NOT NULL AND c.voting_closes_at > :now))
    )
"""

_NOW = bindparam("now", type_=UTCDateTime())

# One statement on PostgreSQL: the roll row (skipped when the voter is on the roll, or
# when the window no longer holds), and only if it went in, the ballot, its lines and the
# code marked used. One round trip, one plan; the ballot's row has no column that names
# the roll row.
_RECORD_BALLOT_POSTGRESQL = text(
    f"""
    WITH roll AS (
        INSERT INTO budget_voter (pool_id, voter_key, channel, district_id, voted_at,
                                  entered_by_id)
        SELECT :pool_id, :voter_key, :channel, :district_id, :now, :entered_by_id
        WHERE {_WINDOW_HOLDS}
        ON CONFLICT (pool_id, voter_key) DO NOTHING
        RETURNING 1
    ), ballot AS (
        INSERT INTO budget_ballot (id, pool_id, receipt_hash, channel)
        SELECT :ballot_id, :pool_id, :receipt_hash, :channel FROM roll
        RETURNING id
    ), lines AS (
        INSERT INTO budget_ballot_line (ballot_id, project_id, value)
        SELECT ballot.id, line.project_id, line.value
        FROM ballot,
             unnest(CAST(:projects AS integer[]), CAST(:values AS integer[]))
                 AS line (project_id, value)
    ), code AS (
        UPDATE core_voting_code SET used_at = :now
        WHERE id = :code_id AND used_at IS NULL AND EXISTS (SELECT 1 FROM roll)
    )
    SELECT count(*) FROM roll
    """
).bindparams(_NOW)

_WINDOW_HOLDS_QUERY = text(f"SELECT {_WINDOW_HOLDS}").bindparams(_NOW)


def _window_holds(rules: BallotRules, channel: Channel, now: datetime) -> bool:
    return bool(db.session.scalar(_WINDOW_HOLDS_QUERY, _window(rules, channel, now)))


def _window(rules: BallotRules, channel: Channel, now: datetime) -> dict:
    return {"cycle_id": rules.cycle_id, "now": now, "paper": channel == Channel.PAPER}


def _record_ballot(
    rules: BallotRules,
    voter_key: str,
    channel: Channel,
    district_id: int | None,
    entered_by_id: int | None,
    code_id: int | None,
    lines: Mapping[int, int],
    now: datetime,
) -> str | None:
    """Write the roll row and, unless the voter is on the roll already, the ballot with
    its lines, and mark the voting code used; return the receipt, or ``None`` when nothing
    was written: the roll refused the voter, or the pool's window no longer holds
    (``_WINDOW_HOLDS``, asked in the same statement).

    ``INSERT … ON CONFLICT DO NOTHING`` on the roll's unique (pool, voter key) lets one
    ballot per voter through, by either channel and also when two arrive at once: the
    second waits for the first's transaction and then finds its row."""
    receipt, receipt_hash = new_receipt()
    ballot_id = uuid.uuid4().hex
    pool_id = rules.pool_id
    if db.session.get_bind().dialect.name == "postgresql":
        recorded = db.session.scalar(
            _RECORD_BALLOT_POSTGRESQL,
            {
                **_window(rules, channel, now),
                "pool_id": pool_id,
                "voter_key": voter_key,
                "channel": channel.value,
                "district_id": district_id,
                "entered_by_id": entered_by_id,
                "ballot_id": ballot_id,
                "receipt_hash": receipt_hash,
                "projects": list(lines),
                "values": list(lines.values()),
                "code_id": code_id,
            },
        )
        return receipt if recorded else None
    # SQLite has no data-modifying WITH: the same rows, one statement each.
    roll = Voter.__table__
    row = select(
        literal(pool_id),
        literal(voter_key),
        literal(channel.value),
        literal(district_id, Integer),
        literal(now, UTCDateTime()),
        literal(entered_by_id, Integer),
    ).where(text(_WINDOW_HOLDS).bindparams(_NOW).bindparams(**_window(rules, channel, now)))
    on_roll = db.session.scalar(
        _insert_unless_present(roll)
        .from_select(
            ["pool_id", "voter_key", "channel", "district_id", "voted_at", "entered_by_id"], row
        )
        .on_conflict_do_nothing(index_elements=[roll.c.pool_id, roll.c.voter_key])
        .returning(roll.c.id)
    )
    if on_roll is None:
        return None
    db.session.execute(
        insert(Ballot.__table__).values(
            id=ballot_id, pool_id=pool_id, receipt_hash=receipt_hash, channel=channel
        )
    )
    db.session.execute(
        insert(BallotLine.__table__).values(
            [{"ballot_id": ballot_id, "project_id": p, "value": v} for p, v in lines.items()]
        )
    )
    if code_id is not None:
        codes = VotingCode.__table__
        db.session.execute(
            update(codes)
            .where(codes.c.id == code_id, codes.c.used_at.is_(None))
            .values(used_at=now)
        )
    return receipt


def cast_ballot(
    pool: Pool,
    values: Mapping[int, int],
    voter: Eligibility,
    channel: Channel = Channel.ONLINE,
    entered_by: User | None = None,
    costs: Mapping[int, Decimal] | None = None,
) -> str:
    """:func:`cast` in a loaded pool (``costs``: its projects' costs when loaded already,
    :func:`ballot_pool`) for a voter just found eligible."""
    return cast(BallotRules.of(pool, costs), values, voter.voter_pass(), channel, entered_by)


def cast(
    rules: BallotRules,
    values: Mapping[int, int],
    voter: VoterPass,
    channel: Channel = Channel.ONLINE,
    entered_by: User | None = None,
) -> str:
    """Record one ballot in the pool of ``rules``; return the receipt code (shown once,
    only its hash is kept).

    Online ballots need voting open; paper ballots, entered by staff, also the counting
    phase. :func:`_record_ballot` writes the roll row, the ballot and its lines (one
    statement on PostgreSQL), in the request's transaction, which commits once or rolls
    back whole; a voter already on the roll is refused (``AlreadyVoted``) and nothing is
    written.
    """
    channel = Channel(channel)
    if voter.cycle_id != rules.cycle_id or rules.pool_id not in voter.pool_ids:
        raise BudgetError(_("You may not vote in this pool."))
    current = rules.phase()
    if channel == Channel.ONLINE:
        if not voting.voting_open(rules.published, current):
            raise BudgetError(_("Voting is not open."))
    else:
        if entered_by is None:
            raise BudgetError(_("A paper ballot is entered by staff."))
        if current not in (Phase.VOTING, Phase.COUNTING):
            raise BudgetError(_("Paper ballots are entered during voting and counting only."))
        if voter.method == Verification.EMAIL:
            raise BudgetError(
                _("Paper ballots need voting codes or the register to prevent double votes.")
            )
    cleaned = _checked(rules.spec, rules.currency, rules.costs, values)
    if rules.one_district_only and rules.district_id is not None:
        _choose_district(rules.cycle_id, voter.voter_key, rules.district_id)
    now = utcnow()
    receipt = _record_ballot(
        rules,
        voter.voter_key,
        channel,
        voter.district_id,
        entered_by.id if entered_by else None,
        voter.code_id,
        cleaned,
        now,
    )
    if receipt is None and not _window_holds(rules, channel, now):
        # Closed (or changed) between the rules being read and the ballot's statement.
        raise BudgetError(
            _("Voting is not open.")
            if channel == Channel.ONLINE
            else _("Paper ballots are entered during voting and counting only.")
        )
    if receipt is None:
        raise AlreadyVoted(
            _("This person has already voted (online or on paper).")
            if channel == Channel.PAPER
            else _("You have already voted in this pool.")
        )
    if channel == Channel.PAPER:
        # How many, never what or whose.
        audit(rules.cycle_id, entered_by, "paper_ballot_entered", pool=rules.pool_id, count=1)
    return receipt


def _ballot_by_receipt(receipt: str, pool: Pool | None = None, cycle: Cycle | None = None):
    if not voting.normalise_code(receipt):
        return None
    statement = select(Ballot).where(Ballot.receipt_hash == voting.code_hash(receipt))
    if pool is not None:
        statement = statement.where(Ballot.pool_id == pool.id)
    if cycle is not None:
        statement = statement.join(Pool, Pool.id == Ballot.pool_id).where(Pool.cycle_id == cycle.id)
    return db.session.scalar(statement)


def change_ballot(pool: Pool, receipt: str, values: Mapping[int, int]) -> None:
    """Replace the lines of the ballot this receipt finds, where the pool allows changes
    and voting is still open. Only the receipt finds the ballot; the roll is untouched."""
    if not pool.changeable:
        raise BudgetError(_("Ballots in this pool cannot be changed."))
    if phase(pool.cycle) != Phase.VOTING:
        raise BudgetError(_("Voting is not open."))
    ballot = _ballot_by_receipt(receipt, pool=pool)
    if ballot is None:
        raise BudgetError(_("No ballot in this pool has this receipt code."))
    if ballot.channel == Channel.PAPER:
        raise BudgetError(_("A paper ballot cannot be changed."))
    cleaned = check_values(pool, values)
    with db.session.begin_nested():
        ballot.lines.clear()
        db.session.flush()
        ballot.lines.extend(BallotLine(project_id=p, value=v) for p, v in cleaned.items())
        db.session.flush()


@dataclass(frozen=True)
class ReceiptStatus:
    counted: bool
    pool: Pool | None = None


def receipt_status(cycle: Cycle, receipt: str) -> ReceiptStatus:
    """Whether a ballot with this receipt is counted in the cycle, and in which pool."""
    ballot = _ballot_by_receipt(receipt, cycle=cycle)
    if ballot is None:
        return ReceiptStatus(counted=False)
    return ReceiptStatus(counted=True, pool=db.session.get(Pool, ballot.pool_id))


def ballot_values(pool: Pool, receipt: str) -> dict[int, int] | None:
    """What the ballot with this receipt says (for the voter who changes it)."""
    ballot = _ballot_by_receipt(receipt, pool=pool)
    if ballot is None:
        return None
    return {line.project_id: line.value for line in ballot.lines}


# --- tallies and results ---------------------------------------------------------------------


def tally_ids(projects: Sequence[Project]) -> dict[int, str]:
    """The id each project has in a tally and a ``.pb`` file: its Pabulib id when every
    project of the pool came from one file (so an audit import breaks ties as the file's
    own result did), else its own id as a string."""
    external = [p.external_id for p in projects]
    if projects and all(external) and len(set(external)) == len(external):
        return {p.id: p.external_id for p in projects}
    return {p.id: str(p.id) for p in projects}


def _pool_projects(pool: Pool) -> list[Project]:
    return list(
        db.session.scalars(select(Project).where(Project.pool_id == pool.id).order_by(Project.id))
    )


def _ballot_rows(pool: Pool):
    """(ballot id, project id, value) of every line in the pool, ballot by ballot; a
    ballot without lines (an empty vote from an imported file) gives one row of Nones."""
    return db.session.execute(
        select(Ballot.id, BallotLine.project_id, BallotLine.value)
        .select_from(Ballot)
        .outerjoin(BallotLine, BallotLine.ballot_id == Ballot.id)
        .where(Ballot.pool_id == pool.id)
        .order_by(Ballot.id, BallotLine.project_id)
    )


def _rules_ballot(pool: Pool, lines: Sequence[tuple[str, int]], weight: int = 1) -> rules.Ballot:
    if pool.method in (Method.POINTS, Method.D21):
        return rules.Ballot(points=dict(lines), weight=weight)
    return rules.Ballot(approved=[p for p, v in lines if v > 0], weight=weight)


def _pool_ballots(pool: Pool, ids: Mapping[int, str]) -> list[tuple[tuple[str, int], ...]]:
    """Each ballot's lines as a sorted tuple of (tally id, value). Empty ballots are
    refused when cast, but a Pabulib file may hold some: they count in Equal Shares
    (every voter gets a share), so they are kept as empty tuples."""
    return [
        tuple(sorted((ids[row[1]], row[2]) for row in rows if row[1] is not None))
        for _ballot_id, rows in itertools.groupby(_ballot_rows(pool), key=lambda row: row[0])
    ]


@dataclass
class PoolTally:
    """A pool's tally from the database: the rule's outcome and the projects behind it."""

    pool: Pool
    outcome: rules.Outcome
    projects: dict[str, Project]  # by tally id
    ballots: int

    @property
    def selected(self) -> list[Project]:
        return [self.projects[i] for i in self.outcome.selected]

    @property
    def spent(self) -> Decimal:
        return sum((p.cost for p in self.selected), Decimal(0))

    @property
    def scores(self) -> dict[int, int | Fraction]:
        return {self.projects[i].id: s for i, s in self.outcome.scores.items()}

    @property
    def fates(self) -> dict[int, rules.ProjectFate]:
        return {self.projects[i].id: f for i, f in self.outcome.fates.items()}


def run_rule(pool: Pool, projects: list[rules.Project], ballots: list[rules.Ballot]):
    """The pool's rule: greedy by votes, Equal Shares or Equal Shares + Add1 for approval
    ballots; greedy by points (D21: by net score) for points and D21 ballots."""
    if pool.method in (Method.POINTS, Method.D21):
        return rules.tally_greedy(projects, ballots, pool.amount, score="points")
    return rules.RULES[Rule(pool.rule).value](projects, ballots, pool.amount)


def tally_pool(pool: Pool, by: User | None = None) -> PoolTally:
    """Count the pool's ballots by its rule. Identical ballots are counted once, with
    their number; costs stay exact. With ``by`` (staff looking), the tally is audited."""
    projects = _pool_projects(pool)
    ids = tally_ids(projects)
    ballots = _pool_ballots(pool, ids)
    grouped = Counter(ballots)
    outcome = run_rule(
        pool,
        [rules.Project(ids[p.id], p.cost) for p in projects],
        [_rules_ballot(pool, lines, weight) for lines, weight in grouped.items()],
    )
    if by is not None:
        audit(pool.cycle, by, "tallied", pool=pool.id, selected=outcome.selected)
    return PoolTally(pool, outcome, {ids[p.id]: p for p in projects}, len(ballots))


def _fate_json(fate: rules.ProjectFate) -> str:
    data = {k: v for k, v in asdict(fate).items() if v is not None}
    return json.dumps(data, default=_jsonable, sort_keys=True)


def publish_results(cycle: Cycle, by: User | None) -> dict[int, PoolTally]:
    """Tally every pool, store the results with each project's fate, and publish them.
    Only after voting has closed, and once."""
    current = phase(cycle)
    if current == Phase.RESULTS:
        raise BudgetError(_("The results are already published."))
    if current != Phase.COUNTING:
        raise BudgetError(_("Results can be published only after voting has closed."))
    tallies: dict[int, PoolTally] = {}
    for pool in cycle.pools:
        tally = tally_pool(pool)
        tallies[pool.id] = tally
        db.session.execute(delete(PoolResult).where(PoolResult.pool_id == pool.id))
        order = {pid: n for n, pid in enumerate(tally.outcome.selected, start=1)}
        for tid, project in tally.projects.items():
            db.session.add(
                PoolResult(
                    pool_id=pool.id,
                    project_id=project.id,
                    score=int(tally.outcome.scores.get(tid, 0)),
                    selected=tid in order,
                    position=order.get(tid),
                    explanation=_fate_json(tally.outcome.fates[tid])
                    if tid in tally.outcome.fates
                    else "",
                )
            )
    cycle.results_published_at = utcnow()
    db.session.flush()
    audit(
        cycle,
        by,
        "results_published",
        pools={
            str(pool_id): [t.projects[i].id for i in t.outcome.selected]
            for pool_id, t in tallies.items()
        },
    )
    return tallies


def results_of(pool: Pool) -> list[PoolResult]:
    """Published results, winners first in the order they were chosen, then by score."""
    return list(
        db.session.scalars(
            select(PoolResult)
            .where(PoolResult.pool_id == pool.id)
            .order_by(
                PoolResult.selected.desc(),
                PoolResult.position,
                PoolResult.score.desc(),
                PoolResult.project_id,
            )
        )
    )


def turnout_by_district(cycle: Cycle) -> dict[int | None, int]:
    """How many people voted (in any pool of the cycle), by their district; ``None``
    counts voters whose district is not known."""
    rows = db.session.execute(
        select(Voter.district_id, func.count(distinct(Voter.voter_key)))
        .join(Pool, Pool.id == Voter.pool_id)
        .where(Pool.cycle_id == cycle.id)
        .group_by(Voter.district_id)
    )
    return {district_id: count for district_id, count in rows}


# --- Pabulib ---------------------------------------------------------------------------------


@dataclass
class ImportReport:
    projects: int = 0
    ballots: int = 0
    warnings: list[str] = field(default_factory=list)


VOTE_TYPES_BY_METHOD = {
    Method.APPROVAL: pabulib.APPROVAL_TYPES,
    Method.K_APPROVAL: pabulib.APPROVAL_TYPES,
    Method.POINTS: pabulib.POINTS_TYPES,
    Method.D21: pabulib.POINTS_TYPES,
}


def _as_integer(value: Fraction) -> int:
    if value.denominator != 1:
        raise BudgetError(_("Points in the file must be whole numbers."))
    return value.numerator


def import_pabulib(
    cycle: Cycle, pool: Pool, file: str | pabulib.PabulibFile, by: User | None
) -> ImportReport:
    """Load a ``.pb`` file's projects and ballots into an empty pool (for demos and
    audits). Voters are keyed ``pabulib:<voter id>``; ballots get random keys and
    receipts nobody holds. Only before voting opens, and only into a cycle that is not
    published (nor can be until voting has closed, :func:`publish_cycle`): residents must
    never vote beside a file's ballots, whose votes would be counted with theirs. Staff see
    them on the cycle's page until voting opens (:func:`imported_ballots`) and can remove
    them (:func:`remove_imported_ballots`)."""
    if pool.cycle_id != cycle.id:
        raise BudgetError(_("Choose a pool of this cycle."))
    if phase(cycle) != Phase.PREPARATION:
        raise BudgetError(_("A file can be imported only before voting opens."))
    if cycle.published_at is not None:
        raise BudgetError(
            _(
                "A file can be imported only into a cycle that is not published: residents "
                "would vote beside its ballots. Make a cycle of its own for a demonstration "
                "or an audit."
            )
        )
    if db.session.scalar(select(Project.id).where(Project.pool_id == pool.id).limit(1)):
        raise BudgetError(_("Import a file into an empty pool."))
    try:
        pb = pabulib.parse(file) if isinstance(file, str) else file
        vote_type = pb.vote_type
        if vote_type not in VOTE_TYPES_BY_METHOD[Method(pool.method)]:
            raise BudgetError(
                _(
                    "The file's votes (%(kind)s) do not fit this pool's voting method.",
                    kind=vote_type,
                )
            )
        if not pb.projects:  # an empty file parses, but it is not a Pabulib file
            raise pabulib.PabulibError("no projects")
        points_type = vote_type in pabulib.POINTS_TYPES
        projects: dict[str, Project] = {}
        for row in pb.projects:
            pid = row["project_id"]
            cost = pabulib.parse_number(row["cost"])
            if cost <= 0:
                raise BudgetError(_("Project %(id)s has no cost.", id=pid))
            if cost > Fraction(MONEY_MAX):
                raise BudgetError(_("Project %(id)s costs more than a budget can hold.", id=pid))
            if pid in projects:
                raise BudgetError(_("Project %(id)s is listed twice.", id=pid))
            projects[pid] = Project(
                municipality_id=cycle.municipality_id,
                cycle_id=cycle.id,
                pool_id=pool.id,
                external_id=pid,
                title=(row.get("name") or f"#{pid}")[:200],
                description=row.get("description", ""),
                cost=Decimal(cost.numerator) / Decimal(cost.denominator),
                lat=float(row["latitude"]) if row.get("latitude") else None,
                lon=float(row["longitude"]) if row.get("longitude") else None,
            )
        ballots: list[tuple[str, dict[str, int]]] = []
        for row in pb.votes:
            ids = pabulib.split_ids(row.get("vote", ""))
            if any(pid not in projects for pid in ids):
                raise BudgetError(
                    _("Voter %(id)s votes for an unknown project.", id=row.get("voter_id"))
                )
            if points_type:
                points = [
                    _as_integer(pabulib.parse_number(p))
                    for p in pabulib.split_ids(row.get("points", ""))
                ]
                if len(points) != len(ids):
                    raise BudgetError(
                        _("Voter %(id)s: votes and points differ.", id=row.get("voter_id"))
                    )
                values = {pid: v for pid, v in zip(ids, points, strict=True) if v}
            else:
                values = dict.fromkeys(ids, 1)
            voter_id = row.get("voter_id", "")
            if not voter_id or len(voter_id) > 70:
                raise BudgetError(_("A voter in the file has no usable id."))
            # An empty vote stays a ballot: Equal Shares gives its voter a share too.
            ballots.append((voter_id, values))
    except (pabulib.PabulibError, KeyError, ValueError, ArithmeticError) as error:
        if isinstance(error, BudgetError):
            raise
        raise BudgetError(_("This is not a Pabulib file we can read.")) from error
    if len({voter_id for voter_id, _values in ballots}) != len(ballots):
        raise BudgetError(_("A voter is listed twice in the file."))
    for project in projects.values():
        if project.lat is not None and project.lon is not None:
            district = maps_services.locate(cycle.municipality, project.lat, project.lon)
            project.district_id = district.id if district else None
    db.session.add_all(projects.values())
    db.session.flush()
    db_id = {pid: p.id for pid, p in projects.items()}
    if ballots:
        db.session.execute(
            insert(Voter),
            [
                {
                    "pool_id": pool.id,
                    "voter_key": f"{PABULIB_VOTER}{voter_id}",
                    "channel": Channel.ONLINE,
                    "district_id": pool.district_id,
                    "voted_at": cycle.voting_opens_at,
                }
                for voter_id, _values in ballots
            ],
        )
        # Ballots in another order than the voters, with keys of their own.
        random.SystemRandom().shuffle(ballots)
        ballot_rows, line_rows = [], []
        for _voter_id, values in ballots:
            key = secrets.token_hex(16)
            ballot_rows.append(
                {
                    "id": key,
                    "pool_id": pool.id,
                    "receipt_hash": new_receipt()[1],
                    "channel": Channel.ONLINE,
                }
            )
            line_rows += [
                {"ballot_id": key, "project_id": db_id[pid], "value": value}
                for pid, value in values.items()
            ]
        db.session.execute(insert(Ballot), ballot_rows)
        db.session.execute(insert(BallotLine), line_rows)
        db.session.flush()
    db.session.expire(pool, ["projects"])
    audit(cycle, by, "pabulib_imported", pool=pool.id, projects=len(projects), ballots=len(ballots))
    return ImportReport(projects=len(projects), ballots=len(ballots))


def imported_ballots(cycle: Cycle) -> dict[int, int]:
    """The ballots each pool of a cycle in preparation holds (pool id -> count): nobody
    votes before voting opens, so these came from a Pabulib file, and would be counted
    with the real votes once voting opens."""
    if phase(cycle) != Phase.PREPARATION:
        return {}
    rows = db.session.execute(
        select(Ballot.pool_id, func.count())
        .join(Pool, Pool.id == Ballot.pool_id)
        .where(Pool.cycle_id == cycle.id)
        .group_by(Ballot.pool_id)
    )
    return {pool_id: count for pool_id, count in rows}


def remove_imported_ballots(pool: Pool, by: User | None) -> int:
    """Remove the ballots and voters of a pool before voting opens (those of an imported
    file); its projects stay. Returns how many ballots were removed."""
    cycle = pool.cycle
    _check_preparation(cycle, _("Ballots cannot be removed once voting has opened."))
    ballots = select(Ballot.id).where(Ballot.pool_id == pool.id)
    db.session.execute(delete(BallotLine).where(BallotLine.ballot_id.in_(ballots)))
    removed = db.session.execute(delete(Ballot).where(Ballot.pool_id == pool.id)).rowcount
    db.session.execute(delete(Voter).where(Voter.pool_id == pool.id))
    db.session.flush()
    audit(cycle, by, "imported_ballots_removed", pool=pool.id, ballots=removed)
    return removed


PABULIB_RULES = {
    Rule.GREEDY: "greedy",
    Rule.MES: "equalshares",
    Rule.MES_ADD1: "equalshares/add1",
}
PABULIB_VOTE_TYPES = {
    Method.APPROVAL: "approval",
    Method.K_APPROVAL: "approval",
    Method.POINTS: "cumulative",
    Method.D21: "scoring",
}
COUNTRIES = {Country.CZ: "Czech Republic", Country.PL: "Poland"}


def export_pabulib(cycle: Cycle, pool: Pool) -> str:
    """The pool's anonymised ballots and results as a ``.pb`` file, once voting has
    closed: ballots in random order, voters numbered 1..n, no keys or receipts; projects
    with votes (score), and ``selected`` as published (or as tallied before that).
    Tallying the file by the same rule gives the same winners."""
    if pool.cycle_id != cycle.id:
        raise BudgetError(_("Choose a pool of this cycle."))
    if phase(cycle) not in (Phase.COUNTING, Phase.RESULTS):
        raise BudgetError(_("Ballots can be exported only after voting has closed."))
    projects = _pool_projects(pool)
    ids = tally_ids(projects)
    ballots = _pool_ballots(pool, ids)
    random.SystemRandom().shuffle(ballots)
    if cycle.results_published_at is not None:
        selected = set(
            db.session.scalars(
                select(PoolResult.project_id).where(
                    PoolResult.pool_id == pool.id, PoolResult.selected.is_(True)
                )
            )
        )
    else:
        selected = {p.id for p in tally_pool(pool).selected}
    method = Method(pool.method)
    meta = {
        "description": f"{cycle.title}: {pool.name}",
        "country": COUNTRIES.get(cycle.municipality.country, ""),
        "unit": cycle.municipality.name,
        "instance": str(cycle.year),
        "subunit": pool.name,
        "currency": pool.currency,
        "rule": PABULIB_RULES[Rule(pool.rule)],
        "date_begin": cycle.voting_opens_at.date().isoformat(),
        "date_end": cycle.voting_closes_at.date().isoformat(),
        "language": cycle.municipality.default_language,
    }
    if method == Method.APPROVAL and pool.max_projects:
        meta["max_length"] = str(pool.max_projects)
    if method == Method.K_APPROVAL and pool.k:
        meta["max_length"] = str(pool.k)
    if method == Method.POINTS:
        meta["max_sum_points"] = str(pool.points)
        if pool.points_cap:
            meta["max_points"] = str(pool.points_cap)
    if method == Method.D21:
        meta["max_sum_points"] = str(pool.plus_votes)
        meta["min_points"] = "-1"
        meta["max_points"] = "1"
    extra = {
        ids[p.id]: {
            "name": p.title,
            "selected": "1" if p.id in selected else "0",
            **(
                {"latitude": repr(p.lat), "longitude": repr(p.lon)}
                if p.lat is not None and p.lon is not None
                else {}
            ),
        }
        for p in projects
    }
    pb = pabulib.from_election(
        [rules.Project(ids[p.id], p.cost) for p in projects],
        [_rules_ballot(pool, lines) for lines in ballots],
        pool.amount,
        vote_type=PABULIB_VOTE_TYPES[method],
        meta=meta,
        project_extra=extra,
    )
    return pabulib.write(pb)


# --- implementation --------------------------------------------------------------------------


def _check_tracking(project: Project) -> None:
    if project.cycle.results_published_at is None:
        raise BudgetError(_("Implementation is tracked once the results are published."))
    won = db.session.scalar(
        select(PoolResult.selected).where(
            PoolResult.pool_id == project.pool_id, PoolResult.project_id == project.id
        )
    )
    if not won:
        raise BudgetError(_("Only winning projects are tracked."))


def update_implementation(
    project: Project,
    by: User | None,
    status: Implementation,
    progress: int,
    note: str = "",
) -> Project:
    _check_tracking(project)
    if not 0 <= progress <= 100:
        raise BudgetError(_("Progress is a percentage between 0 and 100."))
    project.implementation = Implementation(status)
    project.progress = progress
    project.implementation_note = note.strip()
    db.session.flush()
    audit(
        project.cycle,
        by,
        "implementation_updated",
        project=project.id,
        status=project.implementation,
        progress=progress,
    )
    return project


def add_milestone(
    project: Project, by: User | None, title: str, due: date | None = None
) -> Milestone:
    _check_tracking(project)
    if not title.strip():
        raise BudgetError(_("Name the milestone."))
    milestone = Milestone(title=title.strip(), due=due)
    project.milestones.append(milestone)
    db.session.flush()
    audit(project.cycle, by, "milestone_added", project=project.id, milestone=milestone.id)
    return milestone


def update_milestone(
    milestone: Milestone,
    by: User | None,
    title: str,
    due: date | None = None,
    done_on: date | None = None,
) -> Milestone:
    project = milestone.project
    _check_tracking(project)
    if not title.strip():
        raise BudgetError(_("Name the milestone."))
    today = datetime.now(ZoneInfo(project.cycle.municipality.timezone)).date()
    if done_on is not None and done_on > today:
        raise DoneLater(_("A milestone cannot be done on a day still to come."))
    milestone.title, milestone.due, milestone.done_on = title.strip(), due, done_on
    db.session.flush()
    audit(project.cycle, by, "milestone_changed", project=project.id, milestone=milestone.id)
    return milestone


def complete_milestone(milestone: Milestone, by: User | None, on: date | None = None) -> Milestone:
    return update_milestone(milestone, by, milestone.title, milestone.due, on or utcnow().date())


def add_photo(
    project: Project, by: User | None, upload: FileStorage, alt: str = ""
) -> ProjectImage:
    """A photo of the implementation, checked and re-encoded like every upload."""
    _check_tracking(project)
    try:
        name = uploads.save_image(upload, IMAGE_FOLDER, IMAGE_MAX_BYTES, IMAGE_MAX_SIDE)
    except uploads.UploadError as error:
        raise BudgetError(str(error)) from None
    thumb = uploads.thumbnail(IMAGE_FOLDER, name, THUMBNAIL_SIDE)
    image = ProjectImage(
        filename=name,
        thumbnail=thumb,
        alt=alt.strip(),
        implementation=True,
        position=len(project.images),
    )
    project.images.append(image)
    db.session.flush()
    audit(project.cycle, by, "photo_added", project=project.id, image=image.id)
    return image


def remove_photo(image: ProjectImage, by: User | None) -> None:
    project = image.project
    _check_tracking(project)
    uploads.remove_file(IMAGE_FOLDER, image.filename)
    uploads.remove_file(IMAGE_FOLDER, image.thumbnail)
    project.images.remove(image)
    db.session.flush()
    audit(project.cycle, by, "photo_removed", project=project.id, image=image.id)

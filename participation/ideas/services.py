"""Use cases of idea calls and ideas. They flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, and_, case, delete, func, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import FileStorage

from participation.core import mail, uploads
from participation.core.models import Municipality, User, utcnow
from participation.core.signals import (
    account_deleting,
    collecting_home_items,
    collecting_user_data,
)
from participation.extensions import db
from participation.ideas import rules
from participation.ideas.models import (
    SEARCH_DOCUMENT,
    Appeal,
    Category,
    Comment,
    Follow,
    Idea,
    IdeaCall,
    IdeaImage,
    Report,
    Review,
    StatusEvent,
    Support,
)
from participation.ideas.rules import IdeaStatus, Phase
from participation.maps import geojson
from participation.maps.models import District
from participation.maps.services import Place

IMAGE_FOLDER = "ideas"
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_SIDE = 1600
THUMBNAIL_SIDE = 400
PAGE_SIZE = 20
# Past this page number a page link is not one of ours (its offset would not fit the query).
MAX_PAGE = 1_000_000


class IdeaError(ValueError):
    """A use case refused; ``str(error)`` is a translated message for the person and
    ``field`` the name of the form field it is about, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- calls ----------------------------------------------------------------------------


def calls_of(municipality: Municipality) -> dict[Phase, list[IdeaCall]]:
    now = utcnow()
    grouped: dict[Phase, list[IdeaCall]] = {phase: [] for phase in Phase}
    for call in db.session.scalars(
        select(IdeaCall)
        .where(IdeaCall.municipality_id == municipality.id)
        .order_by(IdeaCall.opens_at.desc(), IdeaCall.id.desc())
    ):
        grouped[rules.call_phase(call.opens_at, call.closes_at, now)].append(call)
    return grouped


def save_call(
    call: IdeaCall | None,
    municipality: Municipality,
    by: User | None,
    district_ids: list[int],
    category_names: list[str],
    **fields,
) -> IdeaCall:
    """Create or change a call; its categories are matched by name so ideas keep theirs."""
    if call is None:
        call = IdeaCall(municipality_id=municipality.id, created_by_id=by and by.id)
        db.session.add(call)
    for key, value in fields.items():
        setattr(call, key, value)
    call.districts = (
        list(
            db.session.scalars(
                select(District).where(
                    District.id.in_(district_ids), District.municipality_id == municipality.id
                )
            )
        )
        if district_ids
        else []
    )
    existing = {c.name: c for c in call.categories}
    wanted = [name.strip() for name in category_names if name.strip()]
    call.categories = [existing.get(name) or Category(name=name) for name in dict.fromkeys(wanted)]
    for position, category in enumerate(call.categories):
        category.position = position
    db.session.flush()
    return call


# --- ideas ----------------------------------------------------------------------------


def _event(idea: Idea, status: str, actor: User | None, note: str = "") -> None:
    idea.history.append(StatusEvent(status=status, note=note, actor_id=actor and actor.id))


def save_idea(
    idea: Idea | None,
    call: IdeaCall,
    author: User,
    title: str,
    description: str,
    category_id: int | None,
    place: Place | None,
    images: list[FileStorage],
    image_alts: list[str],
) -> Idea:
    """Create or change a draft. Images are checked before anything is stored."""
    if place is not None:
        _check_area(call, place)
    stored: list[tuple[str, str]] = []
    try:
        for upload in images:
            if upload and upload.filename:
                name = uploads.save_image(upload, IMAGE_FOLDER, IMAGE_MAX_BYTES, IMAGE_MAX_SIDE)
                thumb = uploads.thumbnail(IMAGE_FOLDER, name, THUMBNAIL_SIDE)
                stored.append((name, thumb))
    except uploads.UploadError:
        for name, thumb in stored:
            uploads.remove_file(IMAGE_FOLDER, name)
            uploads.remove_file(IMAGE_FOLDER, thumb)
        raise
    if idea is None:
        idea = Idea(
            call=call,
            municipality_id=call.municipality_id,
            author_id=author.id,
            status=IdeaStatus.DRAFT,
        )
        db.session.add(idea)
    if len(idea.images) + len(stored) > call.max_images:
        for name, thumb in stored:
            uploads.remove_file(IMAGE_FOLDER, name)
            uploads.remove_file(IMAGE_FOLDER, thumb)
        raise IdeaError(
            ngettext(
                "An idea may have at most %(num)d image.",
                "An idea may have at most %(num)d images.",
                call.max_images,
            ),
            "images",
        )
    idea.title = title.strip()
    idea.description = description.strip()
    idea.category_id = category_id
    if place is not None:
        idea.lat, idea.lon, idea.address = place.lat, place.lon, place.address
        idea.district_id = place.district.id if place.district else None
    for position, (name, thumb) in enumerate(stored, start=len(idea.images)):
        alt = image_alts[position] if position < len(image_alts) else ""
        idea.images.append(
            IdeaImage(filename=name, thumbnail=thumb, position=position, alt=alt.strip()[:200])
        )
    db.session.flush()
    return idea


def _check_area(call: IdeaCall, place: Place) -> None:
    """A call for some districts takes places in those districts only."""
    if not call.districts or (place.lat is None and place.district is None):
        return
    if place.district is None or place.district.id not in {d.id for d in call.districts}:
        # The form's list offers the call's districts only, so the message points there.
        raise IdeaError(_("Choose one of the districts in the list."), "district")


def image_named(municipality: Municipality, name: str) -> IdeaImage | None:
    """The image (or its thumbnail) stored under ``name``, of an idea of this
    municipality; ``None`` for a file of another town or none of ours."""
    return db.session.scalar(
        select(IdeaImage)
        .join(Idea, Idea.id == IdeaImage.idea_id)
        .where(
            Idea.municipality_id == municipality.id,
            (IdeaImage.filename == name) | (IdeaImage.thumbnail == name),
        )
        .limit(1)
    )


def remove_image(idea: Idea, image_id: int) -> None:
    for image in list(idea.images):
        if image.id == image_id:
            idea.images.remove(image)
            uploads.remove_file(IMAGE_FOLDER, image.filename)
            uploads.remove_file(IMAGE_FOLDER, image.thumbnail)
    db.session.flush()


def submit_idea(idea: Idea, by: User) -> Idea:
    """A draft goes public: collecting supporters, or straight to review."""
    if idea.call.location_required and idea.lat is None and idea.district_id is None:
        raise IdeaError(_("This call needs a place: click the map or choose a district."))
    idea.status = rules.status_on_submission(idea.call.support_threshold)
    idea.submitted_at = utcnow()
    _event(idea, "submitted", by)
    if idea.status == IdeaStatus.UNDER_REVIEW:
        _event(idea, IdeaStatus.UNDER_REVIEW, None)
    follow(idea, by)
    db.session.flush()
    return idea


def likely_duplicates(
    call: IdeaCall,
    title: str,
    lat: float | None,
    lon: float | None,
    exclude_id: int | None = None,
    limit: int = 5,
) -> list[Idea]:
    """Public ideas of the call near the place (if any) with a similar title."""
    statement = select(Idea.id, Idea.title, Idea.lat, Idea.lon).where(
        Idea.call_id == call.id, Idea.status != IdeaStatus.DRAFT, Idea.hidden_at.is_(None)
    )
    if exclude_id is not None:
        statement = statement.where(Idea.id != exclude_id)
    if lat is not None and lon is not None:
        min_lat, max_lat, min_lon, max_lon = rules.bbox_around(lat, lon, call.duplicate_distance_m)
        statement = statement.where(
            or_(
                Idea.lat.is_(None),
                and_(Idea.lat.between(min_lat, max_lat), Idea.lon.between(min_lon, max_lon)),
            )
        )
    rows = db.session.execute(statement.limit(2000)).all()
    ids = rules.likely_duplicates(title, lat, lon, rows, call.duplicate_distance_m)[:limit]
    if not ids:
        return []
    found = {i.id: i for i in db.session.scalars(select(Idea).where(Idea.id.in_(ids)))}
    return [found[i] for i in ids]


def expire_overdue(now=None) -> int:
    """Ideas still collecting after their call's support deadline, below its threshold,
    become "not enough supporters" (run daily: ``participation ideas expire``)."""
    now = now or utcnow()
    overdue = db.session.scalars(
        select(Idea)
        .join(IdeaCall, IdeaCall.id == Idea.call_id)
        .where(
            Idea.status == IdeaStatus.COLLECTING,
            IdeaCall.support_threshold.is_not(None),
            IdeaCall.support_deadline.is_not(None),
            IdeaCall.support_deadline <= now,
            Idea.support_count < IdeaCall.support_threshold,
        )
        .order_by(Idea.id)
    ).all()
    for idea in overdue:
        set_status(
            idea,
            IdeaStatus.EXPIRED,
            None,
            _(
                "The idea did not reach %(count)d supporters in time.",
                count=idea.call.support_threshold,
            ),
        )
    return len(overdue)


def set_status(idea: Idea, status: IdeaStatus, actor: User | None, note: str = "") -> None:
    idea.status = status
    _event(idea, status, actor, note)
    db.session.flush()
    notify_followers(idea)


# --- supports -------------------------------------------------------------------------


def _has_row(model, idea: Idea, user: User | None) -> bool:
    """Whether ``user`` has a row of ``model`` (a support, a follow) for ``idea``."""
    if user is None or not user.is_authenticated:
        return False
    statement = select(model.id).where(model.idea_id == idea.id, model.user_id == user.id)
    return db.session.scalar(statement) is not None


def has_supported(idea: Idea, user: User | None) -> bool:
    return _has_row(Support, idea, user)


def support(idea: Idea, user: User) -> bool:
    """Add the person's support once. The row and the counter change in one transaction;
    the counter moves by an UPDATE in SQL, so supports given at once are all counted."""
    if has_supported(idea, user):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Support(idea_id=idea.id, user_id=user.id))
            db.session.flush()
    except IntegrityError:  # the same person, twice at once: the constraint keeps one
        return False
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(support_count=Idea.support_count + 1)
    )
    db.session.refresh(idea)
    new_status = rules.status_after_supports(
        idea.status, idea.support_count, idea.call.support_threshold
    )
    if new_status != idea.status:
        set_status(
            idea,
            new_status,
            None,
            _("The idea reached %(count)d supporters.", count=idea.support_count),
        )
    return True


def withdraw_support(idea: Idea, user: User) -> bool:
    result = db.session.execute(
        delete(Support).where(Support.idea_id == idea.id, Support.user_id == user.id)
    )
    if result.rowcount:
        db.session.execute(
            update(Idea)
            .where(Idea.id == idea.id)
            .values(support_count=case((Idea.support_count > 0, Idea.support_count - 1), else_=0))
        )
        db.session.refresh(idea)
    return bool(result.rowcount)


# --- comments, reports, follows --------------------------------------------------------


def comments_of(idea: Idea) -> list[Comment]:
    """Top-level comments with their replies loaded in the same two queries."""
    top = list(
        db.session.scalars(
            select(Comment)
            .where(Comment.idea_id == idea.id, Comment.parent_id.is_(None))
            .order_by(Comment.created_at, Comment.id)
        )
    )
    replies = db.session.scalars(
        select(Comment)
        .where(Comment.idea_id == idea.id, Comment.parent_id.is_not(None))
        .order_by(Comment.created_at, Comment.id)
    ).all()
    by_parent: dict[int, list[Comment]] = {}
    for reply in replies:
        by_parent.setdefault(reply.parent_id, []).append(reply)
    for comment in top:
        comment.thread = by_parent.get(comment.id, [])
    return top


def add_comment(idea: Idea, author: User, body: str, parent: Comment | None) -> Comment:
    if parent is not None and (parent.idea_id != idea.id or parent.parent_id is not None):
        raise IdeaError(_("Reply to a comment of this idea."))
    comment = Comment(
        idea_id=idea.id,
        author_id=author.id,
        body=body.strip(),
        parent_id=parent.id if parent else None,
    )
    db.session.add(comment)
    db.session.flush()
    if parent is not None and parent.author_id and parent.author_id != author.id:
        notify_reply(parent, comment)
    return comment


def edit_comment(comment: Comment, body: str) -> Comment:
    comment.body = body.strip()
    comment.edited_at = utcnow()
    db.session.flush()
    return comment


def report(target: Idea | Comment, reporter: User, reason: str) -> Report:
    idea = target if isinstance(target, Idea) else target.idea
    item = Report(
        municipality_id=idea.municipality_id,
        reporter_id=reporter.id,
        reason=reason.strip(),
        idea_id=target.id if isinstance(target, Idea) else None,
        comment_id=target.id if isinstance(target, Comment) else None,
    )
    db.session.add(item)
    db.session.flush()
    return item


def is_following(idea: Idea, user: User | None) -> bool:
    return _has_row(Follow, idea, user)


def follow(idea: Idea, user: User) -> None:
    if not is_following(idea, user):
        db.session.add(Follow(idea_id=idea.id, user_id=user.id))
        db.session.flush()


def unfollow(idea: Idea, user: User) -> None:
    db.session.execute(delete(Follow).where(Follow.idea_id == idea.id, Follow.user_id == user.id))


# --- moderation -----------------------------------------------------------------------


def open_reports(municipality: Municipality) -> list[Report]:
    return list(
        db.session.scalars(
            select(Report)
            .where(Report.municipality_id == municipality.id, Report.resolved_at.is_(None))
            .order_by(Report.created_at, Report.id)
        )
    )


def _resolve_reports(target: Idea | Comment, resolution: str) -> None:
    column = Report.idea_id if isinstance(target, Idea) else Report.comment_id
    db.session.execute(
        update(Report)
        .where(column == target.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolution=resolution)
    )


def hide(target: Idea | Comment, moderator: User, reason: str) -> None:
    """Hide with a public reason shown in place of the text; the author is told."""
    target.hidden_at = utcnow()
    target.hidden_reason = reason.strip()
    _resolve_reports(target, "hidden")
    if isinstance(target, Idea):
        _event(target, "hidden", moderator, reason.strip())
    db.session.flush()
    notify_author(target, "hidden", reason.strip())


def restore(target: Idea | Comment, moderator: User, reason: str) -> None:
    target.hidden_at = None
    target.hidden_reason = None
    if isinstance(target, Idea):
        _event(target, "restored", moderator, reason.strip())
    db.session.flush()
    notify_author(target, "restored", reason.strip())


def dismiss_reports(target: Idea | Comment) -> None:
    _resolve_reports(target, "dismissed")
    db.session.flush()


# --- review and appeal ----------------------------------------------------------------


def review_queue(municipality: Municipality) -> list[Idea]:
    return list(
        db.session.scalars(
            select(Idea)
            .where(
                Idea.municipality_id == municipality.id,
                Idea.status.in_([IdeaStatus.UNDER_REVIEW, IdeaStatus.APPEALED]),
            )
            .order_by(Idea.submitted_at, Idea.id)
        )
    )


def review(
    idea: Idea,
    reviewer: User,
    legal: bool,
    feasible: bool,
    cost_estimate: Decimal | None,
    justification: str,
    outcome: str,
    merged_into: Idea | None = None,
) -> Review:
    """Record the assessment and decide: accepted, rejected (with reason) or merged."""
    if outcome == "merged" and not can_merge_into(idea, merged_into):
        raise IdeaError(_("Choose another idea of the same call to merge into."))
    item = Review(
        idea_id=idea.id,
        reviewer_id=reviewer.id,
        legal=legal,
        feasible=feasible,
        cost_estimate=cost_estimate,
        justification=justification.strip(),
        outcome=outcome,
    )
    db.session.add(item)
    idea.decided_at = utcnow()
    status = {
        "accepted": IdeaStatus.ACCEPTED,
        "rejected": IdeaStatus.REJECTED,
        "merged": IdeaStatus.MERGED,
    }[outcome]
    if status == IdeaStatus.MERGED:
        idea.merged_into_id = merged_into.id
    set_status(idea, status, reviewer, justification.strip())
    return item


def can_merge_into(idea: Idea, target: Idea | None) -> bool:
    """Another public, visible idea of the same call that was not itself merged away."""
    return (
        target is not None
        and target.id != idea.id
        and target.call_id == idea.call_id
        and target.status not in (IdeaStatus.DRAFT, IdeaStatus.MERGED)
        and not target.hidden
    )


def latest_review(idea: Idea) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.idea_id == idea.id).order_by(Review.id.desc()).limit(1)
    )


def appeal_of(idea: Idea) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.idea_id == idea.id))


def appeal(idea: Idea, author: User, text_: str) -> Appeal:
    item = Appeal(idea_id=idea.id, text=text_.strip())
    db.session.add(item)
    set_status(idea, IdeaStatus.APPEALED, author, text_.strip())
    return item


def decide_appeal(idea: Idea, by: User, upheld: bool, reason: str) -> Appeal:
    item = appeal_of(idea)
    item.decided_at = utcnow()
    item.decided_by_id = by.id
    item.upheld = upheld
    item.decision = reason.strip()
    idea.decided_at = utcnow()
    set_status(idea, IdeaStatus.ACCEPTED if upheld else IdeaStatus.REJECTED, by, reason.strip())
    return item


# --- browsing and publishing ----------------------------------------------------------


@dataclass
class IdeaFilters:
    q: str = ""
    district_id: int | None = None
    category_id: int | None = None
    status: str | None = None
    sort: str = "newest"


def _search(statement: Select, q: str) -> Select:
    q = q.strip()
    if not q:
        return statement
    if db.session.get_bind().dialect.name == "postgresql":
        return statement.where(
            text(f"{SEARCH_DOCUMENT} @@ plainto_tsquery('simple', :q)").bindparams(q=q)
        )
    pattern = f"%{q.replace('%', '').replace('_', '')}%"
    return statement.where(or_(Idea.title.ilike(pattern), Idea.description.ilike(pattern)))


def filtered(statement: Select, call: IdeaCall | None, filters: IdeaFilters) -> Select:
    statement = statement.where(Idea.status != IdeaStatus.DRAFT)
    if call is not None:
        statement = statement.where(Idea.call_id == call.id)
    if filters.district_id:
        statement = statement.where(Idea.district_id == filters.district_id)
    if filters.category_id:
        statement = statement.where(Idea.category_id == filters.category_id)
    if filters.status:
        statement = statement.where(Idea.status == filters.status)
    return _search(statement, filters.q)


COUNT_CAP = 1000


@dataclass
class Window:
    """One page of a list. The total is counted only up to a cap, and not at all for a
    text search that fills more than a page, so a page costs the same in a town of 500
    ideas as in one of 50,000."""

    items: list
    page: int
    per_page: int
    has_next: bool
    total: int | None  # None: more than shown, not counted
    capped: bool = False

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def pages(self) -> int:
        if self.total is None or self.capped:
            return self.page + (1 if self.has_next else 0)
        return max(1, -(-self.total // self.per_page))

    def iter_pages(self):
        last = self.pages
        shown = sorted({1, 2, last - 1, last, *range(self.page - 2, self.page + 3)})
        previous = 0
        for number in shown:
            if 1 <= number <= last:
                if number > previous + 1:
                    yield None
                yield number
                previous = number


def browse(call: IdeaCall, filters: IdeaFilters, page: int) -> Window:
    page = max(page, 1)
    statement = filtered(select(Idea), call, filters).options(
        selectinload(Idea.images),
        joinedload(Idea.category),
        joinedload(Idea.district).load_only(District.name),
    )
    if filters.sort == "supported":
        statement = statement.order_by(Idea.support_count.desc(), Idea.id.desc())
    else:
        statement = statement.order_by(Idea.submitted_at.desc(), Idea.id.desc())
    rows = list(
        db.session.scalars(statement.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).unique()
    )
    has_next = len(rows) > PAGE_SIZE
    items = rows[:PAGE_SIZE]
    seen = (page - 1) * PAGE_SIZE + len(items)
    if not has_next:
        return Window(items, page, PAGE_SIZE, False, seen)
    if filters.q.strip():
        return Window(items, page, PAGE_SIZE, True, None)
    counted = db.session.scalar(
        select(func.count()).select_from(
            filtered(select(Idea.id), call, filters).limit(COUNT_CAP + 1).subquery()
        )
    )
    return Window(items, page, PAGE_SIZE, True, min(counted, COUNT_CAP), capped=counted > COUNT_CAP)


def ideas_geojson(
    municipality: Municipality,
    call: IdeaCall | None,
    filters: IdeaFilters,
    bbox,
    fields: str = "full",
    zoom: int | None = None,
) -> bytes:
    """Located public ideas as GeoJSON, in one query and a stable order (by id).

    ``fields="map"`` gives only the title (the browse map builds links from the id);
    the default also gives status, supporters and the idea's URL. Hidden ideas are left out.
    With ``zoom`` (a map's view), many ideas come back as groups per grid cell
    (``maps.geojson.clustered_collection``).
    """
    properties = ["title"]
    columns = [Idea.id, Idea.lat, Idea.lon, Idea.title]
    if fields != "map":
        properties += ["status", "supports"]
        columns += [Idea.status, Idea.support_count]
    statement = select(*columns).where(
        Idea.municipality_id == municipality.id,
        Idea.lat.is_not(None),
        Idea.lon.is_not(None),
        Idea.hidden_at.is_(None),
    )
    statement = filtered(statement, call, filters)
    statement = geojson.within_bbox(statement, Idea, bbox).order_by(Idea.id)
    prefix = None if fields == "map" else idea_url_prefix(municipality)
    if zoom is not None:
        return geojson.clustered_collection(statement, properties, zoom, bbox, url_prefix=prefix)
    return geojson.point_collection(statement, properties, url_prefix=prefix)


def idea_url_prefix(municipality: Municipality) -> str:
    return url_for("ideas.idea", slug=municipality.slug, idea_id=0)[:-1]


def export_rows(call: IdeaCall) -> list[dict]:
    """One row per public idea for CSV, XLSX and GeoJSON exports."""
    statement = (
        select(Idea, District.name, Category.name)
        .outerjoin(District, District.id == Idea.district_id)
        .outerjoin(Category, Category.id == Idea.category_id)
        .where(Idea.call_id == call.id, Idea.status != IdeaStatus.DRAFT)
        .order_by(Idea.id)
    )
    rows = []
    for idea, district, category in db.session.execute(statement):
        rows.append(
            {
                "id": idea.id,
                "title": idea.title,
                "description": "" if idea.hidden else idea.description,
                "status": idea.status.value,
                "hidden": idea.hidden,
                "category": category or "",
                "district": district or "",
                "address": idea.address or "",
                "latitude": idea.lat,
                "longitude": idea.lon,
                "supports": idea.support_count,
                "submitted_at": idea.submitted_at.isoformat() if idea.submitted_at else "",
            }
        )
    return rows


# --- notifications --------------------------------------------------------------------


def _idea_link(idea: Idea) -> str:
    return url_for("ideas.idea", slug=idea.call.municipality.slug, idea_id=idea.id, _external=True)


def notify_followers(idea: Idea) -> None:
    """Mail everyone who follows the idea and wants status emails."""
    followers = db.session.scalars(
        select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(
            Follow.idea_id == idea.id,
            User.notify_status_changes.is_(True),
            User.deleted_at.is_(None),
        )
    ).all()
    for user in followers:
        mail.send(
            mail.render_mail(
                user.email,
                user.language,
                "idea_status",
                user=user,
                idea=idea,
                status=idea.status.value,
                link=_idea_link(idea),
            )
        )


def notify_reply(parent: Comment, reply: Comment) -> None:
    author = db.session.get(User, parent.author_id)
    if author is None or author.deleted_at is not None or not author.notify_replies:
        return
    mail.send(
        mail.render_mail(
            author.email,
            author.language,
            "comment_reply",
            user=author,
            idea=parent.idea,
            reply=reply,
            link=_idea_link(parent.idea),
        )
    )


def notify_author(target: Idea | Comment, action: str, reason: str) -> None:
    author = db.session.get(User, target.author_id) if target.author_id else None
    if author is None or author.deleted_at is not None:
        return
    idea = target if isinstance(target, Idea) else target.idea
    mail.send(
        mail.render_mail(
            author.email,
            author.language,
            "moderation",
            user=author,
            idea=idea,
            action=action,
            reason=reason,
            is_comment=isinstance(target, Comment),
            link=_idea_link(idea),
        )
    )


# --- what other modules ask -----------------------------------------------------------


@collecting_home_items.connect
def _home_items(municipality: Municipality, open_now: list, coming_next: list) -> None:
    calls = calls_of(municipality)
    for call in calls[Phase.OPEN]:
        open_now.append(
            {
                "title": call.title,
                "url": url_for("ideas.call", slug=municipality.slug, call_id=call.id),
            }
        )
    for call in calls[Phase.UPCOMING]:
        coming_next.append(
            {
                "title": call.title,
                "url": url_for("ideas.call", slug=municipality.slug, call_id=call.id),
            }
        )


@collecting_user_data.connect
def _user_data(user: User, data: dict) -> None:
    data["ideas"] = [
        {
            "id": i.id,
            "title": i.title,
            "description": i.description,
            "status": i.status.value,
            "latitude": i.lat,
            "longitude": i.lon,
            "address": i.address,
        }
        for i in db.session.scalars(select(Idea).where(Idea.author_id == user.id))
    ]
    data["idea_comments"] = [
        {"idea": c.idea_id, "body": c.body, "created_at": c.created_at.isoformat()}
        for c in db.session.scalars(select(Comment).where(Comment.author_id == user.id))
    ]
    data["idea_supports"] = list(
        db.session.scalars(select(Support.idea_id).where(Support.user_id == user.id))
    )


@account_deleting.connect
def _anonymise(user: User) -> None:
    # Ideas and comments stay without their author; drafts (with their photos) and
    # follows go.
    drafts = select(Idea.id).where(Idea.author_id == user.id, Idea.status == IdeaStatus.DRAFT)
    for name, thumb in db.session.execute(
        select(IdeaImage.filename, IdeaImage.thumbnail).where(IdeaImage.idea_id.in_(drafts))
    ):
        uploads.remove_file(IMAGE_FOLDER, name)
        uploads.remove_file(IMAGE_FOLDER, thumb)
    db.session.execute(
        delete(Idea).where(Idea.author_id == user.id, Idea.status == IdeaStatus.DRAFT)
    )
    db.session.execute(delete(Follow).where(Follow.user_id == user.id))
    db.session.execute(update(Idea).where(Idea.author_id == user.id).values(author_id=None))
    db.session.execute(update(Comment).where(Comment.author_id == user.id).values(author_id=None))


def count_by_district(municipality: Municipality, call: IdeaCall) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Idea.district_id, func.count(Idea.id))
            .where(
                Idea.call_id == call.id,
                Idea.status != IdeaStatus.DRAFT,
                Idea.district_id.is_not(None),
            )
            .group_by(Idea.district_id)
        ).all()
    )

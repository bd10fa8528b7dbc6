"""Pages of idea calls and ideas: browse, submit, support, discuss, moderate, review, appeal."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from participation.core import exports
from participation.core.ids import MAX_ID, whole_number
from participation.core.models import utcnow
from participation.core.permissions import authorize
from participation.core.tenancy import local_to_utc, municipality_blueprint, utc_to_local
from participation.core.uploads import UploadError, upload_folder
from participation.extensions import db, limiter
from participation.ideas import permissions as can
from participation.ideas import services
from participation.ideas.forms import (
    ActionForm,
    AppealDecisionForm,
    AppealForm,
    CallForm,
    CommentForm,
    FilterForm,
    IdeaForm,
    ModerationForm,
    ReportForm,
    ReviewForm,
    blank,
)
from participation.ideas.models import Comment, Idea, IdeaCall, Submitters
from participation.ideas.rules import IdeaStatus, Phase
from participation.maps import services as maps_services
from participation.maps import widgets
from participation.maps.clustering import MAX_ZOOM
from participation.maps.geojson import (
    BadBoundingBox,
    BadZoom,
    geojson_response,
    parse_bbox,
    parse_zoom,
)

bp = municipality_blueprint("ideas", __name__, url_prefix="/ideas")
api_bp = municipality_blueprint("ideas_api", __name__, before_slug="/api/v1")

STATUS_LABELS = {
    IdeaStatus.DRAFT: _l("Draft"),
    IdeaStatus.COLLECTING: _l("Collecting supporters"),
    IdeaStatus.UNDER_REVIEW: _l("Under review"),
    IdeaStatus.ACCEPTED: _l("Accepted"),
    IdeaStatus.REJECTED: _l("Rejected"),
    IdeaStatus.MERGED: _l("Merged"),
    IdeaStatus.APPEALED: _l("Appealed"),
    IdeaStatus.EXPIRED: _l("Not enough supporters"),
}
EVENT_LABELS = {
    "submitted": _l("Submitted"),
    "hidden": _l("Hidden by a moderator"),
    "restored": _l("Restored by a moderator"),
    **{status.value: label for status, label in STATUS_LABELS.items()},
}
PHASE_LABELS = {Phase.OPEN: _l("Open"), Phase.UPCOMING: _l("Upcoming"), Phase.CLOSED: _l("Closed")}


@bp.record_once
def _template_globals(state):
    # Globals, not a context processor: macros imported without context see them too.
    state.app.jinja_env.globals.update(
        idea_status_labels=STATUS_LABELS,
        idea_event_labels=EVENT_LABELS,
        call_phase_labels=PHASE_LABELS,
        timedelta=timedelta,
        can_moderate_ideas=can.can_moderate,
        can_see_review_queue=_can_see_review_queue,
    )


def _can_see_review_queue(user, municipality) -> bool:
    return can.can_see_review_queue(user, municipality) or can.can_manage_calls(user, municipality)


def _call(call_id: int) -> IdeaCall:
    call = db.get_or_404(IdeaCall, call_id)
    authorize(can.can_view_call, call)
    return call


def _idea(idea_id: int, check=can.can_view_idea) -> Idea:
    idea = db.get_or_404(Idea, idea_id)
    authorize(check, idea)
    return idea


# --- calls ----------------------------------------------------------------------------


@bp.get("/")
def calls():
    return render_template(
        "ideas/call_list.html",
        municipality=g.municipality,
        calls=services.calls_of(g.municipality),
        Phase=Phase,
        can_manage=can.can_manage_calls(current_user, g.municipality),
    )


def _call_form(call: IdeaCall | None) -> CallForm:
    form = CallForm(obj=call) if call is not None else CallForm()
    form.districts.choices = [
        SelectChoice(str(d.id), d.name) for d in maps_services.districts_of(g.municipality)
    ]
    if request.method == "GET" and call is not None:
        form.opens_at.data = utc_to_local(call.opens_at)
        form.closes_at.data = utc_to_local(call.closes_at)
        form.support_deadline.data = utc_to_local(call.support_deadline)
        form.districts.data = [str(d.id) for d in call.districts]
        form.categories.data = "\n".join(c.name for c in call.categories)
        form.submitters.data = call.submitters.value
    return form


def _save_call(call: IdeaCall | None):
    form = _call_form(call)
    if form.validate_on_submit():
        opens, closes = local_to_utc(form.opens_at.data), local_to_utc(form.closes_at.data)
        if closes <= opens:
            form.closes_at.errors.append(_("The call must close after it opens."))
        else:
            call = services.save_call(
                call,
                g.municipality,
                current_user,
                district_ids=[int(i) for i in form.districts.data or []],
                category_names=(form.categories.data or "").splitlines(),
                title=form.title.data.strip(),
                description=form.description.data or "",
                opens_at=opens,
                closes_at=closes,
                submitters=Submitters(form.submitters.data),
                max_ideas_per_person=form.max_ideas_per_person.data,
                location_required=form.location_required.data,
                support_threshold=form.support_threshold.data,
                support_deadline=local_to_utc(form.support_deadline.data),
                max_images=form.max_images.data,
                appeal_days=form.appeal_days.data,
                duplicate_distance_m=form.duplicate_distance_m.data,
            )
            flash(_("The call is saved."), "success")
            return redirect(url_for("ideas.call", call_id=call.id))
    return render_template(
        "ideas/call_edit.html", form=form, call=call, municipality=g.municipality
    )


@bp.route("/calls/new", methods=["GET", "POST"])
@login_required
def new_call():
    authorize(can.can_manage_calls, g.municipality)
    return _save_call(None)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def edit_call(call_id: int):
    call = _call(call_id)
    authorize(can.can_manage_calls, g.municipality)
    return _save_call(call)


def _filter_form(call: IdeaCall | None) -> tuple[FilterForm, services.IdeaFilters]:
    form = FilterForm(request.args)
    form.district.choices = [blank(_("All districts"))] + maps_services.district_choices(
        g.municipality, ""
    )[1:]
    categories = call.categories if call is not None else []
    form.category.choices = [blank(_("All categories"))] + [
        SelectChoice(str(c.id), c.name) for c in categories
    ]
    form.status.choices = [blank(_("All statuses"))] + [
        SelectChoice(s.value, STATUS_LABELS[s]) for s in IdeaStatus if s != IdeaStatus.DRAFT
    ]
    form.validate()
    filters = services.IdeaFilters(
        q=form.q.data or "",
        district_id=whole_number(form.district.data),
        category_id=whole_number(form.category.data),
        status=form.status.data if form.status.data in {s.value for s in IdeaStatus} else None,
        sort=form.sort.data if form.sort.data in {"newest", "supported"} else "newest",
    )
    return form, filters


def _page_number() -> int:
    """``?page=`` as a page of the list; the first page for anything else."""
    return whole_number(request.args.get("page"), services.MAX_PAGE) or 1


@bp.get("/calls/<int:call_id>")
def call(call_id: int):
    call = _call(call_id)
    form, filters = _filter_form(call)
    page = services.browse(call, filters, _page_number())
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "ideas/call_detail.html",
        municipality=g.municipality,
        call=call,
        page=page,
        form=form,
        args=args,
        phase=can.phase(call),
        can_submit=can.can_submit_idea(current_user, call),
        may_submit=can.may_submit(current_user, call),
        can_manage=can.can_manage_calls(current_user, g.municipality),
    )


@bp.get("/calls/<int:call_id>/map")
def call_map(call_id: int):
    call = _call(call_id)
    form, filters = _filter_form(call)
    args = {k: v for k, v in request.args.items() if v and k != "page"}
    page = services.browse(call, filters, _page_number())
    widget = widgets.browse_map(
        maps_services.municipality_boundary(g.municipality),
        url_for("ideas_api.ideas_geojson", call=call.id, fields="map", **args),
        url_prefix=services.idea_url_prefix(g.municipality),
        status_id="map-status",
        label=_("Map of the ideas"),
        loaded_text=_("{count} ideas on the map."),
        failed_text=_("The map could not load the ideas. The list below has them all."),
    )
    return render_template(
        "ideas/call_map.html",
        municipality=g.municipality,
        call=call,
        form=form,
        args=args,
        map=widget,
        page=page,
    )


@bp.get("/calls/<int:call_id>/export.<fmt>")
@login_required
def export(call_id: int, fmt: str):
    call = _call(call_id)
    authorize(can.can_manage_calls, g.municipality)
    rows = services.export_rows(call)
    name = f"ideas-{g.municipality.slug}-{call.id}"
    if fmt == "csv":
        body, media_type = exports.to_csv(rows, EXPORT_COLUMNS), "text/csv"
    elif fmt == "xlsx":
        body, media_type = (
            exports.to_xlsx([("ideas", EXPORT_COLUMNS, rows)]),
            exports.XLSX_MEDIA_TYPE,
        )
    elif fmt == "geojson":
        body, media_type = exports.points_geojson(rows), "application/geo+json"
    else:
        abort(404)
    return Response(
        body,
        mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


EXPORT_COLUMNS = (
    "id",
    "title",
    "description",
    "status",
    "hidden",
    "category",
    "district",
    "address",
    "latitude",
    "longitude",
    "supports",
    "submitted_at",
)


@api_bp.get("/ideas.geojson")
def ideas_geojson():
    """Located public ideas. Filters as on the list; ``bbox``; ``fields=map`` for titles
    only. ``cluster=1&zoom=Z`` asks for what a map at zoom Z shows of the box: groups
    with a count when it holds many ideas, the ideas themselves when it holds few."""
    try:
        bbox = parse_bbox(request.args.get("bbox"))
    except BadBoundingBox:
        return {"error": "bbox must be minLon,minLat,maxLon,maxLat in degrees"}, 400
    zoom = None
    if request.args.get("cluster", "") not in {"", "0", "false"}:
        try:
            zoom = parse_zoom(request.args.get("zoom"))
        except BadZoom:
            return {"error": f"cluster needs zoom, a whole number from 0 to {MAX_ZOOM}"}, 400
    call = None
    if (call_id := whole_number(request.args.get("call"))) is not None:
        call = _call(call_id)
    _, filters = _filter_form(call)
    fields = "map" if request.args.get("fields") == "map" else "full"
    return geojson_response(
        services.ideas_geojson(g.municipality, call, filters, bbox, fields, zoom=zoom)
    )


# --- submitting -----------------------------------------------------------------------


def _idea_form(call: IdeaCall, idea: Idea | None) -> IdeaForm:
    form = IdeaForm(obj=idea) if idea is not None else IdeaForm()
    if call.districts:  # a call for some districts offers only those
        form.district.choices = [blank(_("Choose later"))] + [
            SelectChoice(str(d.id), d.name) for d in call.districts
        ]
    else:
        form.district.choices = maps_services.district_choices(g.municipality, _("Choose later"))
    form.category.choices = [blank(_("No category"))] + [
        SelectChoice(str(c.id), c.name) for c in call.categories
    ]
    if request.method == "GET" and idea is not None:
        form.district.data = str(idea.district_id or "")
        form.category.data = str(idea.category_id or "")
    return form


def _edit_idea(call: IdeaCall, idea: Idea | None):
    form = _idea_form(call, idea)
    duplicates = []
    if form.validate_on_submit():
        place = maps_services.check_location(form, g.municipality, required=call.location_required)
        submitting = form.submit.data
        if submitting and not can.can_submit_idea(current_user, call):
            # A draft's own form must not get past the limit per person: keep it a draft.
            submitting = False
            flash(_("You cannot submit more ideas into this call."), "error")
        if place is not None and submitting and not form.confirm_not_duplicate.data:
            duplicates = services.likely_duplicates(
                call, form.title.data, place.lat, place.lon, exclude_id=idea.id if idea else None
            )
        if place is not None and not duplicates:
            try:
                idea = services.save_idea(
                    idea,
                    call,
                    current_user,
                    form.title.data,
                    form.description.data,
                    whole_number(form.category.data),
                    place,
                    request.files.getlist(form.images.name),
                    [form.image_alt.data or ""] * call.max_images,
                )
                if submitting:
                    services.submit_idea(idea, current_user)
                    flash(_("Thank you, your idea is submitted."), "success")
                else:
                    flash(_("Your draft is saved. Only you can see it."), "success")
                return redirect(url_for("ideas.idea", idea_id=idea.id))
            except (UploadError, services.IdeaError) as error:
                db.session.rollback()
                field = "images" if isinstance(error, UploadError) else error.field or "title"
                form[field].errors.append(str(error))
    widget = widgets.location_picker(
        maps_services.municipality_boundary(g.municipality),
        form.lat.id,
        form.lon.id,
        "picker-status",
        label=_("Map: click to mark the place, or focus the map and press Enter for its centre"),
        placed_text=_("Place marked at {lat}, {lon}."),
        marker_title=_("The place of the idea"),
    )
    return render_template(
        "ideas/idea_edit.html",
        municipality=g.municipality,
        call=call,
        idea=idea,
        form=form,
        map=widget,
        duplicates=duplicates,
    )


@bp.route("/calls/<int:call_id>/submit", methods=["GET", "POST"])
@login_required
def submit(call_id: int):
    call = _call(call_id)
    if not can.can_submit_idea(current_user, call):
        return render_template(
            "ideas/cannot_submit.html",
            municipality=g.municipality,
            call=call,
            phase=can.phase(call),
            may_submit=can.may_submit(current_user, call),
        ), 403
    return _edit_idea(call, None)


@bp.route("/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    idea = _idea(idea_id, can.can_edit_idea)
    return _edit_idea(idea.call, idea)


@bp.post("/<int:idea_id>/submit")
@login_required
def submit_draft(idea_id: int):
    idea = _idea(idea_id, can.can_edit_idea)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not can.can_submit_idea(current_user, idea.call):
        flash(_("You cannot submit more ideas into this call."), "error")
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    if services.likely_duplicates(idea.call, idea.title, idea.lat, idea.lon, exclude_id=idea.id):
        # The edit form shows them and asks the author to confirm the idea is different.
        flash(_("Similar ideas already exist. Submit from the form to see them first."), "warning")
        return redirect(url_for("ideas.edit", idea_id=idea.id))
    try:
        services.submit_idea(idea, current_user)
    except services.IdeaError as error:
        flash(str(error), "error")
        return redirect(url_for("ideas.edit", idea_id=idea.id))
    flash(_("Thank you, your idea is submitted."), "success")
    return redirect(url_for("ideas.idea", idea_id=idea.id))


@bp.post("/<int:idea_id>/images/<int:image_id>/remove")
@login_required
def remove_image(idea_id: int, image_id: int):
    idea = _idea(idea_id, can.can_edit_idea)
    if not ActionForm().validate_on_submit():
        abort(400)
    services.remove_image(idea, image_id)
    flash(_("The image was removed."), "success")
    return redirect(url_for("ideas.edit", idea_id=idea.id))


@bp.get("/images/<path:name>")
def image(name: str):
    """An image of an idea of this town, to whoever may see the idea; a hidden idea's
    images, which its page no longer shows, to moderators only."""
    found = services.image_named(g.municipality, name)
    if found is None or not can.can_view_idea(current_user, found.idea):
        abort(404)
    if found.idea.hidden and not can.can_moderate(current_user, g.municipality):
        abort(404)
    response = send_from_directory(upload_folder(services.IMAGE_FOLDER), name, max_age=86400)
    if found.idea.hidden or found.idea.status == IdeaStatus.DRAFT:
        # For the author or a moderator only: no shared cache keeps it.
        response.cache_control.public = False
        response.cache_control.private = True
    return response


# --- an idea --------------------------------------------------------------------------


@bp.get("/<int:idea_id>")
def idea(idea_id: int):
    idea = _idea(idea_id)
    comments = services.comments_of(idea)
    widget = None
    if idea.lat is not None and not idea.hidden:
        widget = widgets.point_map(
            idea.lat, idea.lon, label=_("Map of the idea's place"), marker_title=idea.title
        )
    return render_template(
        "ideas/idea_detail.html",
        municipality=g.municipality,
        idea=idea,
        call=idea.call,
        comments=comments,
        map=widget,
        action=ActionForm(),
        comment_form=CommentForm(),
        supported=services.has_supported(idea, current_user),
        following=services.is_following(idea, current_user),
        review=services.latest_review(idea),
        appeal=services.appeal_of(idea),
        can=can,
        now=utcnow(),
    )


@bp.post("/<int:idea_id>/support")
@login_required
def support(idea_id: int):
    idea = _idea(idea_id, can.can_support)
    if not ActionForm().validate_on_submit():
        abort(400)
    if request.form.get("withdraw"):
        services.withdraw_support(idea, current_user)
        flash(_("Your support is withdrawn."), "success")
    else:
        services.support(idea, current_user)
        flash(_("Thank you for your support."), "success")
    return redirect(url_for("ideas.idea", idea_id=idea.id))


@bp.post("/<int:idea_id>/follow")
@login_required
def follow(idea_id: int):
    idea = _idea(idea_id, can.can_follow)
    if not ActionForm().validate_on_submit():
        abort(400)
    if request.form.get("stop"):
        services.unfollow(idea, current_user)
        flash(_("You no longer follow this idea."), "success")
    else:
        services.follow(idea, current_user)
        flash(_("You follow this idea: we email you when its status changes."), "success")
    return redirect(url_for("ideas.idea", idea_id=idea.id))


@bp.post("/<int:idea_id>/comments")
@login_required
@limiter.limit("10 per minute")
def comment(idea_id: int):
    idea = _idea(idea_id, can.can_comment)
    form = CommentForm()
    if form.validate_on_submit():
        parent = None
        if form.parent_id.data:
            parent = (
                db.session.get(Comment, parent_id)
                if (parent_id := whole_number(form.parent_id.data)) is not None
                else None
            )
            if parent is None:
                abort(404)
        try:
            comment = services.add_comment(idea, current_user, form.body.data, parent)
        except services.IdeaError as error:
            form.body.errors.append(str(error))
        else:
            flash(_("Your comment is published."), "success")
            return redirect(url_for("ideas.idea", idea_id=idea.id, _anchor=f"c{comment.id}"))
    return render_template(
        "ideas/comment_form.html", municipality=g.municipality, idea=idea, form=form
    ), 422


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    comment = db.get_or_404(Comment, comment_id)
    authorize(can.can_edit_comment, comment)
    form = CommentForm(obj=comment)
    if form.validate_on_submit():
        services.edit_comment(comment, form.body.data)
        flash(_("Your comment is changed."), "success")
        return redirect(url_for("ideas.idea", idea_id=comment.idea_id, _anchor=f"c{comment.id}"))
    return render_template(
        "ideas/comment_form.html",
        municipality=g.municipality,
        idea=comment.idea,
        form=form,
        comment=comment,
    )


@bp.route("/<int:idea_id>/report", methods=["GET", "POST"])
@bp.route("/<int:idea_id>/comments/<int:comment_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per hour", exempt_when=lambda: request.method != "POST")
def report(idea_id: int, comment_id: int | None = None):
    idea = _idea(idea_id)
    target = idea
    if comment_id is not None:
        target = db.get_or_404(Comment, comment_id)
        if target.idea_id != idea.id:
            abort(404)
    if not can.can_report(current_user, target):
        abort(403)
    form = ReportForm()
    if form.validate_on_submit():
        services.report(target, current_user, form.reason.data)
        flash(_("Thank you. A moderator will look at it."), "success")
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template(
        "ideas/report_form.html", municipality=g.municipality, idea=idea, target=target, form=form
    )


# --- moderation -----------------------------------------------------------------------


@bp.get("/moderation")
@login_required
def moderation():
    authorize(can.can_moderate, g.municipality)
    return render_template(
        "ideas/moderation_queue.html",
        municipality=g.municipality,
        reports=services.open_reports(g.municipality),
        action=ActionForm(),
    )


@bp.route("/moderation/<kind>/<int:target_id>/<verb>", methods=["GET", "POST"])
@login_required
def moderate(kind: str, target_id: int, verb: str):
    if kind not in {"idea", "comment"} or verb not in {"hide", "restore", "dismiss"}:
        abort(404)
    target = db.get_or_404(Idea if kind == "idea" else Comment, target_id)
    idea = target if kind == "idea" else target.idea
    authorize(lambda user, obj: can.can_moderate(user, g.municipality), idea)
    if verb == "dismiss":
        if not ActionForm().validate_on_submit():
            abort(400)
        services.dismiss_reports(target)
        flash(_("The report is dismissed."), "success")
        return redirect(url_for("ideas.moderation"))
    form = ModerationForm()
    if form.validate_on_submit():
        if verb == "hide":
            services.hide(target, current_user, form.reason.data)
            flash(_("Hidden. The reason is shown in its place."), "success")
        else:
            services.restore(target, current_user, form.reason.data)
            flash(_("Restored."), "success")
        return redirect(url_for("ideas.moderation"))
    return render_template(
        "ideas/moderate_form.html",
        municipality=g.municipality,
        idea=idea,
        target=target,
        kind=kind,
        verb=verb,
        form=form,
    )


# --- review and appeal ----------------------------------------------------------------


@bp.get("/review")
@login_required
def review_queue():
    authorize(
        lambda user, m: can.can_see_review_queue(user, m) or can.can_manage_calls(user, m),
        g.municipality,
    )
    return render_template(
        "ideas/review_queue.html",
        municipality=g.municipality,
        ideas=services.review_queue(g.municipality),
    )


@bp.route("/<int:idea_id>/review", methods=["GET", "POST"])
@login_required
def review(idea_id: int):
    idea = _idea(idea_id, can.can_review)
    form = ReviewForm()
    if form.validate_on_submit():
        merged_into = None
        if form.outcome.data == "merged":
            number = form.merged_into.data or 0  # at least 1 when given (the form)
            merged_into = db.session.get(Idea, number) if number <= MAX_ID else None
            if not services.can_merge_into(idea, merged_into):
                form.merged_into.errors.append(
                    _("Give the number of another idea of the same call.")
                )
        if not form.merged_into.errors:
            services.review(
                idea,
                current_user,
                form.legal.data == "yes",
                form.feasible.data == "yes",
                form.cost_estimate.data,
                form.justification.data,
                form.outcome.data,
                merged_into,
            )
            flash(_("The review is saved and the author is told."), "success")
            return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template(
        "ideas/review_form.html", municipality=g.municipality, idea=idea, form=form
    )


@bp.route("/<int:idea_id>/appeal", methods=["GET", "POST"])
@login_required
def appeal(idea_id: int):
    idea = _idea(idea_id, can.can_appeal)
    form = AppealForm()
    if form.validate_on_submit():
        services.appeal(idea, current_user, form.text.data)
        flash(_("Your appeal is sent. A coordinator will decide it."), "success")
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template(
        "ideas/appeal_form.html",
        municipality=g.municipality,
        idea=idea,
        form=form,
        review=services.latest_review(idea),
    )


@bp.route("/<int:idea_id>/appeal/decide", methods=["GET", "POST"])
@login_required
def decide_appeal(idea_id: int):
    idea = _idea(idea_id, can.can_decide_appeal)
    form = AppealDecisionForm()
    if form.validate_on_submit():
        services.decide_appeal(idea, current_user, form.decision.data == "upheld", form.reason.data)
        flash(_("The appeal is decided and the author is told."), "success")
        return redirect(url_for("ideas.idea", idea_id=idea.id))
    return render_template(
        "ideas/appeal_decide.html",
        municipality=g.municipality,
        idea=idea,
        form=form,
        appeal=services.appeal_of(idea),
        review=services.latest_review(idea),
    )


@bp.get("/mine")
@login_required
def mine():
    ideas = db.session.scalars(
        select(Idea)
        .where(Idea.author_id == current_user.id, Idea.municipality_id == g.municipality.id)
        .order_by(Idea.created_at.desc())
    ).all()
    return render_template("ideas/idea_mine.html", municipality=g.municipality, ideas=ideas)

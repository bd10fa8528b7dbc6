"""Public pages of consultations and what residents do there: the list, a consultation's
page, answering the survey, commenting on the draft and openly, following; and the
paper forms staff enter."""

from __future__ import annotations

import secrets

from flask import (
    abort,
    current_app,
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
from shapely.ops import unary_union
from wtforms import SelectChoice

from participation.consultations import documents, rules, services
from participation.consultations import permissions as can
from participation.consultations.forms import (
    ActionForm,
    CommentForm,
    PaperCommentForm,
    PaperResponseForm,
    ResponseForm,
    WithdrawForm,
    parse_survey,
    raw_from_values,
    survey_fields,
)
from participation.consultations.models import Consultation, Document, Paragraph, Response
from participation.consultations.rules import Area, Status
from participation.core.ids import whole_number
from participation.core.permissions import authorize
from participation.core.tenancy import municipality_blueprint
from participation.extensions import db, limiter, login_manager
from participation.maps import services as maps_services
from participation.maps import widgets

bp = municipality_blueprint("consultations", __name__, url_prefix="/consultations")

STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.SCHEDULED: _l("Upcoming"),
    Status.OPEN: _l("Open"),
    Status.CLOSED: _l("Closed"),
    Status.REPORT_PUBLISHED: _l("Report published"),
}
BROWSER_COOKIE = "consultation_browser"


@bp.context_processor
def _labels():
    return {"consultation_status_labels": STATUS_LABELS, "can": can, "Status": Status}


def _consultation(consultation_id: int) -> Consultation:
    """The consultation of the URL's town; a draft is "not found" for the public."""
    consultation = db.get_or_404(Consultation, consultation_id)
    if consultation.municipality_id != g.municipality.id:
        abort(404)
    if not can.can_view(current_user, consultation):
        abort(404)
    return consultation


def _area_shape(consultation: Consultation):
    """The consultation's area as a shape, for maps: drawn, its districts, or the town."""
    kind = Area(consultation.area_kind)
    if kind == Area.DRAWN and consultation.area is not None:
        return consultation.area
    if kind == Area.DISTRICTS and consultation.districts:
        return unary_union([d.boundary for d in consultation.districts])
    return maps_services.municipality_boundary(consultation.municipality)


def _area_map(shape) -> widgets.MapWidget:
    # The area outlined on a plain map; its text description is beside it on the page.
    m = widgets.base_map(widgets.center_of(shape), bounds=shape)
    widgets.outline(m, shape, "area")
    return widgets._render(m, "plain", {"label": _("Map of the area of the consultation")})


def _login_needed():
    """Send an anonymous visitor to log in and back (as ``login_required`` does)."""
    return login_manager.unauthorized()


# --- the list and a consultation's page -----------------------------------------------


@bp.get("/")
def index():
    groups = services.grouped(services.consultations_of(g.municipality))
    can_manage = can.can_manage_consultations(current_user, g.municipality)
    return render_template(
        "consultations/index.html",
        municipality=g.municipality,
        groups=groups,
        following_all=services.is_following(current_user, g.municipality, None),
        action=ActionForm(),
        overview_url=url_for("consultations_admin.overview") if can_manage else None,
    )


@bp.get("/<int:consultation_id>/")
def consultation(consultation_id: int):
    consultation = _consultation(consultation_id)
    area_map = None
    if Area(consultation.area_kind) != Area.WHOLE:
        shape = _area_shape(consultation)
        if shape is not None and not shape.is_empty:
            area_map = _area_map(shape)
    response = _own_response(consultation)
    links = {}
    for name, check in (
        ("results", can.can_view_results),
        ("report", can.can_view_report),
    ):
        endpoint = f"consultations_report.{name}"
        if check(current_user, consultation):
            links[name] = url_for(endpoint, consultation_id=consultation.id)
    if can.can_manage(current_user, consultation):
        links["manage"] = url_for("consultations_admin.manage", consultation_id=consultation.id)
    return render_template(
        "consultations/consultation.html",
        municipality=g.municipality,
        consultation=consultation,
        status=consultation.status,
        area_map=area_map,
        response=response,
        following=services.is_following(current_user, g.municipality, consultation),
        following_all=services.is_following(current_user, g.municipality, None),
        action=ActionForm(),
        links=links,
        comment_total=services.comment_count(consultation),
    )


@bp.get("/<int:consultation_id>/documents/<int:document_id>")
def document(consultation_id: int, document_id: int):
    consultation = _consultation(consultation_id)
    doc = db.get_or_404(Document, document_id)
    if doc.consultation_id != consultation.id:
        abort(404)
    return send_from_directory(
        documents.folder(),
        doc.filename,
        mimetype=doc.content_type,
        as_attachment=True,
        download_name=doc.original_name,
        max_age=3600,
    )


# --- following ------------------------------------------------------------------------


@bp.post("/<int:consultation_id>/follow")
@login_required
def follow(consultation_id: int):
    consultation = _consultation(consultation_id)
    authorize(can.can_follow, consultation)
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.is_following(current_user, g.municipality, consultation):
        services.unfollow(current_user, g.municipality, consultation)
        flash(_("You no longer follow this consultation."), "success")
    else:
        services.follow(current_user, g.municipality, consultation)
        flash(
            _(
                "You follow this consultation: we email you when it opens, a week before "
                "it closes and when its report is published."
            ),
            "success",
        )
    return redirect(_back(url_for(".consultation", consultation_id=consultation.id)))


@bp.post("/follow")
@login_required
def follow_all():
    authorize(lambda user, m: can.can_follow(user), g.municipality)
    if not ActionForm().validate_on_submit():
        abort(400)
    if services.is_following(current_user, g.municipality, None):
        services.unfollow(current_user, g.municipality, None)
        flash(
            _("You no longer follow all consultations of %(town)s.", town=g.municipality.name),
            "success",
        )
    else:
        services.follow(current_user, g.municipality, None)
        flash(
            _(
                "You follow all consultations of %(town)s: we email you when each opens, a "
                "week before it closes and when its report is published.",
                town=g.municipality.name,
            ),
            "success",
        )
    return redirect(_back(url_for(".index")))


def _back(fallback: str) -> str:
    from participation.core.security import safe_next

    return safe_next(request.form.get("next"), fallback)


# --- responding -----------------------------------------------------------------------


def _browser_token(create: bool = False) -> str | None:
    """The anonymous respondent's browser token (one random cookie a browser)."""
    token = request.cookies.get(BROWSER_COOKIE)
    if token is None and create:
        token = g.setdefault("new_browser_token", secrets.token_urlsafe(24))
    return token


def _scoped_token(consultation: Consultation, create: bool = False) -> str | None:
    # Scoped to the consultation, so the stored hashes cannot link one browser's
    # responses across consultations.
    token = _browser_token(create)
    return f"{consultation.id}:{token}" if token else None


@bp.after_request
def _set_browser_cookie(response):
    token = g.get("new_browser_token")
    if token:
        response.set_cookie(
            BROWSER_COOKIE,
            token,
            max_age=60 * 60 * 24 * 365,
            httponly=True,
            samesite="Lax",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        )
    return response


def _signed_in() -> bool:
    return current_user.is_authenticated


def _own_response(consultation: Consultation, create_token: bool = False) -> Response | None:
    if _signed_in():
        return services.response_of(consultation, current_user)
    if consultation.anonymous_responses:
        token = _scoped_token(consultation, create_token)
        return services.response_of(consultation, token=token) if token else None
    return None


def _anonymous_limit() -> str:
    return current_app.config.get("ANONYMOUS_RESPONSE_RATE_LIMIT", "10 per hour")


def _not_anonymous_post() -> bool:
    return request.method != "POST" or current_user.is_authenticated


def _cannot_respond(consultation: Consultation, message: str, status: int = 403):
    return render_template(
        "consultations/cannot_respond.html",
        municipality=g.municipality,
        consultation=consultation,
        message=message,
    ), status


def _refusal(consultation: Consultation, response: Response | None):
    """Why this visitor cannot answer now, or None. May also be a redirect to log in."""
    if not consultation.has_survey or not consultation.questions:
        abort(404)
    status = consultation.status
    if status == Status.SCHEDULED:
        return _cannot_respond(
            consultation,
            _(
                "The survey opens on %(date)s. Follow the consultation to get an email "
                "when it opens.",
                date=_when(consultation.opens_at),
            ),
        )
    if status != Status.OPEN:
        if response is not None:
            message = _(
                "The consultation closed on %(date)s, so responses can no longer be "
                "changed. Thank you for taking part.",
                date=_when(consultation.closes_at),
            )
        else:
            message = _(
                "The consultation closed on %(date)s and no longer takes responses.",
                date=_when(consultation.closes_at),
            )
        return _cannot_respond(consultation, message)
    if not can.may_respond(current_user, consultation):
        if not _signed_in():
            return _login_needed()
        return _cannot_respond(
            consultation,
            _(
                "Confirm your email address to respond: open the link we sent you, or ask "
                "for a new one in your profile."
            ),
        )
    if response is not None and response.submitted and not _signed_in():
        return _cannot_respond(
            consultation,
            _(
                "A response from this browser is already in. Each browser can respond "
                "once; log in to respond from your account instead."
            ),
        )
    return None


def _when(moment) -> str:
    from flask_babel import format_datetime

    return format_datetime(moment, "short")


@bp.route("/<int:consultation_id>/survey", methods=["GET", "POST"])
@limiter.limit(_anonymous_limit, exempt_when=_not_anonymous_post)
def survey(consultation_id: int):
    consultation = _consultation(consultation_id)
    response = _own_response(consultation)
    refusal = _refusal(consultation, response)
    if refusal is not None:
        return refusal
    ask_demographics = consultation.ask_demographics and not (
        response is not None and response.demographics_given
    )
    form = ResponseForm()
    form.set_districts(maps_services.districts_of(g.municipality))
    raw = raw_from_values(consultation, services.answer_values(response))
    errors: dict[int, rules.Error] = {}
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 422
        raw = parse_survey(consultation, request.form)
        complete = not (_signed_in() and request.form.get("action") == "save")
        values, errors = rules.check_response(
            [q.spec for q in consultation.questions], raw, complete
        )
        for qid, error in services.check_points(consultation, values).items():
            errors.setdefault(qid, error)
        if errors or status != 200:
            status = 422
        else:
            try:
                saved = services.save_response(
                    consultation,
                    values,
                    complete,
                    respondent=current_user if _signed_in() else None,
                    token=None if _signed_in() else _scoped_token(consultation, create=True),
                    demographics=form.demographics() if ask_demographics else None,
                )
            except services.ConsultationError as error:
                db.session.rollback()
                flash(str(error), "error")
                status = 422
            else:
                if saved.submitted:
                    return redirect(url_for(".survey_done", consultation_id=consultation.id))
                flash(
                    _(
                        "Your answers are saved. You can finish and submit them until %(date)s.",
                        date=_when(consultation.closes_at),
                    ),
                    "success",
                )
                return redirect(url_for(".survey", consultation_id=consultation.id))
    view = survey_fields(consultation, raw, errors, boundary=_area_shape(consultation))
    return render_template(
        "consultations/survey.html",
        municipality=g.municipality,
        consultation=consultation,
        response=response,
        survey=view,
        form=form,
        ask_demographics=ask_demographics,
        can_save_later=_signed_in(),
    ), status


@bp.get("/<int:consultation_id>/survey/done")
def survey_done(consultation_id: int):
    consultation = _consultation(consultation_id)
    return render_template(
        "consultations/survey_done.html",
        municipality=g.municipality,
        consultation=consultation,
        response=_own_response(consultation),
        following=services.is_following(current_user, g.municipality, consultation),
        action=ActionForm(),
    )


@bp.route("/<int:consultation_id>/survey/withdraw", methods=["GET", "POST"])
def withdraw(consultation_id: int):
    consultation = _consultation(consultation_id)
    response = _own_response(consultation)
    if response is None:
        abort(404)
    if consultation.status != Status.OPEN:
        return _cannot_respond(
            consultation,
            _(
                "The consultation has closed, so responses can no longer be withdrawn: "
                "they count in the results."
            ),
        )
    form = WithdrawForm()
    if form.validate_on_submit():
        services.withdraw_response(response)
        flash(_("Your response is withdrawn. It no longer counts in the results."), "success")
        return redirect(url_for(".consultation", consultation_id=consultation.id))
    return render_template(
        "consultations/withdraw.html",
        municipality=g.municipality,
        consultation=consultation,
        form=form,
    ), (422 if form.errors else 200)


# --- the draft text and comments --------------------------------------------------------


def _visible_comments(consultation: Consultation, paragraph: Paragraph | None = None):
    comments = services.comments_of(consultation, paragraph)
    return [c for c in comments if can.can_see_comment(current_user, c)]


def _paragraph(consultation: Consultation, paragraph_id: int) -> Paragraph:
    paragraph = db.get_or_404(Paragraph, paragraph_id)
    if paragraph.section.consultation_id != consultation.id:
        abort(404)
    return paragraph


@bp.get("/<int:consultation_id>/draft")
def draft(consultation_id: int):
    consultation = _consultation(consultation_id)
    if not consultation.has_draft or not consultation.draft_sections:
        abort(404)
    by_paragraph: dict[int, list] = {}
    for comment in _visible_comments(consultation):
        if comment.paragraph_id is not None:
            by_paragraph.setdefault(comment.paragraph_id, []).append(comment)
    return render_template(
        "consultations/draft.html",
        municipality=g.municipality,
        consultation=consultation,
        counts=services.comment_counts_by_paragraph(consultation),
        comments=by_paragraph,
        sees_all=can.can_see_comments(current_user, consultation),
        may_comment=can.can_comment(current_user, consultation),
    )


def _comment_refusal(consultation: Consultation):
    if can.can_comment(current_user, consultation):
        return None
    if consultation.status == Status.OPEN and not _signed_in():
        return _login_needed()
    if consultation.status == Status.OPEN:
        message = _("Confirm your email address to comment.")
    elif consultation.status == Status.SCHEDULED:
        message = _(
            "Comments open on %(date)s, when the consultation opens.",
            date=_when(consultation.opens_at),
        )
    else:
        message = _(
            "The consultation closed on %(date)s and no longer takes comments.",
            date=_when(consultation.closes_at),
        )
    return _cannot_respond(consultation, message)


def _add_comment(consultation: Consultation, form: CommentForm, paragraph: Paragraph | None):
    """Validate and store a comment; errors go on the form's body."""
    if not form.validate_on_submit():
        return None
    try:
        return services.add_comment(
            consultation, form.body.data, author=current_user, paragraph=paragraph
        )
    except services.ConsultationError as error:
        db.session.rollback()
        form.body.errors.append(str(error))
        return None


@bp.route("/<int:consultation_id>/draft/<int:paragraph_id>/comment", methods=["GET", "POST"])
@limiter.limit("20 per minute", exempt_when=lambda: request.method != "POST")
def paragraph_comment(consultation_id: int, paragraph_id: int):
    consultation = _consultation(consultation_id)
    paragraph = _paragraph(consultation, paragraph_id)
    refusal = _comment_refusal(consultation)
    if refusal is not None:
        return refusal
    form = CommentForm()
    comment = _add_comment(consultation, form, paragraph)
    if comment is not None:
        flash(
            _("Thank you, your comment on paragraph %(label)s is in.", label=paragraph.label),
            "success",
        )
        return redirect(
            url_for(".draft", consultation_id=consultation.id, _anchor=f"p{paragraph.id}")
        )
    return render_template(
        "consultations/paragraph_comment.html",
        municipality=g.municipality,
        consultation=consultation,
        paragraph=paragraph,
        form=form,
        comments=_visible_comments(consultation, paragraph),
        sees_all=can.can_see_comments(current_user, consultation),
    ), (422 if form.errors else 200)


@bp.route("/<int:consultation_id>/comments", methods=["GET", "POST"])
@limiter.limit("20 per minute", exempt_when=lambda: request.method != "POST")
def comments(consultation_id: int):
    consultation = _consultation(consultation_id)
    if not consultation.open_comments:
        abort(404)
    form = CommentForm()
    if request.method == "POST":
        refusal = _comment_refusal(consultation)
        if refusal is not None:
            return refusal
        comment = _add_comment(consultation, form, None)
        if comment is not None:
            flash(_("Thank you, your comment is in."), "success")
            return redirect(
                url_for(".comments", consultation_id=consultation.id, _anchor=f"c{comment.id}")
            )
    open_comments = [c for c in _visible_comments(consultation) if c.paragraph_id is None]
    return render_template(
        "consultations/comments.html",
        municipality=g.municipality,
        consultation=consultation,
        form=form,
        comments=open_comments,
        sees_all=can.can_see_comments(current_user, consultation),
        may_comment=can.can_comment(current_user, consultation),
    ), (422 if form.errors else 200)


# --- paper input, entered by staff ------------------------------------------------------


def _paper_consultation(consultation_id: int) -> Consultation:
    consultation = _consultation(consultation_id)
    authorize(can.can_enter_paper, consultation)
    return consultation


@bp.route("/<int:consultation_id>/paper", methods=["GET", "POST"])
@login_required
def paper_response(consultation_id: int):
    consultation = _paper_consultation(consultation_id)
    if not consultation.has_survey or not consultation.questions:
        abort(404)
    form = PaperResponseForm()
    form.set_districts(maps_services.districts_of(g.municipality))
    raw: dict[int, list[str]] = {}
    errors: dict[int, rules.Error] = {}
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        raw = parse_survey(consultation, request.form)
        # A paper form may leave a required question blank; what is there must be valid.
        values, errors = rules.check_response(
            [q.spec for q in consultation.questions], raw, complete=False
        )
        for qid, error in services.check_points(consultation, values).items():
            errors.setdefault(qid, error)
        if valid and not errors:
            saved = services.save_response(
                consultation,
                values,
                complete=True,
                demographics=form.demographics() if consultation.ask_demographics else None,
                entered_by=current_user,
                paper_reference=(form.paper_reference.data or "").strip() or None,
            )
            return redirect(
                url_for(".paper_saved", consultation_id=consultation.id, response_id=saved.id)
            )
        status = 422
    view = survey_fields(consultation, raw, errors, boundary=_area_shape(consultation))
    return render_template(
        "consultations/paper_response.html",
        municipality=g.municipality,
        consultation=consultation,
        survey=view,
        form=form,
        count=services.response_count(consultation),
    ), status


@bp.get("/<int:consultation_id>/paper/<int:response_id>")
@login_required
def paper_saved(consultation_id: int, response_id: int):
    consultation = _consultation(consultation_id)
    authorize(can.can_manage, consultation)
    response = db.get_or_404(Response, response_id)
    if response.consultation_id != consultation.id or response.channel != rules.Channel.PAPER:
        abort(404)
    return render_template(
        "consultations/paper_saved.html",
        municipality=g.municipality,
        consultation=consultation,
        response=response,
        count=services.response_count(consultation),
        may_enter=can.can_enter_paper(current_user, consultation),
    )


@bp.route("/<int:consultation_id>/paper-comment", methods=["GET", "POST"])
@login_required
def paper_comment(consultation_id: int):
    consultation = _paper_consultation(consultation_id)
    paragraphs = [p for s in consultation.draft_sections for p in s.paragraphs]
    if not paragraphs and not consultation.open_comments:
        abort(404)
    form = PaperCommentForm()
    choices = []
    if consultation.open_comments:
        choices.append(SelectChoice("", _("The consultation as a whole (open comment)")))
    choices += [
        SelectChoice(str(p.id), _("Paragraph %(label)s", label=p.label) + " – " + _excerpt(p.text))
        for p in paragraphs
    ]
    form.paragraph.choices = choices
    if form.validate_on_submit():
        paragraph = None
        if (number := whole_number(form.paragraph.data)) is not None:
            paragraph = _paragraph(consultation, number)
        if paragraph is None and not consultation.open_comments:
            form.paragraph.errors.append(_("Choose the paragraph the comment is about."))
        else:
            try:
                services.add_comment(
                    consultation,
                    form.body.data,
                    paragraph=paragraph,
                    entered_by=current_user,
                    author_name=form.author_name.data,
                )
            except services.ConsultationError as error:
                db.session.rollback()
                form.body.errors.append(str(error))
            else:
                flash(
                    _("The paper comment is saved, marked as entered by you. Enter another below."),
                    "success",
                )
                return redirect(url_for(".paper_comment", consultation_id=consultation.id))
    return render_template(
        "consultations/paper_comment.html",
        municipality=g.municipality,
        consultation=consultation,
        form=form,
    ), (422 if form.errors else 200)


def _excerpt(text: str, length: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"

"""Coordinators prepare consultations: details, area, dates, documents, the survey
builder and the draft text; and open, close or publish them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import (
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from shapely.geometry import mapping
from wtforms import SelectChoice

from participation.consultations import documents, drafts, services
from participation.consultations import permissions as can
from participation.consultations.admin_forms import (
    KIND_LABELS,
    ActionForm,
    ConsultationForm,
    DocumentForm,
    DocumentTitleForm,
    DraftForm,
    MoveForm,
    QuestionForm,
    SectionForm,
)
from participation.consultations.forms import survey_fields
from participation.consultations.models import Consultation, Document, Question, Section
from participation.consultations.rules import (
    CHOICE_KINDS,
    CONDITION_KINDS,
    TEXT_KINDS,
    Area,
    Kind,
    Status,
)
from participation.core.permissions import authorize, require
from participation.core.tenancy import local_to_utc, municipality_blueprint, utc_to_local
from participation.core.uploads import UploadError
from participation.extensions import db
from participation.maps import services as maps_services
from participation.maps import widgets

bp = municipality_blueprint("consultations_admin", __name__, url_prefix="/consultations")


@bp.record_once
def _template_globals(state):
    # For the staff area's overview (core's admin index links to each module's work).
    state.app.jinja_env.globals.update(can_manage_consultations=can.can_manage_consultations)


STATUS_LABELS = {
    Status.DRAFT: _l("Draft"),
    Status.SCHEDULED: _l("Scheduled"),
    Status.OPEN: _l("Open"),
    Status.CLOSED: _l("Closed"),
    Status.REPORT_PUBLISHED: _l("Report published"),
}
DRAFT_FILE_MAX_BYTES = 5 * 1024 * 1024
# Which form field a problem of ``rules.check_structure`` belongs to.
STRUCTURE_FIELDS = {
    "options_needed": "options",
    "min_choices_range": "min_choices",
    "max_choices_range": "max_choices",
    "min_above_max": "min_choices",
    "scale_range": "scale_max",
    "number_range": "number_min",
    "condition_question": "condition",
    "condition_value": "condition",
}


@bp.context_processor
def _context():
    return {
        "status_labels": STATUS_LABELS,
        "kind_labels": KIND_LABELS,
        "Status": Status,
    }


def _consultation(consultation_id: int, check=can.can_manage) -> Consultation:
    consultation = db.get_or_404(Consultation, consultation_id)
    authorize(check, consultation)
    return consultation


def _section(consultation: Consultation, section_id: int) -> Section:
    section = db.get_or_404(Section, section_id)
    if section.consultation_id != consultation.id:
        abort(404)
    return section


def _question(consultation: Consultation, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.consultation_id != consultation.id:
        abort(404)
    return question


def _document(consultation: Consultation, document_id: int) -> Document:
    document = db.get_or_404(Document, document_id)
    if document.consultation_id != consultation.id:
        abort(404)
    return document


def _step(form: MoveForm) -> int:
    if not form.validate_on_submit() or form.direction.data not in ("up", "down"):
        abort(400)
    return -1 if form.direction.data == "up" else 1


def _valid_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


# --- the overview -----------------------------------------------------------------------


@bp.get("/manage")
@login_required
@require(can.can_manage_consultations)
def overview():
    groups = services.grouped(services.consultations_of(g.municipality, include_drafts=True))
    closed = groups.pop("closed")
    groups["closed"] = [c for c in closed if c.status == Status.CLOSED]
    groups["report_published"] = [c for c in closed if c.status == Status.REPORT_PUBLISHED]
    sections = [
        ("draft", _("Drafts"), _("Only staff see these until they are published.")),
        ("upcoming", _("Scheduled"), _("Published, and open at their date.")),
        ("open", _("Open"), None),
        ("closed", _("Closed"), _("Inputs to answer before the report is published.")),
        ("report_published", _("Report published"), None),
    ]
    return render_template(
        "consultations/admin/overview.html",
        municipality=g.municipality,
        groups=groups,
        sections=sections,
        total=sum(len(v) for v in groups.values()),
    )


# --- details ----------------------------------------------------------------------------


def _consultation_form(consultation: Consultation | None, districts) -> ConsultationForm:
    data = None
    if request.method == "GET":
        if consultation is not None:
            data = {
                "title": consultation.title,
                "summary": consultation.summary,
                "decision": consultation.decision,
                "decision_maker": consultation.decision_maker,
                "area_kind": Area(consultation.area_kind).value,
                "districts": [str(d.id) for d in consultation.districts],
                "area": json.dumps(mapping(consultation.area)) if consultation.area else "",
                "opens_at": utc_to_local(consultation.opens_at),
                "closes_at": utc_to_local(consultation.closes_at),
                "contact_name": consultation.contact_name,
                "contact_email": consultation.contact_email,
                "contact_phone": consultation.contact_phone,
            }
            for name in (
                "has_survey",
                "has_draft",
                "open_comments",
                "anonymous_responses",
                "show_comments",
                "ask_demographics",
            ):
                data[name] = getattr(consultation, name)
        else:
            # Tomorrow morning, for the municipality's recommended number of days.
            zone = ZoneInfo(g.municipality.timezone)
            opens = (datetime.now(zone) + timedelta(days=1)).replace(
                hour=8, minute=0, second=0, microsecond=0, tzinfo=None
            )
            days = g.municipality.min_consultation_days or 21
            data = {"opens_at": opens, "closes_at": opens + timedelta(days=days, hours=8)}
    form = ConsultationForm(data=data)
    form.districts.choices = [SelectChoice(str(d.id), d.name) for d in districts]
    return form


def _save_consultation(consultation: Consultation | None):
    municipality = g.municipality
    districts = maps_services.districts_of(municipality)
    form = _consultation_form(consultation, districts)
    status = 200
    if form.is_submitted():
        status = 422
    if form.validate_on_submit():
        opens, closes = local_to_utc(form.opens_at.data), local_to_utc(form.closes_at.data)
        kind = Area(form.area_kind.data)
        chosen = [d for d in districts if str(d.id) in (form.districts.data or [])]
        if closes <= opens:
            form.closes_at.errors.append(_("The consultation must close after it opens."))
        elif kind == Area.DISTRICTS and not chosen:
            form.districts.errors.append(_("Choose at least one district, or another area."))
        elif kind == Area.DRAWN and form.area_shape is None:
            form.area.errors.append(_("Draw the area on the map, or paste it as GeoJSON."))
        else:
            fields = {
                "title": form.title.data.strip(),
                "summary": form.summary.data or "",
                "decision": form.decision.data or "",
                "decision_maker": (form.decision_maker.data or "").strip(),
                "area_kind": kind,
                "opens_at": opens,
                "closes_at": closes,
                "has_survey": form.has_survey.data,
                "has_draft": form.has_draft.data,
                "open_comments": form.open_comments.data,
                "anonymous_responses": form.anonymous_responses.data,
                "show_comments": form.show_comments.data,
                "ask_demographics": form.ask_demographics.data,
                "contact_name": (form.contact_name.data or "").strip(),
                "contact_email": form.contact_email.data or None,
                "contact_phone": (form.contact_phone.data or "").strip() or None,
            }
            try:
                consultation = services.save_consultation(
                    municipality,
                    consultation,
                    current_user,
                    districts=chosen,
                    area=form.area_shape if kind == Area.DRAWN else None,
                    **fields,
                )
            except services.ConsultationError as error:
                form.area_kind.errors.append(str(error))
            else:
                flash(_("The consultation is saved."), "success")
                warning = services.duration_warning(consultation)
                if warning:
                    flash(warning, "warning")
                return redirect(
                    url_for("consultations_admin.manage", consultation_id=consultation.id)
                )
    widget = widgets.draw_tool(
        maps_services.municipality_boundary(municipality),
        form.area.id,
        label=_("Map for drawing the area of the consultation"),
    )
    return (
        render_template(
            "consultations/admin/edit.html",
            municipality=municipality,
            form=form,
            consultation=consultation,
            map=widget,
            has_districts=bool(districts),
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require(can.can_manage_consultations)
def new():
    return _save_consultation(None)


@bp.route("/<int:consultation_id>/manage/edit", methods=["GET", "POST"])
@login_required
def edit(consultation_id: int):
    consultation = _consultation(consultation_id)
    return _save_consultation(consultation)


# --- a consultation's staff page --------------------------------------------------------


def _warnings(consultation: Consultation) -> list[str]:
    warnings = []
    duration = services.duration_warning(consultation)
    if duration:
        warnings.append(duration)
    if consultation.has_survey and not consultation.questions:
        warnings.append(_("People are to answer a survey, but it has no questions yet."))
    if consultation.has_draft and not consultation.draft_sections:
        warnings.append(_("People are to comment on a draft text, but there is none yet."))
    if not (consultation.has_survey or consultation.has_draft or consultation.open_comments):
        warnings.append(
            _("People have no way to respond: choose a survey, a draft text or open comments.")
        )
    return warnings


@bp.get("/<int:consultation_id>/manage")
@login_required
def manage(consultation_id: int):
    consultation = _consultation(consultation_id)
    return render_template(
        "consultations/admin/manage.html",
        municipality=g.municipality,
        consultation=consultation,
        status=consultation.status,
        warnings=_warnings(consultation),
        responses=services.response_count(consultation),
        comments=services.comment_count(consultation),
        action=ActionForm(),
    )


def _state_change(consultation_id: int, change, done: str):
    consultation = _consultation(consultation_id)
    _valid_action()
    try:
        change(consultation)
    except services.ConsultationError as error:
        flash(str(error), "error")
    else:
        flash(done, "success")
    return redirect(url_for("consultations_admin.manage", consultation_id=consultation_id))


@bp.post("/<int:consultation_id>/manage/publish")
@login_required
def publish(consultation_id: int):
    return _state_change(consultation_id, services.publish, _("The consultation is published."))


@bp.post("/<int:consultation_id>/manage/open")
@login_required
def open_now(consultation_id: int):
    return _state_change(consultation_id, services.open_now, _("The consultation is open."))


@bp.post("/<int:consultation_id>/manage/close")
@login_required
def close_now(consultation_id: int):
    return _state_change(consultation_id, services.close_now, _("The consultation is closed."))


# --- documents --------------------------------------------------------------------------


def _document_forms(consultation: Consultation, failed: DocumentTitleForm | None = None):
    forms = {}
    for document in consultation.documents:
        prefix = f"doc{document.id}"
        if failed is not None and failed._prefix == f"{prefix}-":
            forms[document.id] = failed
        else:
            forms[document.id] = DocumentTitleForm(
                prefix=prefix, formdata=None, data={"title": document.title}
            )
    return forms


def _upload_form() -> DocumentForm:
    form = DocumentForm()
    limit = documents.max_bytes()
    form.file.description = _(
        "PDF, Word, Excel, PowerPoint or OpenDocument (.pdf, .docx, .xlsx, .pptx, .odt, "
        ".ods, .doc, .xls), at most %(size)s MB.",
        size=f"{limit / (1024 * 1024):g}",
    )
    return form


def _documents_page(consultation, form, title_forms=None, status=200):
    return (
        render_template(
            "consultations/admin/documents.html",
            municipality=g.municipality,
            consultation=consultation,
            form=form,
            title_forms=title_forms or _document_forms(consultation),
            move=MoveForm(formdata=None),
        ),
        status,
    )


@bp.route("/<int:consultation_id>/manage/documents", methods=["GET", "POST"])
@login_required
def document_list(consultation_id: int):
    consultation = _consultation(consultation_id)
    form = _upload_form()
    if form.validate_on_submit():
        try:
            document = documents.add_document(consultation, form.file.data, form.title.data)
        except UploadError as error:
            form.file.errors.append(str(error))
        else:
            flash(_("“%(title)s” is uploaded.", title=document.title), "success")
            return redirect(url_for(".document_list", consultation_id=consultation.id))
    return _documents_page(consultation, form, status=422 if form.is_submitted() else 200)


@bp.post("/<int:consultation_id>/manage/documents/<int:document_id>/title")
@login_required
def document_title(consultation_id: int, document_id: int):
    consultation = _consultation(consultation_id)
    document = _document(consultation, document_id)
    form = DocumentTitleForm(prefix=f"doc{document.id}")
    if form.validate_on_submit():
        documents.retitle(document, form.title.data)
        flash(_("The title is saved."), "success")
        return redirect(url_for(".document_list", consultation_id=consultation.id))
    upload = _upload_form()
    upload.file.errors = []
    return _documents_page(consultation, upload, _document_forms(consultation, form), 422)


@bp.post("/<int:consultation_id>/manage/documents/<int:document_id>/move")
@login_required
def document_move(consultation_id: int, document_id: int):
    consultation = _consultation(consultation_id)
    document = _document(consultation, document_id)
    documents.move_document(document, _step(MoveForm()))
    return redirect(url_for(".document_list", consultation_id=consultation.id))


@bp.route(
    "/<int:consultation_id>/manage/documents/<int:document_id>/delete", methods=["GET", "POST"]
)
@login_required
def document_delete(consultation_id: int, document_id: int):
    consultation = _consultation(consultation_id)
    document = _document(consultation, document_id)
    if request.method == "POST":
        _valid_action()
        title = document.title
        documents.delete_document(document)
        flash(_("“%(title)s” is deleted.", title=title), "success")
        return redirect(url_for(".document_list", consultation_id=consultation.id))
    return render_template(
        "consultations/admin/confirm_delete.html",
        municipality=g.municipality,
        consultation=consultation,
        question=_("Delete the document “%(title)s”?", title=document.title),
        explanation=_("People will no longer be able to download it."),
        button=_("Delete the document"),
        back=url_for(".document_list", consultation_id=consultation.id),
        action=ActionForm(),
    )


# --- the survey builder -----------------------------------------------------------------


def _survey_page(consultation, section_form=None, status=200):
    return (
        render_template(
            "consultations/admin/survey.html",
            municipality=g.municipality,
            consultation=consultation,
            section_form=section_form or SectionForm(prefix="new", formdata=None),
            move=MoveForm(formdata=None),
            can_edit=can.can_edit_survey(current_user, consultation),
            has_responses=services.has_responses(consultation),
            numbers={q.id: i for i, q in enumerate(consultation.questions, start=1)},
        ),
        status,
    )


@bp.get("/<int:consultation_id>/manage/survey")
@login_required
def survey(consultation_id: int):
    return _survey_page(_consultation(consultation_id))


@bp.post("/<int:consultation_id>/manage/survey/sections")
@login_required
def section_add(consultation_id: int):
    consultation = _consultation(consultation_id, can.can_edit_survey)
    form = SectionForm(prefix="new")
    if form.validate_on_submit():
        services.add_section(consultation, form.title.data.strip(), form.description.data or "")
        flash(_("The section is added."), "success")
        return redirect(url_for(".survey", consultation_id=consultation.id))
    return _survey_page(consultation, form, 422)


@bp.route(
    "/<int:consultation_id>/manage/survey/sections/<int:section_id>/edit", methods=["GET", "POST"]
)
@login_required
def section_edit(consultation_id: int, section_id: int):
    consultation = _consultation(consultation_id, can.can_edit_survey)
    section = _section(consultation, section_id)
    form = SectionForm(
        data={"title": section.title, "description": section.description}
        if request.method == "GET"
        else None
    )
    if form.validate_on_submit():
        services.update_section(section, form.title.data.strip(), form.description.data or "")
        flash(_("The section is saved."), "success")
        return redirect(url_for(".survey", consultation_id=consultation.id))
    return (
        render_template(
            "consultations/admin/section_edit.html",
            municipality=g.municipality,
            consultation=consultation,
            section=section,
            form=form,
        ),
        422 if form.is_submitted() else 200,
    )


def _move(consultation: Consultation, item) -> None:
    step = _step(MoveForm())
    try:
        services.move(item, step)
    except services.ConsultationError as error:  # the service put the order back
        flash(str(error), "error")


@bp.post("/<int:consultation_id>/manage/survey/sections/<int:section_id>/move")
@login_required
def section_move(consultation_id: int, section_id: int):
    consultation = _consultation(consultation_id, can.can_edit_survey)
    _move(consultation, _section(consultation, section_id))
    return redirect(url_for(".survey", consultation_id=consultation.id))


@bp.post("/<int:consultation_id>/manage/survey/questions/<int:question_id>/move")
@login_required
def question_move(consultation_id: int, question_id: int):
    consultation = _consultation(consultation_id, can.can_edit_survey)
    _move(consultation, _question(consultation, question_id))
    return redirect(url_for(".survey", consultation_id=consultation.id))


def _confirm_delete(consultation, question, explanation, button):
    return render_template(
        "consultations/admin/confirm_delete.html",
        municipality=g.municipality,
        consultation=consultation,
        question=question,
        explanation=explanation,
        button=button,
        back=url_for(".survey", consultation_id=consultation.id),
        action=ActionForm(),
    )


@bp.route(
    "/<int:consultation_id>/manage/survey/sections/<int:section_id>/delete", methods=["GET", "POST"]
)
@login_required
def section_delete(consultation_id: int, section_id: int):
    consultation = _consultation(consultation_id, can.can_edit_survey)
    section = _section(consultation, section_id)
    if request.method == "POST":
        _valid_action()
        try:
            services.delete_section(section)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("The section is deleted."), "success")
        return redirect(url_for(".survey", consultation_id=consultation.id))
    return _confirm_delete(
        consultation,
        _("Delete the section “%(title)s”?", title=section.title),
        _questions_go_too(len(section.questions)),
        _("Delete the section"),
    )


def _questions_go_too(count: int) -> str:
    if not count:
        return _("It has no questions.")
    return ngettext(
        "Its %(num)d question is deleted with it.",
        "Its %(num)d questions are deleted with it.",
        count,
    )


@bp.route(
    "/<int:consultation_id>/manage/survey/questions/<int:question_id>/delete",
    methods=["GET", "POST"],
)
@login_required
def question_delete(consultation_id: int, question_id: int):
    consultation = _consultation(consultation_id, can.can_edit_survey)
    question = _question(consultation, question_id)
    if request.method == "POST":
        _valid_action()
        try:
            services.delete_question(question)
        except services.ConsultationError as error:
            flash(str(error), "error")
        else:
            flash(_("The question is deleted."), "success")
        return redirect(url_for(".survey", consultation_id=consultation.id))
    return _confirm_delete(
        consultation,
        _("Delete the question “%(text)s”?", text=question.text),
        _("This cannot be undone."),
        _("Delete the question"),
    )


def _condition_choices(consultation: Consultation, before: Question | None, section: Section):
    """ "Always", then each answer of an earlier question that may decide."""
    choices = [SelectChoice("", _("Always"))]
    number = 0
    for s in consultation.sections:
        for q in s.questions:
            if before is not None and q.id == before.id:
                return choices
            number += 1
            group = f"{number}. {q.text}"
            if Kind(q.kind) == Kind.YES_NO:
                answers = [("yes", _("Yes")), ("no", _("No"))]
            elif Kind(q.kind) in CONDITION_KINDS:
                answers = [(str(o.id), o.label) for o in q.options]
            else:
                continue
            for value, label in answers:
                choices.append(
                    SelectChoice(
                        f"{q.id}:{value}",
                        _(
                            "when “%(question)s” is answered “%(answer)s”",
                            question=q.text,
                            answer=label,
                        ),
                        optgroup=group,
                    )
                )
        if before is None and s.id == section.id:
            return choices
    return choices


def _question_data(question: Question) -> dict:
    data = {
        name: getattr(question, name)
        for name in (
            "text",
            "help_text",
            "required",
            "min_choices",
            "max_choices",
            "max_length",
            "scale_min",
            "scale_max",
            "scale_min_label",
            "scale_max_label",
            "number_min",
            "number_max",
        )
    }
    data["kind"] = Kind(question.kind).value
    data["options"] = "\n".join(o.label for o in question.options)
    data["condition"] = (
        f"{question.condition_question_id}:{question.condition_value}"
        if question.condition_question_id
        else ""
    )
    return data


def _question_settings(form: QuestionForm) -> tuple[dict, list[str]]:
    kind = Kind(form.kind.data)
    settings = {
        "kind": kind,
        "text": form.text.data.strip(),
        "help_text": (form.help_text.data or "").strip(),
        "required": form.required.data,
        "min_choices": None,
        "max_choices": None,
        "max_length": None,
        "scale_min": 1,
        "scale_max": 5,
        "scale_min_label": "",
        "scale_max_label": "",
        "number_min": None,
        "number_max": None,
        "condition_question_id": None,
        "condition_value": None,
    }
    if kind == Kind.MULTIPLE:
        settings.update(min_choices=form.min_choices.data, max_choices=form.max_choices.data)
    if kind in TEXT_KINDS:
        settings["max_length"] = form.max_length.data
    if kind == Kind.SCALE:
        settings.update(
            scale_min=form.scale_min.data if form.scale_min.data is not None else 1,
            scale_max=form.scale_max.data if form.scale_max.data is not None else 5,
            scale_min_label=(form.scale_min_label.data or "").strip(),
            scale_max_label=(form.scale_max_label.data or "").strip(),
        )
    if kind == Kind.NUMBER:
        settings.update(number_min=form.number_min.data, number_max=form.number_max.data)
    if form.condition.data:
        question_id, _sep, value = form.condition.data.partition(":")
        settings["condition_question_id"] = int(question_id)
        settings["condition_value"] = value
    options = (form.options.data or "").splitlines() if kind in CHOICE_KINDS else []
    return settings, options


def _question_form(consultation, section, question):
    data = _question_data(question) if question and request.method == "GET" else None
    form = QuestionForm(data=data)
    form.condition.choices = _condition_choices(consultation, question, section)
    general: list[str] = []
    if form.validate_on_submit():
        settings, options = _question_settings(form)
        try:
            if question is None:
                services.add_question(section, options=options, **settings)
            else:
                services.update_question(question, options=options, **settings)
        except services.StructureError as error:
            for code, message in zip(error.codes, error.messages, strict=False):
                getattr(form, STRUCTURE_FIELDS.get(code, "kind")).errors.append(message)
        except services.ConsultationError as error:
            general.append(str(error))
        else:
            flash(
                _("The question is added.") if question is None else _("The question is saved."),
                "success",
            )
            return redirect(url_for(".survey", consultation_id=consultation.id))
    return (
        render_template(
            "consultations/admin/question_edit.html",
            municipality=g.municipality,
            consultation=consultation,
            section=section,
            question=question,
            form=form,
            general_errors=general,
            has_responses=services.has_responses(consultation),
        ),
        422 if form.is_submitted() else 200,
    )


@bp.route(
    "/<int:consultation_id>/manage/survey/sections/<int:section_id>/questions/new",
    methods=["GET", "POST"],
)
@login_required
def question_add(consultation_id: int, section_id: int):
    consultation = _consultation(consultation_id, can.can_edit_survey)
    return _question_form(consultation, _section(consultation, section_id), None)


@bp.route(
    "/<int:consultation_id>/manage/survey/questions/<int:question_id>/edit", methods=["GET", "POST"]
)
@login_required
def question_edit(consultation_id: int, question_id: int):
    consultation = _consultation(consultation_id, can.can_edit_survey)
    question = _question(consultation, question_id)
    return _question_form(consultation, question.section, question)


@bp.get("/<int:consultation_id>/manage/survey/preview")
@login_required
def survey_preview(consultation_id: int):
    consultation = _consultation(consultation_id)
    # The respondents' form as the public survey page renders it; nothing is saved.
    survey_view = survey_fields(
        consultation, boundary=maps_services.municipality_boundary(g.municipality)
    )
    return render_template(
        "consultations/admin/survey_preview.html",
        municipality=g.municipality,
        consultation=consultation,
        survey=survey_view,
    )


# --- the draft text ---------------------------------------------------------------------

DRAFT_PROBLEMS = {
    drafts.DraftProblem.UNSUPPORTED: _l(
        "Upload a Markdown or text file (.md, .txt) or a Word document (.docx)."
    ),
    drafts.DraftProblem.NOT_TEXT: _l(
        "This file is not plain text in UTF-8, whatever its name says. Save it as text, or "
        "upload a Word (.docx) file."
    ),
    drafts.DraftProblem.NOT_DOCX: _l(
        "This file is not a Word (.docx) document we can read, whatever its name says."
    ),
    drafts.DraftProblem.EMPTY: _l("The file has no paragraphs to comment on."),
}


def _numbered(parts: list[drafts.Part]):
    """The numbering ``services.replace_draft`` gives: sections without paragraphs are
    left out, the rest numbered from 1."""
    numbered, skipped = [], []
    for part in parts:
        if part.paragraphs:
            numbered.append((len(numbered) + 1, part))
        else:
            skipped.append(part.title)
    return numbered, skipped, sum(len(part.paragraphs) for _n, part in numbered)


@bp.route("/<int:consultation_id>/manage/draft", methods=["GET", "POST"])
@login_required
def draft(consultation_id: int):
    consultation = _consultation(consultation_id)
    editable = can.can_edit_draft_text(current_user, consultation)
    data = None
    if request.method == "GET":
        current = [
            drafts.Part(s.title, [p.text for p in s.paragraphs])
            for s in consultation.draft_sections
        ]
        data = {"title": consultation.draft_title, "text": drafts.to_markdown(current)}
    form = DraftForm(data=data)
    preview = None
    status = 200
    if form.is_submitted():
        if not editable:
            authorize(can.can_edit_draft_text, consultation)
        status = 422
    if form.validate_on_submit():
        upload = form.file.data
        parts = None
        from_file = bool(upload and getattr(upload, "filename", ""))
        if from_file:
            data = upload.stream.read(DRAFT_FILE_MAX_BYTES + 1)
            if len(data) > DRAFT_FILE_MAX_BYTES:
                form.file.errors.append(_("The file is larger than 5 MB."))
            else:
                try:
                    parts = drafts.read_file(upload.filename, data)
                except drafts.DraftFileError as error:
                    form.file.errors.append(str(DRAFT_PROBLEMS[error.problem]))
                else:
                    form.text.data = drafts.to_markdown(parts)
        else:
            parts = drafts.parse_markdown(form.text.data or "")
            if not any(p.paragraphs for p in parts):
                form.text.errors.append(_("Paste the text of the draft, or upload a file."))
                parts = None
        if parts is not None:
            if form.save.data and not from_file:
                try:
                    services.replace_draft(
                        consultation,
                        (form.title.data or "").strip(),
                        [services.DraftPart(p.title, p.paragraphs) for p in parts],
                    )
                except services.ConsultationError as error:
                    form.text.errors.append(str(error))
                else:
                    flash(_("The draft text is saved."), "success")
                    return redirect(url_for(".manage", consultation_id=consultation.id))
            else:
                preview = _numbered(parts)
                status = 200
    return (
        render_template(
            "consultations/admin/draft.html",
            municipality=g.municipality,
            consultation=consultation,
            form=form,
            preview=preview,
            editable=editable,
            comments=services.comment_count(consultation, paragraphs_only=True),
        ),
        status,
    )

"""Results (for staff at any time, public after the close), answering every input, the
final report and the exports."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from participation.consultations import permissions as can
from participation.consultations import results, services
from participation.consultations.models import (
    Answer,
    Consultation,
    ConsultationComment,
)
from participation.consultations.models import (
    Response as SurveyResponse,
)
from participation.consultations.report_forms import (
    REPLY_STATUS_LABELS,
    PublishReportForm,
    ReplyForm,
    TagsForm,
)
from participation.consultations.rules import AgeBand, Foreigner, Gender, Kind, ReplyStatus
from participation.core import exports
from participation.core.i18n import LANGUAGE_LABELS
from participation.core.ids import whole_number
from participation.core.permissions import authorize
from participation.core.tenancy import municipality_blueprint
from participation.extensions import db
from participation.maps import services as maps_services
from participation.maps import widgets

bp = municipality_blueprint("consultations_report", __name__, url_prefix="/consultations")

FILTERS = {
    "unanswered": _l("Not answered yet"),
    "all": _l("All inputs"),
    "paragraph": _l("Comments on the draft"),
    "open": _l("Open comments"),
    "survey": _l("Survey answers"),
}
DEMOGRAPHIC_TITLES = {
    "age_band": _l("Age"),
    "gender": _l("Gender"),
    "district": _l("District"),
    "language": _l("Language"),
    "foreigner": _l("Foreign nationals"),
}
GROUP_LABELS = {
    "age_band": {
        AgeBand.UNDER_18.value: _l("under 18"),
        AgeBand.FROM_18.value: _l("18 to 29"),
        AgeBand.FROM_30.value: _l("30 to 44"),
        AgeBand.FROM_45.value: _l("45 to 59"),
        AgeBand.FROM_60.value: _l("60 to 74"),
        AgeBand.FROM_75.value: _l("75 and over"),
    },
    "gender": {
        Gender.WOMAN.value: _l("Woman"),
        Gender.MAN.value: _l("Man"),
        Gender.OTHER.value: _l("Another gender"),
    },
    "foreigner": {Foreigner.YES.value: _l("Foreign national"), Foreigner.NO.value: _l("Citizen")},
    "language": LANGUAGE_LABELS,
}
KIND_LABELS = {
    "paragraph": _l("Comment on paragraph"),
    "open": _l("Open comment"),
    "survey": _l("Survey answer"),
}


@bp.app_template_filter("consultation_percent")
def _percent(value: float | None) -> str:
    """A share given in percent (0–100), for the locale: "33.3%", "33,3 %"."""
    if value is None:
        return ""
    return format_percent(value / 100, "#,##0.#%")


def _consultation(consultation_id: int, check) -> Consultation:
    consultation = db.get_or_404(Consultation, consultation_id)
    authorize(check, consultation)
    return consultation


def _context(consultation: Consultation, **extra) -> dict:
    return {
        "municipality": g.municipality,
        "consultation": consultation,
        "reply_labels": REPLY_STATUS_LABELS,
        "can": can,
        **extra,
    }


# --- results ------------------------------------------------------------------------------


@bp.get("/<int:consultation_id>/results", endpoint="results")
def results_page(consultation_id: int):
    consultation = _consultation(consultation_id, can.can_view_results)
    staff = can.can_manage(current_user, consultation)
    gathered = results.gather(consultation)
    districts = maps_services.districts_of(g.municipality)
    district_bars, maps = {}, {}
    features = None
    point_maps = {}
    for result in gathered.questions:
        if result.kind != Kind.POINT:
            continue
        district_bars[result.question.id] = results.district_bars(result, districts)
        if result.points:
            point_maps[result.question.id] = widgets.points_map(
                result.points,
                maps_services.municipality_boundary(g.municipality),
                _(
                    "Map of the places marked in answer to “%(question)s”",
                    question=result.question.text,
                ),
            )
        if districts and result.answered:
            if features is None:
                features = maps_services.districts_geojson(g.municipality)["features"]
            maps[result.question.id] = widgets.choropleth(
                features,
                {d.id: result.by_district.get(d.id, 0) for d in districts},
                legend_title=_("Answers"),
                label=_(
                    "Map of the answers to “%(question)s” by district",
                    question=result.question.text,
                ),
                value_label=_("Answers"),
            )
    return render_template(
        "consultations/report/results.html",
        **_context(
            consultation,
            results=gathered,
            demographics=results.demographics(consultation, public=not staff),
            district_bars=district_bars,
            maps=maps,
            point_maps=point_maps,
            staff=staff,
            demographic_titles=DEMOGRAPHIC_TITLES,
            group_labels=GROUP_LABELS,
        ),
    )


@bp.get("/<int:consultation_id>/export.<fmt>")
@login_required
def export(consultation_id: int, fmt: str):
    consultation = _consultation(consultation_id, can.can_manage)
    columns, rows = results.export_rows(consultation)
    name = f"consultation-{g.municipality.slug}-{consultation.id}"
    if fmt == "csv":
        body, media_type = exports.to_csv(rows, columns), "text/csv"
    elif fmt == "xlsx":
        body = exports.to_xlsx(
            [
                ("responses", columns, rows),
                ("codebook", results.CODEBOOK_COLUMNS, results.codebook(consultation)),
            ]
        )
        media_type = exports.XLSX_MEDIA_TYPE
    else:
        abort(404)
    return Response(
        body,
        mimetype=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'},
    )


@bp.get("/<int:consultation_id>/points.geojson")
def points(consultation_id: int):
    consultation = _consultation(consultation_id, can.can_view_results)
    return Response(
        exports.points_geojson(results.point_rows(consultation)),
        mimetype="application/geo+json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="consultation-{g.municipality.slug}-'
                f'{consultation.id}-points.geojson"'
            )
        },
    )


# --- answering inputs ---------------------------------------------------------------------


def _target(consultation: Consultation, key: str) -> ConsultationComment | Answer:
    """The comment (``c12``) or free-text answer (``a34``) of this consultation."""
    kind, number = key[:1], whole_number(key[1:])
    if number is None:
        abort(404)
    if kind == "c":
        comment = db.session.get(ConsultationComment, number)
        if comment is not None and comment.consultation_id == consultation.id:
            return comment
    elif kind == "a":
        answer = db.session.scalar(
            select(Answer)
            .join(SurveyResponse, SurveyResponse.id == Answer.response_id)
            .where(
                Answer.id == int(number),
                SurveyResponse.consultation_id == consultation.id,
                SurveyResponse.submitted_at.is_not(None),
            )
        )
        if answer is not None and answer.question.kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            return answer
    abort(404)


def _reply_form(item: services.Input) -> ReplyForm:
    data = {}
    if item.reply is not None:
        data = {"status": item.reply.status.value, "justification": item.reply.justification}
    return ReplyForm(formdata=None, prefix=item.key, data=data)


def _tags_form(item: services.Input) -> TagsForm:
    tags = ", ".join(t.name for t in item.answer.tags) if item.answer is not None else ""
    return TagsForm(formdata=None, prefix=f"{item.key}-t", data={"tags": tags})


def _show() -> str:
    show = request.args.get("show", "unanswered")
    return show if show in FILTERS else "unanswered"


def _inputs_page(consultation: Consultation, failed: dict | None = None, status: int = 200):
    """The inputs page; ``failed`` holds the posted form of one input, with its errors."""
    failed = failed or {}
    show = _show()
    every = services.inputs_of(consultation)
    keep = {request.args.get("saved", ""), *failed}
    shown = [
        i
        for i in every
        if i.key in keep
        or show == "all"
        or (show == "unanswered" and i.reply is None)
        or i.kind == show
    ]
    forms = {}
    for item in shown:
        reply_form = failed.get(item.key, {}).get("reply") or _reply_form(item)
        tags_form = None
        if item.kind == "survey":
            tags_form = failed.get(item.key, {}).get("tags") or _tags_form(item)
        forms[item.key] = (reply_form, tags_form)
    counts = {key: 0 for key in FILTERS}
    for item in every:
        counts[item.kind] += 1
        counts["unanswered"] += item.reply is None
    counts["all"] = len(every)
    return render_template(
        "consultations/report/inputs.html",
        **_context(
            consultation,
            inputs=shown,
            forms=forms,
            show=show,
            filters=FILTERS,
            counts=counts,
            answered=len(every) - counts["unanswered"],
            total=len(every),
            kind_labels=KIND_LABELS,
            failed=failed,
        ),
    ), status


@bp.get("/<int:consultation_id>/inputs")
@login_required
def inputs(consultation_id: int):
    consultation = _consultation(consultation_id, can.can_reply)
    return _inputs_page(consultation)


@bp.post("/<int:consultation_id>/inputs/<key>/reply")
@login_required
def reply(consultation_id: int, key: str):
    consultation = _consultation(consultation_id, can.can_reply)
    target = _target(consultation, key)
    form = ReplyForm(prefix=key)
    if form.validate_on_submit():
        try:
            services.reply_to(
                consultation,
                target,
                ReplyStatus(form.status.data),
                form.justification.data,
                current_user,
            )
        except services.ConsultationError as error:
            form.justification.errors.append(str(error))
        else:
            flash(_("The answer is saved."), "success")
            return redirect(
                url_for(
                    ".inputs",
                    consultation_id=consultation.id,
                    show=_show(),
                    saved=key,
                    _anchor=f"input-{key}",
                )
            )
    return _inputs_page(consultation, {key: {"reply": form}}, 422)


@bp.post("/<int:consultation_id>/inputs/<key>/tags")
@login_required
def tags(consultation_id: int, key: str):
    consultation = _consultation(consultation_id, can.can_reply)
    target = _target(consultation, key)
    if not isinstance(target, Answer):
        abort(404)
    form = TagsForm(prefix=f"{key}-t")
    if form.validate_on_submit():
        services.set_tags(consultation, target, (form.tags.data or "").split(","))
        flash(_("The tags are saved."), "success")
        return redirect(
            url_for(
                ".inputs",
                consultation_id=consultation.id,
                show=_show(),
                saved=key,
                _anchor=f"input-{key}",
            )
        )
    return _inputs_page(consultation, {key: {"tags": form}}, 422)


# --- the report ---------------------------------------------------------------------------


@bp.route("/<int:consultation_id>/report/publish", methods=["GET", "POST"])
@login_required
def publish_report(consultation_id: int):
    consultation = db.get_or_404(Consultation, consultation_id)
    authorize(can.can_manage, consultation)
    if consultation.report_published_at is not None:
        flash(_("The report is already published."), "info")
        return redirect(url_for(".report", consultation_id=consultation.id))
    authorize(can.can_publish_report, consultation)
    form = PublishReportForm(data={"intro": consultation.report_intro})
    refusal = None
    if form.validate_on_submit():
        try:
            services.publish_report(consultation, form.intro.data or "", current_user)
        except services.ConsultationError as error:
            refusal = str(error)
        else:
            flash(
                _("The report is published, and the consultation's followers get an email."),
                "success",
            )
            return redirect(url_for(".report", consultation_id=consultation.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "consultations/report/publish.html",
        **_context(
            consultation,
            form=form,
            refusal=refusal,
            unanswered=services.unanswered_count(consultation),
            followers=len(services.followers(consultation)),
        ),
    ), status


@bp.get("/<int:consultation_id>/report")
def report(consultation_id: int):
    consultation = _consultation(consultation_id, can.can_view_report)
    return render_template(
        "consultations/report/report.html",
        **_context(
            consultation,
            report=results.report(consultation),
            draft=consultation.report_published_at is None,
            kind_labels=KIND_LABELS,
        ),
    )

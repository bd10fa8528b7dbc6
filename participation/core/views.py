"""The platform's front pages: the list of municipalities, each one's home, health, language."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_login import current_user

from participation.core import permissions, services
from participation.core.database import database_answers
from participation.core.forms import LanguageForm, role_label
from participation.core.security import safe_next
from participation.core.signals import collecting_home_items
from participation.core.tenancy import municipality_blueprint
from participation.core.uploads import upload_folder
from participation.extensions import db

bp = Blueprint("core", __name__)
municipality_bp = municipality_blueprint("municipality", __name__)


@bp.get("/")
def index():
    return render_template(
        "core/municipality_list.html", municipalities=services.list_municipalities()
    )


@bp.get("/healthz")
def healthz():
    if database_answers():
        return {"status": "ok"}, 200
    return {"status": "database unavailable"}, 503


@bp.post("/language")
def set_language():
    form = LanguageForm()
    if not form.validate_on_submit() or form.language.data not in current_app.config["LANGUAGES"]:
        abort(400)
    session["lang"] = form.language.data
    if current_user.is_authenticated:
        current_user.language = form.language.data
        db.session.flush()
    return redirect(safe_next(form.next.data, url_for("core.index")))


@municipality_bp.get("/")
def home():
    open_now: list = []
    coming_next: list = []
    collecting_home_items.send(g.municipality, open_now=open_now, coming_next=coming_next)
    return render_template(
        "core/municipality_home.html",
        municipality=g.municipality,
        open_now=open_now,
        coming_next=coming_next,
    )


@municipality_bp.get("/logo")
def logo():
    if not g.municipality.logo_filename:
        abort(404)
    return send_from_directory(
        upload_folder(services.LOGO_FOLDER), g.municipality.logo_filename, max_age=3600
    )


@bp.app_context_processor
def layout_context():
    return {
        "current_path": request.full_path.rstrip("?") if request else "/",
        "can_view_administration": permissions.can_view_administration,
        "can_administer": permissions.can_administer,
        "can_manage_roles": permissions.can_manage_roles,
        "can_verify_residents": permissions.can_verify_residents,
        "role_label": role_label,
    }

"""Register, confirm, log in and out, reset a password, profile, my data, delete my account."""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from participation.core import auth, services
from participation.core.forms import (
    ChangePasswordForm,
    DeleteAccountForm,
    LoginForm,
    LogoutForm,
    ProfileForm,
    RegisterForm,
    RequestResetForm,
    ResendConfirmationForm,
    ResetPasswordForm,
)
from participation.core.models import Municipality
from participation.core.security import safe_next
from participation.extensions import db, limiter

bp = Blueprint("account", __name__, url_prefix="/account")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _register_limit() -> str:
    return current_app.config["REGISTER_RATE_LIMIT"]


def _only_posts() -> bool:
    return request.method != "POST"


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, exempt_when=_only_posts)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("account.profile"))
    form = RegisterForm()
    if request.method == "GET":
        form.municipality.data = request.args.get("municipality", "")
    if form.validate_on_submit():
        if services.find_user_by_email(form.email.data) is not None:
            form.email.errors.append(
                _("An account with this email exists. Log in or reset the password.")
            )
        else:
            municipality = None
            if form.municipality.data:
                municipality = db.session.scalar(
                    db.select(Municipality).where(Municipality.slug == form.municipality.data)
                )
            try:
                user = services.register_user(
                    form.email.data,
                    form.password.data,
                    name=form.name.data or "",
                    language=session.get("lang") or str(get_locale()),
                    municipality=municipality,
                )
            except IntegrityError:
                db.session.rollback()
                form.email.errors.append(
                    _("An account with this email exists. Log in or reset the password.")
                )
            else:
                login_user(user)
                flash(
                    _(
                        "Your account is ready. We sent a confirmation link to %(email)s.",
                        email=user.email,
                    ),
                    "success",
                )
                if municipality is not None:
                    return redirect(url_for("municipality.home", slug=municipality.slug))
                return redirect(url_for("core.index"))
    return render_template("account/register.html", form=form)


@bp.get("/confirm/<token>")
def confirm(token: str):
    user = auth.read_confirmation_token(token)
    if user is None:
        flash(_("This confirmation link is invalid or has expired. Ask for a new one."), "error")
        return redirect(
            url_for("account.profile" if current_user.is_authenticated else "account.login")
        )
    services.confirm_email(user)
    flash(_("Thank you, your email address is confirmed."), "success")
    return redirect(
        url_for("account.profile" if current_user.is_authenticated else "account.login")
    )


@bp.post("/confirm/resend")
@login_required
@limiter.limit(_register_limit)
def resend_confirmation():
    form = ResendConfirmationForm()
    if form.validate_on_submit() and not current_user.email_confirmed:
        services.send_confirmation(current_user)
        flash(
            _("We sent a new confirmation link to %(email)s.", email=current_user.email), "success"
        )
    return redirect(url_for("account.profile"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, exempt_when=_only_posts)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, url_for("core.index")))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or the password is wrong."))
        else:
            login_user(user, remember=form.remember.data)
            if user.language:
                session["lang"] = user.language
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data, url_for("core.index")))
    return render_template("account/login.html", form=form)


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("core.index"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, exempt_when=_only_posts)
def request_reset():
    form = RequestResetForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _("If an account with this email exists, we sent it a link to set a new password."),
            "success",
        )
        return redirect(url_for("account.login"))
    return render_template("account/request_reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = auth.read_reset_token(token)
    if user is None:
        flash(
            _("This link to set a new password is invalid or was used. Ask for a new one."), "error"
        )
        return redirect(url_for("account.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(user, form.password.data)
        # The link proves the person reads the mailbox.
        services.confirm_email(user)
        flash(_("Your new password is set. Log in with it."), "success")
        logout_user()
        return redirect(url_for("account.login"))
    return render_template("account/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.language.data = current_user.language or ""
    if form.validate_on_submit():
        services.update_profile(
            current_user,
            name=form.name.data or "",
            language=form.language.data or None,
            notify_status_changes=form.notify_status_changes.data,
            notify_replies=form.notify_replies.data,
            notify_news=form.notify_news.data,
        )
        if current_user.language:
            session["lang"] = current_user.language
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("account.profile"))
    return render_template(
        "account/profile.html",
        form=form,
        password_form=ChangePasswordForm(formdata=None),
        resend_form=ResendConfirmationForm(),
    )


@bp.post("/password")
@login_required
def change_password():
    password_form = ChangePasswordForm()
    if password_form.validate_on_submit():
        if not current_user.check_password(password_form.current_password.data):
            password_form.current_password.errors.append(_("The current password is wrong."))
        else:
            user = current_user._get_current_object()
            services.set_password(user, password_form.password.data)
            login_user(user)  # stay logged in here; other sessions end
            flash(_("Your password is changed. Other devices were logged out."), "success")
            return redirect(url_for("account.profile"))
    form = ProfileForm(obj=current_user, formdata=None)
    form.language.data = current_user.language or ""
    return render_template(
        "account/profile.html",
        form=form,
        password_form=password_form,
        resend_form=ResendConfirmationForm(),
    )


@bp.get("/export")
@login_required
def export_data():
    data = services.export_user_data(current_user)
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-participation-data.json"'},
    )


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.password.data):
            form.password.errors.append(_("The password is wrong."))
        else:
            user = current_user._get_current_object()
            logout_user()
            services.delete_account(user)
            flash(
                _("Your account is deleted. What you contributed stays, without your name."),
                "success",
            )
            return redirect(url_for("core.index"))
    return render_template("account/delete.html", form=form)

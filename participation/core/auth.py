"""Flask-Login wiring and the signed tokens sent by mail."""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from participation.core.ids import whole_number
from participation.core.models import User
from participation.extensions import db, login_manager


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def make_confirmation_token(user: User) -> str:
    return _serializer("confirm-email").dumps({"uid": user.id, "email": user.email})


def read_confirmation_token(token: str) -> User | None:
    try:
        data = _serializer("confirm-email").loads(
            token, max_age=current_app.config["EMAIL_TOKEN_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.email != data.get("email") or user.deleted_at is not None:
        return None
    return user


def make_reset_token(user: User) -> str:
    # The tail of the current hash makes the link single-use: once the password
    # changes, the token no longer matches.
    return _serializer("reset-password").dumps({"uid": user.id, "ph": user.password_hash[-16:]})


def read_reset_token(token: str) -> User | None:
    try:
        data = _serializer("reset-password").loads(
            token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"]
        )
    except (BadSignature, SignatureExpired):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or user.deleted_at is not None or user.password_hash[-16:] != data.get("ph"):
        return None
    return user


def load_user(user_id: str) -> User | None:
    uid, _, version = user_id.partition(":")
    uid, version = whole_number(uid), whole_number(version)
    if uid is None or version is None:
        return None
    user = db.session.get(User, uid)
    if user is None or user.deleted_at is not None or user.session_version != version:
        return None
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "account.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @app.context_processor
    def login_url_with_next():
        def login_url() -> str:
            return url_for("account.login", next=request.full_path.rstrip("?"))

        return {"login_url": login_url}

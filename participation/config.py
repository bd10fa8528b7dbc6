"""Configuration read from the environment.

Every variable is listed in the README. ``load_config`` returns a plain dict so
that ``create_app(test_config)`` can override any key.
"""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILES_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
DEVELOPMENT_SECRET = "development-only-not-secret"


class ConfigError(RuntimeError):
    """The environment does not make a usable configuration."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str, environ: dict[str, str] | None = None) -> dict:
    env = os.environ if environ is None else environ
    environment = env.get("PARTICIPATION_ENV", "development")
    development = environment in {"development", "test"}
    secret = env.get("SECRET_KEY")
    if not secret:
        if not development:
            raise ConfigError("SECRET_KEY must be set when PARTICIPATION_ENV is not development")
        secret = DEVELOPMENT_SECRET
    database_url = env.get("DATABASE_URL") or "sqlite:///" + str(
        Path(instance_path) / "participation.sqlite"
    )
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://") :]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    redis_url = env.get("REDIS_URL") or None
    return {
        "ENVIRONMENT": environment,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Statement parameters stay out of error messages and logs: a failed cast's would
        # name the voter beside their choices.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": redis_url,
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers we
        # trust (1 behind nginx); throttling needs the real client address.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # If Redis goes away, count in memory rather than refuse every login.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        # Proving who may vote (a code, a register identifier) from one address.
        "VOTER_IDENTIFY_RATE_LIMIT": env.get(
            "VOTER_IDENTIFY_RATE_LIMIT", "10 per minute;50 per hour"
        ),
        "REGISTER_RATE_LIMIT": env.get("REGISTER_RATE_LIMIT", "5 per minute;30 per hour"),
        # The address links in mail point to when no request is there to tell (commands).
        "BASE_URL": env.get("BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "log" if development else "smtp"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS")),
        "MAIL_USE_SSL": _bool(env.get("MAIL_USE_SSL")),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "participation@localhost"),
        "MAP_TILES_URL": env.get("MAP_TILES_URL", DEFAULT_TILES_URL),
        "MAP_TILES_ATTRIBUTION": env.get("MAP_TILES_ATTRIBUTION", DEFAULT_TILES_ATTRIBUTION),
        "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER", str(Path(instance_path) / "uploads")),
        # Above the largest upload (consultation documents), so that a too-large
        # document gets its own message rather than the generic 413 page.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(24 * 1024 * 1024))),
        "CONSULTATION_DOCUMENT_MAX_BYTES": int(
            env.get("CONSULTATION_DOCUMENT_MAX_BYTES", str(20 * 1024 * 1024))
        ),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), not development),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), not development),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "http" if development else "https",
        "BABEL_DEFAULT_LOCALE": "cs",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Prague",
        "LANGUAGES": ["cs", "pl", "en"],
        "WTF_CSRF_TIME_LIMIT": None,
        "EMAIL_TOKEN_MAX_AGE": int(env.get("EMAIL_TOKEN_MAX_AGE", str(3 * 24 * 3600))),
        # werkzeug's scrypt by default; tests use a cheaper method to stay fast.
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE", "3600")),
    }

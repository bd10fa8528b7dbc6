"""CSRF, headers, safe redirects, throttling, error pages, configuration."""

from __future__ import annotations

import re

import pytest

from participation import create_app
from participation.config import ConfigError, load_config
from participation.core.security import is_safe_next
from tests.conftest import csrf_token
from tests.factories import make_user


@pytest.mark.parametrize(
    "url",
    ["/account/login", "/account/register", "/account/reset", "/account/logout", "/language"],
)
def test_a_post_without_a_csrf_token_is_refused(client, url):
    response = client.post(url, data={"email": "a@example.test", "password": "x" * 12})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)


def test_a_post_with_a_forged_token_is_refused(client):
    make_user("petr@example.test")
    response = client.post(
        "/account/login",
        data={"email": "petr@example.test", "password": "x", "csrf_token": "forged"},
    )
    assert response.status_code == 400


def test_security_headers_and_a_nonce_per_response(client):
    first = client.get("/")
    second = client.get("/")
    csp = first.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    nonce = re.search(r"'nonce-([^']+)'", script_src).group(1)
    assert nonce not in second.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert first.headers["X-Content-Type-Options"] == "nosniff"
    assert first.headers["X-Frame-Options"] == "DENY"
    assert "Referrer-Policy" in first.headers


def test_map_tiles_are_the_only_other_image_host(app, client):
    csp = client.get("/").headers["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]+)", csp).group(1).split()
    assert img_src == ["'self'", "data:", "https://tile.openstreetmap.org"]


def test_session_cookie_flags_in_production():
    config = load_config("/tmp", {"PARTICIPATION_ENV": "production", "SECRET_KEY": "s" * 32})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["MAIL_BACKEND"] == "smtp"


def test_a_secret_key_is_required_outside_development():
    with pytest.raises(ConfigError):
        load_config("/tmp", {"PARTICIPATION_ENV": "production"})
    assert load_config("/tmp", {})["SECRET_KEY"]


def test_database_url_forms_are_normalised():
    config = load_config("/tmp", {"DATABASE_URL": "postgres://u@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert (
        load_config("/tmp", {})["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/participation.sqlite"
    )
    assert (
        load_config("/tmp", {"REDIS_URL": "redis://127.0.0.1:6379/0"})["RATELIMIT_STORAGE_URI"]
        == "redis://127.0.0.1:6379/0"
    )


@pytest.mark.parametrize(
    "target, safe",
    [
        ("/demo/", True),
        ("/account/profile?tab=1", True),
        ("", False),
        (None, False),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("demo/", False),
        ("/\x00", False),
    ],
)
def test_next_redirects_only_to_our_own_paths(target, safe):
    assert is_safe_next(target) is safe


def test_login_is_throttled(rate_limited_app):
    client = rate_limited_app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    token = csrf_token(client, "/account/login")
    statuses = [
        client.post(
            "/account/login",
            data={"email": "x@example.test", "password": "wrong", "csrf_token": token},
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.post("/account/login", data={"csrf_token": token})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)
    # Reading the form is never throttled.
    assert client.get("/account/login").status_code == 200


def test_registration_is_throttled(rate_limited_app):
    client = rate_limited_app.test_client()
    token = csrf_token(client, "/account/register")
    statuses = [
        client.post("/account/register", data={"csrf_token": token}).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    "language, text",
    [("en", "Page not found"), ("cs", "Stránka nenalezena"), ("pl", "Nie znaleziono strony")],
)
def test_error_pages_are_translated(client, language, text):
    response = client.get("/nowhere/", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


def test_too_large_uploads_get_a_413_page(client, monkeypatch):
    monkeypatch.setitem(client.application.config, "MAX_CONTENT_LENGTH", 1000)
    response = client.post("/account/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "File too large" in response.get_data(as_text=True)


def test_unexpected_errors_get_a_translated_500_page(tmp_path):
    app = create_app(
        {
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            "ENVIRONMENT": "test",
            "PROPAGATE_EXCEPTIONS": False,
        }
    )

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


def test_behind_a_trusted_proxy_the_client_address_is_the_forwarded_one(tmp_path):
    from flask import request

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.db",
            "TESTING": True,
            "TRUSTED_PROXIES": 1,
        }
    )

    @app.get("/whoami")
    def whoami():
        return request.remote_addr or ""

    client = app.test_client()
    response = client.get("/whoami", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.get_data(as_text=True) == "203.0.113.7"

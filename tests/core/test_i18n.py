"""Languages: complete catalogs, the order in which the language is chosen, formatting."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import g
from flask_babel import force_locale, format_date

from participation.core.i18n import money
from tests.conftest import Auth, csrf_token
from tests.factories import make_municipality, make_user

TRANSLATIONS = Path(__file__).resolve().parents[2] / "participation" / "translations"


@pytest.mark.parametrize("language", ["cs", "pl"])
def test_catalog_is_complete_and_nothing_is_fuzzy(language):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = read_po(f)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []
    missing = {m.id for m in template if m.id} - {m.id for m in catalog if m.id}
    assert missing == set(), "run make update-translations"


def test_every_string_in_the_code_is_in_the_template():
    """The template is extracted from the code: a stale one hides untranslated strings."""
    import subprocess
    import sys
    import tempfile

    root = TRANSLATIONS.parents[1]
    with tempfile.NamedTemporaryFile(suffix=".pot") as fresh:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "_l",
                "-k",
                "lazy_gettext",
                "--ignore-dirs",
                ".* .venv node_modules",
                "-o",
                fresh.name,
                "--no-location",
                ".",
            ],
            cwd=root,
            check=True,
            capture_output=True,
        )
        with open(fresh.name, "rb") as f:
            extracted = {m.id for m in read_po(f) if m.id}
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    assert extracted - template == set(), "run make update-translations"


def page_lang(response) -> str:
    html = response.get_data(as_text=True)
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_browser_language_then_municipality_default(client):
    make_municipality(slug="krakow", default_language="pl")
    assert page_lang(client.get("/krakow/", headers={"Accept-Language": "cs,en;q=0.5"})) == "cs"
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    assert page_lang(client.get("/krakow/", headers={"Accept-Language": "de"})) == "pl"
    assert page_lang(client.get("/krakow/")) == "pl"


def test_the_switch_beats_the_browser(client):
    token = csrf_token(client, "/")
    response = client.post(
        "/language", data={"language": "pl", "next": "/account/login", "csrf_token": token}
    )
    assert response.headers["Location"] == "/account/login"
    assert page_lang(client.get("/", headers={"Accept-Language": "en"})) == "pl"


def test_the_switch_refuses_unknown_languages_and_foreign_next(client):
    token = csrf_token(client, "/")
    assert client.post("/language", data={"language": "de", "csrf_token": token}).status_code == 400
    response = client.post(
        "/language", data={"language": "cs", "next": "https://evil.example/", "csrf_token": token}
    )
    assert response.headers["Location"] == "/"


def test_a_saved_choice_follows_the_person(app, client):
    make_user("eva@example.test", language="pl")
    Auth(client).login("eva@example.test")
    assert page_lang(client.get("/", headers={"Accept-Language": "cs"})) == "pl"
    other = app.test_client()
    Auth(other).login("eva@example.test")
    assert page_lang(other.get("/account/profile")) == "pl"


def test_switching_while_logged_in_saves_the_choice(client):
    from participation.extensions import db

    user = make_user("eva@example.test", language="cs")
    Auth(client).login("eva@example.test")
    client.post("/language", data={"language": "en", "csrf_token": csrf_token(client, "/")})
    db.session.refresh(user)
    assert user.language == "en"


@pytest.mark.parametrize(
    "locale, currency, expected",
    [
        ("cs", "CZK", "1\xa0234\xa0567,50\xa0Kč"),
        ("pl", "PLN", "1\xa0234\xa0567,50\xa0zł"),
        ("en", "EUR", "€1,234,567.50"),
    ],
)
def test_money_is_formatted_for_the_locale(app, locale, currency, expected):
    with app.test_request_context("/"), force_locale(locale):
        assert money(Decimal("1234567.50"), currency) == expected


def test_money_uses_the_municipality_currency(app):
    town = make_municipality(currency="PLN")
    with app.test_request_context("/"), force_locale("pl"):
        g.municipality = town
        assert money(10) == "10,00\xa0zł"


def test_dates_are_formatted_for_the_locale(app):
    from datetime import date

    with app.test_request_context("/"):
        with force_locale("cs"):
            assert format_date(date(2026, 11, 23), "long") == "23. listopadu 2026"
        with force_locale("pl"):
            assert format_date(date(2026, 11, 23), "long") == "23 listopada 2026"


def test_templates_follow_the_locale_within_one_request(app):
    """Templates keep the request's translations (core.i18n.template_translations), yet a
    mail written in another language inside the request is in that language, and the page
    after it in the request's again. (The kept translations live in the request's ``g``.)"""
    from flask import render_template_string

    page = "{{ _('Log in') }}|{{ ngettext('%(num)d vote', '%(num)d votes', 2) }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(page) == "Log in|2 votes"
        with force_locale("cs"):
            assert render_template_string(page).startswith("Přihlásit se|")
            with force_locale("pl"):
                assert render_template_string(page).startswith("Zaloguj się|")
            assert render_template_string(page).startswith("Přihlásit se|")
        assert render_template_string(page) == "Log in|2 votes"


def test_templates_render_untranslated_outside_an_app_context(app):
    """As flask-babel's own callables did: no context, no language, the text as written.
    (A thread of its own: the fixture's app context is not there.)"""
    import threading

    template = app.jinja_env.from_string("{{ _('Log in') }}")
    rendered = []
    worker = threading.Thread(target=lambda: rendered.append(template.render()))
    worker.start()
    worker.join()
    assert rendered == ["Log in"]

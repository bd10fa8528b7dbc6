"""Language and time zone selection, and locale-aware formatting in templates."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import (
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from participation.core.text import render_markdown
from participation.extensions import babel

LANGUAGE_NAMES = {"cs": "Čeština", "pl": "Polski", "en": "English"}
LANGUAGE_LABELS = {"cs": _l("Czech"), "pl": _l("Polish"), "en": _l("English")}


def select_locale() -> str:
    """The person's saved choice, then the switch, then the browser, then the municipality."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and jobs: the configured default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    best = request.accept_languages.best_match(languages)
    if best:
        return best
    municipality = g.get("municipality")
    if municipality is not None and municipality.default_language in languages:
        return municipality.default_language
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    municipality = g.get("municipality")
    if municipality is not None:
        return municipality.timezone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def money(amount: Decimal | int | float, currency: str | None = None) -> str:
    municipality = g.get("municipality")
    code = currency or (municipality.currency if municipality is not None else "CZK")
    return format_currency(amount, code)


def template_translations():
    """What flask-babel's ``get_translations()`` gives, kept for the rest of the request
    while its locale stays the same object: templates ask for it once a string (26 times
    for a small page), and each asking costs flask-babel a dozen microseconds of context
    lookups. ``force_locale`` (mail in the recipient's language) sets another locale
    object, so the translations are asked for again there, and after it. Outside an app
    context, flask-babel's own answer (no translation)."""
    if not has_app_context():
        return get_translations()
    babel_context = g.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    kept = getattr(babel_context, "participation_translations", None)
    if kept is not None and locale is not None and kept[0] is locale:
        return kept[1]
    translations = get_translations()
    babel_context = g.get("_flask_babel")
    locale = getattr(babel_context, "babel_locale", None)
    if locale is not None:
        babel_context.participation_translations = (locale, translations)
    return translations


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    app.jinja_env.filters.update(
        datetime=format_datetime,
        date=format_date,
        number=format_decimal,
        money=money,
        markdown=render_markdown,
    )
    app.jinja_env.globals.update(
        get_locale=get_locale,
        language_names=LANGUAGE_NAMES,
    )
    # flask-babel's own callables, with the translations kept (template_translations).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: template_translations().ugettext(s),
        ngettext=lambda s, p, n: template_translations().ungettext(s, p, n),
        pgettext=lambda c, s: template_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: template_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )

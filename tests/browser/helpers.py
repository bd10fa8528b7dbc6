"""What the browser tests share: accounts, logging in as a person does, reading the logged mail."""

from __future__ import annotations

import base64
import re
import uuid

from playwright.sync_api import Page, expect

from participation.core import services
from participation.core.demo import DEMO_SLUG
from participation.core.models import Municipality, Role
from participation.extensions import db

PASSWORD = "a long and quiet river"


def unique_email(prefix: str = "person") -> str:
    """The browser database lives for the whole session: every test makes its own people."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.test"


def make_account(
    app,
    prefix: str = "person",
    role: Role | None = None,
    platform_admin: bool = False,
    password: str = PASSWORD,
) -> str:
    """A confirmed account with no saved language, committed so the live server sees it."""
    email = unique_email(prefix)
    with app.app_context():
        user = services.create_user(email, password, name="", language=None, confirmed=True)
        if role is not None:
            town = db.session.scalar(db.select(Municipality).where(Municipality.slug == DEMO_SLUG))
            services.grant_role(town, user, role, by=None)
        user.is_platform_admin = platform_admin
        db.session.commit()
    return email


def mails_to(app, email: str) -> list:
    return [m for m in app.extensions.get("participation_outbox", []) if m.to == email]


def link_in(mail, live_server) -> str:
    match = re.search(re.escape(live_server.url) + r"/\S+", mail.body)
    assert match, f"no link to {live_server.url} in:\n{mail.body}"
    return match.group(0)


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill the log-in form (in English, the language of a fresh context) and send it."""
    page.goto("/account/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=re.compile("Log out|Odhlásit|Wyloguj"))).to_be_visible()


def other_hosts(page: Page, base_url: str) -> list[str]:
    """Requested URLs that are not ours (nor data: or about:)."""
    return [
        url
        for url in page.requested_urls
        if not (url.startswith(base_url + "/") or url == base_url)
        and not url.startswith(("data:", "about:"))
    ]


def make_municipality(app, prefix: str = "town") -> tuple[str, str]:
    """A second municipality with a new administrator, committed: (slug, admin's email).

    For tests that change a municipality's data, which the demo town must not see.
    """
    from participation.core.models import Country

    email = unique_email(f"{prefix}-admin")
    slug = f"{prefix}-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        admin = services.create_user(email, PASSWORD, name="", language=None, confirmed=True)
        services.create_municipality(
            slug=slug,
            name=f"Test town {slug}",
            admin=admin,
            country=Country.CZ,
            default_language="cs",
        )
        db.session.commit()
    return slug, email


# --- shared by the module tests that drive maps and the keyboard --------------------------

TILE_HOST = "https://tile.openstreetmap.org"
# A 1 x 1 transparent PNG for every tile, so that nothing waits for a network there is none of.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII="
)


def serve_tiles(context) -> None:
    """Answer the tile server's requests locally (they are still recorded as requested)."""
    context.route(
        f"{TILE_HOST}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE_PNG),
    )


def foreign_requests(requested: list[str], base_url: str) -> list[str]:
    """Requests to hosts other than ours (nor data: or about:), the tile server excepted."""
    return [
        url
        for url in requested
        if not (url.startswith(base_url + "/") or url == base_url)
        and not url.startswith(("data:", "about:", TILE_HOST + "/"))
    ]


def focused(page: Page) -> str:
    """What has the keyboard focus, for messages: tag#id and the start of its text."""
    return page.evaluate(
        "() => { const e = document.activeElement; return e.tagName"
        " + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 20); }"
    )


def tab_to(page: Page, target, limit: int = 80) -> list[str]:
    """Press Tab until ``target`` (a locator) has the focus; the path, for the message."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        path.append(focused(page))
        if target.evaluate("e => e === document.activeElement"):
            return path
    raise AssertionError(f"Tab never reached {target}; it went: {path}")

"""Every page built so far, in Czech and in Polish: no axe-core (WCAG 2.1 A/AA) violations,
nothing loaded from another host, and no sideways scrolling on a 320 px wide phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from participation.core.models import Role
from tests.browser.helpers import (
    link_in,
    log_in,
    mails_to,
    make_account,
    other_hosts,
)
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser

LANGUAGES = {"cs": "Čeština", "pl": "Polski"}
# The buttons a Czech or a Polish reader presses, by their English names.
BUTTONS = {
    "cs": {
        "Log in": "Přihlásit se",
        "Create account": "Vytvořit účet",
        "Delete my account": "Smazat můj účet",
        "Grant role": "Přidělit roli",
        "Create municipality": "Vytvořit obec",
        "Log out": "Odhlásit se",
    },
    "pl": {
        "Log in": "Zaloguj się",
        "Create account": "Utwórz konto",
        "Delete my account": "Usuń moje konto",
        "Grant role": "Nadaj rolę",
        "Create municipality": "Utwórz gminę",
        "Log out": "Wyloguj się",
    },
}


class Survey:
    """Checks each page a test shows and keeps, per page, what was wrong."""

    def __init__(self, page, live_server, lang: str):
        self.page = page
        self.base = live_server.url
        self.lang = lang
        self.violations: dict[str, list] = {}
        self.foreign: dict[str, list] = {}
        self.checked: list[str] = []
        self._requests_seen = 0

    def check(self, what: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        found = axe_violations(page)
        if found:
            self.violations[what] = found
        foreign = other_hosts(page, self.base)
        if foreign[self._requests_seen :]:
            self.foreign[what] = foreign[self._requests_seen :]
        self._requests_seen = len(foreign)
        self.checked.append(what)

    def visit(self, path: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response.status == status, f"{path} answered {response.status}"
        url = path if path.startswith("http") else self.base + path
        assert self.page.url == url, f"{path} went to {self.page.url}"
        self.check(path)

    def press(self, button: str) -> None:
        """Press a button of the content, named as the reader sees it, and expect errors."""
        name = BUTTONS[self.lang][button]
        self.page.get_by_role("main").get_by_role("button", name=name, exact=True).click()
        expect(self.page.get_by_role("alert")).to_be_visible()

    def switch_language(self) -> None:
        self.page.get_by_role("banner").get_by_role("button", name=LANGUAGES[self.lang]).click()
        expect(self.page.locator("html")).to_have_attribute("lang", self.lang)

    def assert_clean(self) -> None:
        assert not self.violations, "axe-core found violations:\n" + "\n".join(
            f"{what}: {found}" for what, found in self.violations.items()
        )
        assert not self.foreign, f"pages requested other hosts: {self.foreign}"
        # Every request of the test, also those made between checks.
        assert other_hosts(self.page, self.base) == []


def test_the_checks_catch_what_they_look_for(page, live_server):
    """axe-core and the request log really report problems (so a clean page means clean)."""
    page.goto("/")
    page.set_content(
        '<html><body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw='
        '"><img src="http://cdn.example.invalid/x.png"></body></html>'
    )
    found = {v["id"] for v in axe_violations(page)}
    assert {"html-has-lang", "image-alt"} <= found
    assert other_hosts(page, live_server.url) == ["http://cdn.example.invalid/x.png"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_pages(page, browser_app, live_server, lang):
    survey = Survey(page, live_server, lang)
    email = make_account(browser_app, "forgetful")

    # A real reset link, asked for with the form (in English, before the switch).
    page.goto("/account/reset")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_be_visible()
    (mail,) = mails_to(browser_app, email)

    page.goto("/")
    survey.switch_language()
    survey.check("/")
    for path in ("/demo/", "/account/login", "/account/register", "/account/reset"):
        survey.visit(path)
    survey.visit(link_in(mail, live_server))
    expect(page.locator("main input[type=password]")).to_have_count(2)
    survey.visit("/account/no-such-page", status=404)
    survey.visit("/demo/no-such-page", status=404)

    page.goto("/account/login")
    survey.press("Log in")
    survey.check("/account/login with errors")

    page.goto("/account/register")
    page.locator("main input[type=password]").first.fill("short")
    survey.press("Create account")
    survey.check("/account/register with errors")

    survey.assert_clean()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_of_a_municipality_administrator(page, browser_app, live_server, lang):
    survey = Survey(page, live_server, lang)
    log_in(page, make_account(browser_app, "admin", role=Role.ADMIN))
    survey.switch_language()
    survey.check("/ (logged in)")
    for path in (
        "/account/profile",
        "/account/delete",
        "/demo/admin/",
        "/demo/admin/settings",
        "/demo/admin/roles",
    ):
        survey.visit(path)

    page.goto("/account/delete")
    survey.press("Delete my account")
    survey.check("/account/delete with errors")

    page.goto("/demo/admin/roles")
    survey.press("Grant role")
    survey.check("/demo/admin/roles with errors")

    survey.assert_clean()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_of_a_platform_administrator(page, browser_app, live_server, lang):
    survey = Survey(page, live_server, lang)
    log_in(page, make_account(browser_app, "platform", platform_admin=True))
    survey.switch_language()
    survey.visit("/admin/municipalities")
    survey.press("Create municipality")
    survey.check("/admin/municipalities with errors")
    survey.assert_clean()


def assert_fits(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{what} scrolls sideways at 320 px: it is {width} px wide"


def test_a_320_px_phone_never_scrolls_sideways(page, browser_app, live_server):
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, make_account(browser_app, "phone", role=Role.ADMIN))
    # Polish words are long: the hardest case for the header and the forms.
    page.get_by_role("banner").get_by_role("button", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    for path in ("/", "/demo/", "/account/profile", "/demo/admin/settings", "/demo/admin/roles"):
        page.goto(path)
        assert_fits(page, path)

    # The roles table turns into stacked rows; its caption must stay a line of text.
    caption = page.get_by_role("table").locator("caption")
    expect(caption).to_be_visible()
    box = caption.bounding_box()
    assert box["width"] >= 250, f"the caption is squeezed to {box['width']} px"

    page.get_by_role("banner").get_by_role("button", name=BUTTONS["pl"]["Log out"]).click()
    page.goto("/account/register")
    page.get_by_role("button", name=BUTTONS["pl"]["Create account"]).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_fits(page, "/account/register with errors")
    assert other_hosts(page, live_server.url) == []

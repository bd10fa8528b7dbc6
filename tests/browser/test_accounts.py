"""Accounts in Chromium as a person uses them: register, confirm, log in and out, languages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from participation.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, PLATFORM_ADMIN
from tests.browser.helpers import (
    PASSWORD,
    link_in,
    log_in,
    mails_to,
    make_account,
    unique_email,
)

pytestmark = pytest.mark.browser


def header(page):
    return page.get_by_role("banner")


def test_register_confirm_log_out_log_in_and_switch_language(page, browser_app, live_server):
    email = unique_email("newcomer")

    page.goto("/demo/")
    header(page).get_by_role("link", name="Register", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    page.get_by_label("Your name").fill("Věra Nová")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    # Registering from a municipality brings the person back to it, logged in.
    expect(page).to_have_url(f"{live_server.url}/demo/")
    expect(page.get_by_role("status")).to_contain_text(
        f"Your account is ready. We sent a confirmation link to {email}."
    )
    expect(header(page).get_by_role("link", name="Věra Nová")).to_be_visible()

    sent = mails_to(browser_app, email)
    assert len(sent) == 1, sent
    page.goto(link_in(sent[0], live_server))
    expect(page.get_by_role("status")).to_contain_text(
        "Thank you, your email address is confirmed."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.get_by_text("confirmed", exact=True)).to_be_visible()

    header(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    expect(header(page).get_by_role("button", name="Log out")).to_have_count(0)

    header(page).get_by_role("link", name="Log in", exact=True).click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged in.")
    expect(header(page).get_by_role("link", name="Věra Nová")).to_be_visible()

    # The header switch: the page comes back in the chosen language, and says so.
    html = page.locator("html")
    header(page).get_by_role("button", name="Čeština").click()
    expect(html).to_have_attribute("lang", "cs")
    expect(header(page).get_by_role("button", name=re.compile("^Odhlásit"))).to_be_visible()
    expect(header(page).get_by_role("button", name="Čeština")).to_have_attribute(
        "aria-current", "true"
    )

    header(page).get_by_role("button", name="Polski").click()
    expect(html).to_have_attribute("lang", "pl")
    expect(header(page).get_by_role("button", name=re.compile("^Wyloguj"))).to_be_visible()

    header(page).get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    header(page).get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")
    expect(header(page).get_by_role("link", name="Log in", exact=True)).to_be_visible()


def test_the_chosen_language_is_remembered_at_the_next_log_in(page, browser_app):
    email = make_account(browser_app, "polyglot")
    log_in(page, email)
    header(page).get_by_role("button", name="Polski").click()
    expect(page.locator("html")).to_have_attribute("lang", "pl")

    # A new browser (no session) that asks for English still gets the saved choice.
    page.context.clear_cookies()
    log_in(page, email)
    expect(page.locator("html")).to_have_attribute("lang", "pl")


def test_the_browser_language_is_used_until_the_person_chooses(chromium, live_server):
    for locale, lang in (("cs-CZ", "cs"), ("pl-PL", "pl"), ("de-DE", "cs")):
        context = chromium.new_context(base_url=live_server.url, locale=locale)
        try:
            page = context.new_page()
            # /demo/ falls back to the municipality's language when the browser's is not offered.
            page.goto("/demo/")
            expect(page.locator("html")).to_have_attribute("lang", lang)
        finally:
            context.close()


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page):
    page.goto("/demo/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Skip to content")
    expect(focused).to_have_attribute("href", "#main")
    expect(focused).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_have_id("main")


def test_log_in_with_the_keyboard_only(page, browser_app):
    email = make_account(browser_app, "keyboard")
    page.goto("/account/login")

    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    expect(page.locator(":focus")).to_have_id("main")

    # From the top of the content the form comes first: email, password.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_accessible_name("Email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_accessible_name("Password")
    page.keyboard.type(PASSWORD)

    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Log in":
            break
    expect(page.locator(":focus")).to_have_accessible_name("Log in")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("You are logged in.")
    expect(header(page).get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.parametrize(
    ("email", "name"), [(email, name) for email, name, _role in DEMO_ACCOUNTS] + [PLATFORM_ADMIN]
)
def test_every_demo_account_can_log_in(page, email, name):
    log_in(page, email, DEMO_PASSWORD)
    # The header names the person and links to their profile, in any language.
    expect(header(page).get_by_role("link", name=name)).to_have_attribute(
        "href", "/account/profile"
    )

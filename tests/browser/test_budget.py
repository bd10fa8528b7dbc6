"""Participatory budgeting in Chromium: residents vote in cycles that check them by email
account, by voting code and by the register of residents, in pools voted by approval,
k-approval, points and D21; with the mouse (the running total changes as they choose), by
keyboard alone and without JavaScript ("Check my ballot" on the server); each gets a
receipt, checks it, and cannot vote twice. Staff enter paper ballots, and whoever voted
on paper is refused online and the other way round. axe-core on every budget page in
Czech and in Polish, the ballot at 320 px, and nothing loaded from any host but ours and
the tile server.

The browser database lives for the whole session and the demo must stay as loaded: the
votes are cast in a town of this module's own (the demo's districts, its own register and
codes), and only pages that change nothing are visited in the demo town.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from participation.budget import services as budget_services
from participation.budget.demo import CURRENT_TITLE, PAST_TITLE
from participation.budget.models import (
    Cycle,
    Method,
    Pool,
    PoolAccess,
    Project,
    Residence,
    Rule,
    Verification,
)
from participation.core import services as core_services
from participation.core.demo import DEMO_SLUG
from participation.core.models import Country, Municipality, Role, utcnow
from participation.extensions import db
from participation.ideas.rules import IdeaStatus
from participation.maps import demo as maps_demo
from participation.maps import services as maps_services
from participation.maps.services import Place, locate
from tests.browser.helpers import (
    TILE_HOST,
    focused,
    foreign_requests,
    log_in,
    make_account,
    serve_tiles,
)
from tests.conftest import axe_violations
from tests.factories import make_call, make_idea
from tests.ideas.helpers import png_with_text

pytestmark = pytest.mark.browser

LANGUAGES = {"cs": "Čeština", "pl": "Polski"}
RECEIPT = re.compile(r"^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$")

# name, district, method, amount, parameters, rule; each cycle has these four pools.
POOLS = (
    ("Celé město", None, Method.APPROVAL, "500000", {"max_projects": 3}, Rule.MES_ADD1),
    ("Sever", "Sever", Method.K_APPROVAL, "300000", {"k": 2}, Rule.GREEDY),
    ("Jih", "Jih", Method.POINTS, "200000", {"points": 10, "points_cap": 5}, Rule.GREEDY),
    ("Střed", "Střed", Method.D21, "400000", {"plus_votes": 3, "minus_votes": 1}, Rule.GREEDY),
)
# pool name -> (title, cost, (lat, lon)); the places are in the pool's district.
PROJECTS = {
    "Celé město": (
        ("Lavičky u řeky", 200000, (49.4140, 14.6580)),
        ("Stromy v ulicích", 150000, (49.4300, 14.6600)),
        ("Hřiště u školy", 250000, (49.4000, 14.6550)),
        ("Pítko na náměstí", 100000, (49.4145, 14.6590)),
    ),
    "Sever": (
        ("Psí louka", 160000, (49.4350, 14.6700)),
        ("Houpačky Na Výsluní", 120000, (49.4320, 14.6500)),
        ("Lampy v parku", 90000, (49.4250, 14.6650)),
    ),
    "Jih": (
        ("Knihobudka", 40000, (49.4001, 14.6705)),
        ("Komunitní kompostér", 60000, (49.3980, 14.6500)),
        ("Koše na tříděný odpad", 30000, (49.4050, 14.6400)),
    ),
    "Střed": (
        ("Stojany na kola", 90000, (49.4150, 14.6610)),
        ("Zelená střecha zastávky", 120000, (49.4135, 14.6570)),
        ("Osvětlení Palackého ulice", 150000, (49.4130, 14.6620)),
        ("Kašna na náměstí", 100000, (49.4142, 14.6595)),
    ),
}


# --- the town of this module ------------------------------------------------------------------


@dataclass
class Town:
    """A town of this module with a cycle voting now for each verification method, one
    in preparation (from ideas), one counting; its coordinator, codes and identifiers."""

    slug: str
    coordinator: str
    cycles: dict[Verification, int]
    titles: dict[Verification, str]
    pools: dict[Verification, dict[Method, int]]
    preparation: int = 0
    preparation_pool: int = 0
    counting: int = 0
    codes: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    code_batch: str = ""

    @property
    def base(self) -> str:
        return f"/{self.slug}/budget"

    def code(self) -> str:
        """A voting code of the code cycle that no one has used yet."""
        return self.codes.pop()

    def identifier(self) -> str:
        """An identifier in the register that no one has used yet."""
        return self.identifiers.pop()


def _district(municipality: Municipality, name: str | None):
    if name is None:
        return None
    return next(d for d in maps_demo.load(municipality) if d.name == name)


def _cycle(municipality, coordinator, title: str, verification: Verification, **fields) -> Cycle:
    """A cycle in preparation with the four pools and their projects (through the services,
    as staff make it)."""
    now = utcnow()
    cycle = budget_services.save_cycle(
        None,
        municipality,
        coordinator,
        title=title,
        year=now.year + 1,
        description="Hlasujte o tom, co se ve městě postaví.",
        voting_opens_at=now + timedelta(days=1),
        voting_closes_at=now + timedelta(days=20),
        min_age=15,
        residence=Residence.DISTRICT,
        pool_access=PoolAccess.ANY,
        verification=verification,
        **fields,
    )
    budget_services.save_categories(cycle, coordinator, ["Zeleň", "Doprava"])
    for position, (name, district, method, amount, params, rule) in enumerate(POOLS):
        pool = budget_services.save_pool(
            None,
            cycle,
            coordinator,
            district=_district(municipality, district),
            name=name,
            amount=Decimal(amount),
            method=method,
            rule=rule,
            changeable=method == Method.APPROVAL,
            position=position,
            **params,
        )
        for title_, cost, (lat, lon) in PROJECTS[name]:
            budget_services.save_project(
                None,
                cycle,
                pool,
                coordinator,
                category=cycle.categories[0],
                place=Place(lat, lon, locate(municipality, lat, lon), None),
                title=title_,
                description=f"Projekt *{title_}* pro {name}.",
                cost=Decimal(cost),
            )
    return cycle


def _open(cycle: Cycle, by) -> None:
    budget_services.publish_cycle(cycle, by)
    cycle.voting_opens_at = utcnow() - timedelta(days=1)
    db.session.flush()


@pytest.fixture(scope="module")
def town(browser_app) -> Town:
    coordinator_email = make_account(browser_app, "budget-coordinator", role=Role.COORDINATOR)
    counted_emails = [make_account(browser_app, "counted") for _ in range(3)]
    slug = f"budget-{uuid.uuid4().hex[:8]}"
    with browser_app.app_context():
        coordinator = core_services.find_user_by_email(coordinator_email)
        municipality = core_services.create_municipality(
            slug=slug,
            name=f"Lipnice {slug[-4:]}",
            admin=None,
            country=Country.CZ,
            default_language="cs",
        )
        core_services.grant_role(municipality, coordinator, Role.COORDINATOR, by=None)
        maps_demo.load(municipality)
        cycles, titles, pools = {}, {}, {}
        for verification in Verification:
            title = f"Rozpočet {verification.value} {slug[-4:]}"
            cycle = _cycle(municipality, coordinator, title, verification)
            _open(cycle, coordinator)
            cycles[verification], titles[verification] = cycle.id, title
            pools[verification] = {Method(p.method): p.id for p in cycle.pools}
        made = Town(slug, coordinator_email, cycles, titles, pools)

        code_cycle = db.session.get(Cycle, cycles[Verification.CODE])
        made.code_batch = "Dopisy 1"
        made.codes = budget_services.generate_voting_codes(
            code_cycle, 12, made.code_batch, coordinator
        )
        made.identifiers = [f"{800101 + i}/{1234 + i}" for i in range(12)]
        core_services.ensure_register_key(municipality)
        lines = ["id_hash;district_code;birth_year"] + [
            f"{core_services.register_hash_of(municipality, i)};01;1980" for i in made.identifiers
        ]
        report = budget_services.import_resident_register(
            db.session.get(Cycle, cycles[Verification.REGISTER]), "\n".join(lines), coordinator
        )
        assert not report.errors, report.errors

        # In preparation, with accepted ideas of the town's call waiting to become projects.
        call = make_call(municipality, phase="closed", title=f"Nápady {slug[-4:]}")
        for title_, lat, lon in (
            ("Altán v parku", 49.4140, 14.6580),
            ("Mlatová cesta", None, None),
        ):
            make_idea(call, coordinator, status=IdeaStatus.ACCEPTED, title=title_, lat=lat, lon=lon)
        preparation = _cycle(municipality, coordinator, f"Příprava {slug[-4:]}", Verification.EMAIL)
        preparation.idea_call_id = call.id
        made.preparation = preparation.id
        made.preparation_pool = preparation.pools[0].id

        # Voted, and closed: counting, results not yet published.
        counting = _cycle(municipality, coordinator, f"Sčítání {slug[-4:]}", Verification.EMAIL)
        _open(counting, coordinator)
        voters = [core_services.find_user_by_email(e) for e in counted_emails]
        for index, user in enumerate(voters):
            voter = budget_services.eligibility(
                counting, budget_services.AccountProof(user, None, 1980)
            )
            for pool in counting.pools:
                ids = [p.id for p in pool.projects]
                first, second = ids[index], ids[(index + 1) % len(ids)]
                value = {Method.POINTS: 5, Method.D21: 1}.get(Method(pool.method), 1)
                values = {first: value}
                if pool.method != Method.K_APPROVAL:
                    values[second] = value
                budget_services.cast_ballot(pool, values, voter)
        counting.voting_opens_at = utcnow() - timedelta(days=10)
        counting.voting_closes_at = utcnow() - timedelta(days=1)
        made.counting = counting.id
        db.session.commit()
    return made


# --- the browser -----------------------------------------------------------------------------


@pytest.fixture
def people(chromium, live_server):
    """Browser contexts of their own (one per person), in English, with the tiles answered
    locally; all their requests go into one list."""
    contexts = []
    requested: list[str] = []

    def open_page(javascript: bool = True, width: int | None = None) -> Page:
        options = {"viewport": {"width": width, "height": 800}} if width else {}
        context = chromium.new_context(
            base_url=live_server.url, locale="en-GB", java_script_enabled=javascript, **options
        )
        context.set_default_timeout(10_000)
        serve_tiles(context)
        contexts.append(context)
        pg = context.new_page()
        pg.on("request", lambda request: requested.append(request.url))
        return pg

    open_page.requested = requested
    yield open_page
    for context in contexts:
        context.close()


def as_person(people, email: str, javascript: bool = True) -> Page:
    pg = people(javascript)
    log_in(pg, email)
    return pg


def tab_to(page: Page, target, limit: int = 80) -> None:
    """Press Tab until ``target`` (a locator) has the focus (one round trip a key; the path
    only when it is never reached)."""
    element = target.element_handle()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if element.evaluate("e => e === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}; the focus is on {focused(page)}")


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def flash(page: Page, text: str):
    return page.locator(".flash").filter(has_text=text)


def switch_language(page: Page, lang: str) -> None:
    page.get_by_role("banner").get_by_role("button", name=LANGUAGES[lang]).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def total(page: Page):
    return page.locator("#ballot-total")


def d21(page: Page, project: str, vote: str):
    """A D21 project's choice ("No vote", "Plus vote", "Minus vote")."""
    return page.get_by_role("group", name=project).get_by_label(vote, exact=True)


def receipt_of(page: Page) -> str:
    expect(heading(page)).to_have_text("Your ballot is cast")
    code = page.locator("#receipt-code").inner_text().strip()
    assert RECEIPT.match(code), code
    return code


def check_receipt(page: Page, town: Town, verification: Verification, code: str, pool: str):
    page.goto(f"{town.base}/{town.cycles[verification]}/receipt")
    page.get_by_label("Receipt code").fill(code)
    page.get_by_role("button", name="Check my receipt").click()
    expect(flash(page, "counted")).to_have_text(f"Your ballot is counted in {pool}.")


def identify_by_code(page: Page, town: Town, code: str) -> None:
    page.goto(f"{town.base}/{town.cycles[Verification.CODE]}/vote")
    page.get_by_label("Voting code").fill(code)
    page.get_by_role("button", name="Continue to the ballot").click()
    expect(heading(page)).to_have_text("Vote: choose a pool")


def identify_by_register(page: Page, town: Town, identifier: str) -> None:
    page.goto(f"{town.base}/{town.cycles[Verification.REGISTER]}/vote")
    page.get_by_label("Your identifier").fill(identifier)
    page.get_by_role("button", name="Continue to the ballot").click()
    expect(heading(page)).to_have_text("Vote: choose a pool")


def identify_by_email(page: Page, town: Town, district: str = "Střed") -> None:
    page.goto(f"{town.base}/{town.cycles[Verification.EMAIL]}/vote")
    page.get_by_label("The district you live in").select_option(label=district)
    page.get_by_label("Year of birth").fill("1984")
    page.get_by_role("button", name="Continue to the ballot").click()
    expect(heading(page)).to_have_text("Vote: choose a pool")


def pool_card(page: Page, name: str):
    return page.locator(".budget-voter-pools > li").filter(
        has=page.get_by_role("heading", name=name, exact=True)
    )


def refused_again(page: Page, town: Town, verification: Verification, method: Method, name: str):
    """The pool's ballot, asked for again, sends the voter back with a clear message."""
    page.goto(f"{town.base}/{town.cycles[verification]}/vote/{town.pools[verification][method]}")
    expect(heading(page)).to_have_text("Vote: choose a pool")
    expect(flash(page, "already")).to_have_text("You have already voted in this pool.")
    expect(pool_card(page, name)).to_contain_text("You have voted in this pool.")
    expect(pool_card(page, name).get_by_role("link", name=f"Vote in {name}")).to_have_count(0)


# --- 1. with the mouse, by email account -----------------------------------------------------


def test_a_resident_votes_with_the_mouse_by_email_account(people, town, browser_app, live_server):
    """Approval and k-approval: the running total changes with each tick and stays right
    when filters hide chosen projects; the review, the receipt (copied), its check and a
    change by it; a second ballot in the same pool is refused."""
    page = as_person(people, make_account(browser_app, "mouse"))
    page.goto(f"{town.base}/")
    page.get_by_role("link", name=town.titles[Verification.EMAIL]).click()
    expect(page.locator(".leaflet-container").first).to_be_visible()
    page.get_by_role("link", name="Vote", exact=True).first.click()
    expect(heading(page)).to_have_text("Vote: who you are")
    page.get_by_label("The district you live in").select_option(label="Sever")
    page.get_by_label("Year of birth").fill("1984")
    page.get_by_role("button", name="Continue to the ballot").click()
    expect(heading(page)).to_have_text("Vote: choose a pool")
    expect(page.get_by_text("Your district: Sever.")).to_be_visible()

    # Approval: 500,000 in the pool, at most three projects.
    page.get_by_role("link", name="Vote in Celé město").click()
    expect(heading(page)).to_have_text("Ballot: Celé město")
    expect(total(page)).to_contain_text("Projects chosen: 0.")
    page.get_by_label("Lavičky u řeky").check()
    expect(total(page)).to_contain_text("Projects chosen: 1.")
    expect(total(page)).to_contain_text("200,000")
    expect(total(page)).to_contain_text("300,000.00 left.")
    page.get_by_label("Hřiště u školy").check()
    expect(total(page)).to_contain_text("50,000.00 left.")
    page.get_by_label("Stromy v ulicích").check()
    expect(total(page)).to_contain_text("That is CZK 100,000.00 more than the pool.")
    expect(total(page).locator(".ballot-over")).to_be_visible()
    page.get_by_label("Stromy v ulicích").uncheck()
    expect(total(page)).to_contain_text("Projects chosen: 2.")
    live = total(page).inner_text().strip()

    # Finding projects by words: at once while typing, and on the server with Enter; the
    # choices among the projects not shown count all the same.
    words = page.get_by_label("Words in the title or description")
    words.fill("stromy")
    expect(page.locator("#ballot-shown")).to_have_text("Projects shown: 1 of 4.")
    expect(page.get_by_label("Lavičky u řeky")).to_be_hidden()
    words.press("Enter")
    expect(page.locator("#ballot-shown")).to_contain_text(
        "Projects shown: 1 of 4. Your choices among the projects not shown are kept."
    )
    expect(page.locator(".ballot-project")).to_have_count(1)
    expect(total(page)).to_have_text(live)
    words.fill("")
    words.press("Enter")
    expect(page.locator(".ballot-project")).to_have_count(4)
    expect(page.get_by_label("Lavičky u řeky")).to_be_checked()
    expect(page.get_by_label("Hřiště u školy")).to_be_checked()
    expect(total(page)).to_have_text(live)

    page.get_by_role("button", name="Review my ballot").click()
    expect(heading(page)).to_have_text("Review my ballot: Celé město")
    rows = page.get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Hřiště u školy")
    expect(rows.nth(1)).to_contain_text("Lavičky u řeky")
    # The server's total is the one the page showed while choosing (Babel writes "CZK1.00"
    # where the browser writes "CZK 1.00").
    assert squeezed(page.locator("p.ballot-total").inner_text()) == squeezed(live)
    page.get_by_role("button", name="Cast my ballot").click()
    receipt = receipt_of(page)
    expect(flash(page, "Thank you")).to_have_text(
        "Thank you. Your ballot in Celé město is counted."
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy the receipt code").click()
    expect(page.locator("#copy-status")).to_have_text("The receipt code is copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == receipt

    # k-approval: two votes.
    page.get_by_role("link", name="Vote in your other pools").click()
    page.get_by_role("link", name="Vote in Sever").click()
    expect(heading(page)).to_have_text("Ballot: Sever")
    expect(total(page)).to_have_text("Votes used: 0 of 2.")
    for title in ("Psí louka", "Houpačky Na Výsluní", "Lampy v parku"):
        page.get_by_label(title).check()
    expect(total(page)).to_have_text("Votes used: 3 of 2. That is more than you may give.")
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose at most 2 projects.")
    expect(page.get_by_label("Lampy v parku")).to_be_checked()  # kept
    page.get_by_label("Lampy v parku").uncheck()
    expect(total(page)).to_have_text("Votes used: 2 of 2.")
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Cast my ballot").click()
    receipt_of(page)

    # Not twice in the same pool.
    refused_again(page, town, Verification.EMAIL, Method.APPROVAL, "Celé město")
    refused_again(page, town, Verification.EMAIL, Method.K_APPROVAL, "Sever")

    # The receipt is counted, and changes the ballot (this pool allows it).
    page.get_by_role("link", name="Check my receipt").click()
    page.get_by_label("Receipt code").fill(receipt.lower())
    page.get_by_role("button", name="Check my receipt").click()
    expect(flash(page, "counted")).to_have_text("Your ballot is counted in Celé město.")
    page.get_by_role("button", name="Change my ballot").click()
    expect(heading(page)).to_have_text("Change my ballot: Celé město")
    expect(page.get_by_label("Lavičky u řeky")).to_be_checked()
    expect(page.get_by_label("Hřiště u školy")).to_be_checked()
    page.get_by_label("Hřiště u školy").uncheck()
    page.get_by_label("Pítko na náměstí").check()
    expect(total(page)).to_contain_text("200,000.00 left.")
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Save my changed ballot").click()
    expect(page.locator("main")).to_contain_text("Celé město")
    page.goto(f"{town.base}/{town.cycles[Verification.EMAIL]}/receipt")
    page.get_by_label("Receipt code").fill(receipt)
    page.get_by_role("button", name="Check my receipt").click()
    page.get_by_role("button", name="Change my ballot").click()
    expect(page.get_by_label("Pítko na náměstí")).to_be_checked()
    expect(page.get_by_label("Hřiště u školy")).not_to_be_checked()
    assert foreign_requests(people.requested, live_server.url) == []


# --- 2. by keyboard alone, with a voting code ---------------------------------------------------


def test_a_resident_votes_by_keyboard_alone_with_a_code(people, town, live_server):
    """Points, D21 and approval with Tab, typing, the arrow keys inside a group of radio
    buttons, Space and Enter; the code then still opens the pool not voted in, and no
    other."""
    code = town.code()
    page = people()
    page.goto(f"{town.base}/{town.cycles[Verification.CODE]}/")
    vote = page.get_by_role("link", name="Vote", exact=True).first
    tab_to(page, vote)
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Vote: who you are")
    tab_to(page, page.get_by_label("Voting code"))
    page.keyboard.type(code)
    tab_to(page, page.get_by_role("button", name="Continue to the ballot"))
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Vote: choose a pool")

    # Points: 10 to give, at most 5 a project.
    tab_to(page, page.get_by_role("link", name="Vote in Jih"))
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Ballot: Jih")
    expect(total(page)).to_have_text("Points used: 0 of 10.")
    for title, points in (("Knihobudka", "5"), ("Koše na tříděný odpad", "3")):
        tab_to(page, page.get_by_label(f"Points for {title}"))
        page.keyboard.type(points)
    expect(total(page)).to_have_text("Points used: 8 of 10.")
    tab_to(page, page.get_by_role("button", name="Review my ballot"))
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Review my ballot: Jih")
    expect(page.get_by_role("table")).to_contain_text("5 points")
    expect(page.get_by_role("table")).to_contain_text("3 points")
    tab_to(page, page.get_by_role("button", name="Cast my ballot"))
    page.keyboard.press("Enter")
    receipt = receipt_of(page)

    # D21: three plus votes and one minus vote (after two plus votes).
    tab_to(page, page.get_by_role("link", name="Vote in your other pools"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Vote in Střed"))
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Ballot: Střed")
    for title, presses in (
        ("Stojany na kola", 1),
        ("Kašna na náměstí", 1),
        ("Osvětlení Palackého ulice", 2),
    ):
        tab_to(page, d21(page, title, "No vote"))  # the group's checked radio
        for _ in range(presses):
            page.keyboard.press("ArrowDown")
    expect(d21(page, "Osvětlení Palackého ulice", "Minus vote")).to_be_checked()
    expect(total(page)).to_have_text("Plus votes used: 2 of 3. Minus votes used: 1 of 1.")
    tab_to(page, page.get_by_role("button", name="Review my ballot"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("row", name=re.compile("Osvětlení"))).to_contain_text("Minus vote")
    tab_to(page, page.get_by_role("button", name="Cast my ballot"))
    page.keyboard.press("Enter")
    receipt_of(page)

    # Approval: ticked with Space.
    tab_to(page, page.get_by_role("link", name="Vote in your other pools"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("link", name="Vote in Celé město"))
    page.keyboard.press("Enter")
    for title in ("Pítko na náměstí", "Stromy v ulicích"):
        tab_to(page, page.get_by_label(title))
        page.keyboard.press("Space")
    expect(page.get_by_label("Stromy v ulicích")).to_be_checked()
    expect(total(page)).to_contain_text("Projects chosen: 2.")
    expect(total(page)).to_contain_text("250,000.00 left.")
    tab_to(page, page.get_by_role("button", name="Review my ballot"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Cast my ballot"))
    page.keyboard.press("Enter")
    receipt_of(page)

    # In another browser the same code: the three pools are done, the other still open.
    again = people()
    identify_by_code(again, town, code)
    expect(pool_card(again, "Jih")).to_contain_text("You have voted in this pool.")
    expect(pool_card(again, "Střed")).to_contain_text("You have voted in this pool.")
    expect(pool_card(again, "Celé město")).to_contain_text("You have voted in this pool.")
    expect(again.get_by_role("link", name="Vote in Sever")).to_be_visible()
    refused_again(again, town, Verification.CODE, Method.POINTS, "Jih")
    check_receipt(again, town, Verification.CODE, receipt, "Jih")
    assert foreign_requests(people.requested, live_server.url) == []


# --- 3. without JavaScript, by the register -----------------------------------------------------


def test_a_resident_votes_without_javascript_by_the_register(people, town, live_server):
    """'Check my ballot' shows the total and the problems (a D21 minus vote before two plus
    votes) and keeps the choices; casting the same ballot again is refused."""
    identifier = town.identifier()
    page = people(javascript=False)
    page.goto(f"{town.base}/{town.cycles[Verification.REGISTER]}/")
    expect(page.locator(".leaflet-container")).to_have_count(0)
    expect(page.locator(".map-frame")).to_be_hidden()
    page.get_by_role("link", name="Vote", exact=True).first.click()
    expect(page.get_by_label("District")).to_have_count(0)  # the register says where
    page.get_by_label("Your identifier").fill("999999/9999")
    page.get_by_role("button", name="Continue to the ballot").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "This identifier is not in the register of residents."
    )
    page.get_by_label("Your identifier").fill(identifier.replace("/", " / "))
    page.get_by_role("button", name="Continue to the ballot").click()
    expect(heading(page)).to_have_text("Vote: choose a pool")
    expect(page.get_by_text("Your district: Střed.")).to_be_visible()

    page.get_by_role("link", name="Vote in Střed").click()
    expect(page.locator(".map-frame")).to_be_hidden()  # no empty frame without its map
    expect(total(page)).to_contain_text("check your ballot to see your total")
    d21(page, "Zelená střecha zastávky", "Minus vote").check()
    d21(page, "Stojany na kola", "Plus vote").check()
    page.get_by_role("button", name="Check my ballot").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("A minus vote needs at least two plus votes first.")
    expect(total(page)).to_have_text("Plus votes used: 1 of 3. Minus votes used: 1 of 1.")
    expect(d21(page, "Zelená střecha zastávky", "Minus vote")).to_be_checked()
    expect(d21(page, "Stojany na kola", "Plus vote")).to_be_checked()
    expect(d21(page, "Kašna na náměstí", "No vote")).to_be_checked()

    # "Review" with the problem still there says the same.
    page.get_by_role("button", name="Review my ballot").click()
    expect(problems).to_contain_text("A minus vote needs at least two plus votes first.")
    d21(page, "Kašna na náměstí", "Plus vote").check()
    page.get_by_role("button", name="Check my ballot").click()
    expect(problems).to_have_count(0)
    expect(flash(page, "valid")).to_have_text("Your ballot is valid. Review it, then cast it.")
    expect(total(page)).to_have_text("Plus votes used: 2 of 3. Minus votes used: 1 of 1.")
    page.get_by_role("button", name="Review my ballot").click()
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(3)
    page.get_by_role("button", name="Cast my ballot").click()
    receipt = receipt_of(page)

    # Back to the review and cast again: refused, and said so.
    page.go_back()
    expect(heading(page)).to_have_text("Review my ballot: Střed")
    page.get_by_role("button", name="Cast my ballot").click()
    expect(heading(page)).to_have_text("Vote: choose a pool")
    expect(flash(page, "already")).to_have_text("You have already voted in this pool.")
    expect(pool_card(page, "Střed")).to_contain_text("You have voted in this pool.")
    refused_again(page, town, Verification.REGISTER, Method.D21, "Střed")

    # Approval without JavaScript: finding projects on the server keeps the choices among
    # those it hides; the total and the over-budget problem come from the server.
    page.get_by_role("link", name="Vote in Celé město").click()
    for title in ("Lavičky u řeky", "Hřiště u školy"):
        page.get_by_label(title).check()
    page.get_by_label("Words in the title or description").fill("stromy")
    page.get_by_role("button", name="Show matching projects").click()
    expect(page.locator(".ballot-project")).to_have_count(1)
    expect(page.locator("#ballot-shown")).to_have_text(
        "Projects shown: 1 of 4. Your choices among the projects not shown are kept."
    )
    page.get_by_label("Stromy v ulicích").check()
    page.get_by_role("button", name="Check my ballot").click()
    expect(page.locator(".ballot-project")).to_have_count(1)  # the filter stays
    page.get_by_label("Words in the title or description").fill("")
    page.get_by_role("button", name="Show matching projects").click()
    expect(page.locator(".ballot-project")).to_have_count(4)
    for title in ("Lavičky u řeky", "Hřiště u školy", "Stromy v ulicích"):
        expect(page.get_by_label(title)).to_be_checked()
    page.get_by_role("button", name="Check my ballot").click()
    expect(page.get_by_role("alert")).to_contain_text(
        re.compile(r"Your projects cost CZK\s?600,000.00, more than the pool's CZK\s?500,000.00.")
    )
    expect(total(page)).to_contain_text("Projects chosen: 3.")
    expect(total(page)).to_contain_text(re.compile(r"That is CZK\s?100,000.00 more than the pool."))
    expect(page.get_by_label("Stromy v ulicích")).to_be_checked()
    check_receipt(page, town, Verification.REGISTER, receipt, "Střed")
    assert foreign_requests(people.requested, live_server.url) == []


def test_a_problem_about_one_project_is_said_beside_it(people, town, live_server):
    """Points over a project's cap and below zero: the running total warns at once;
    "Check my ballot" marks each box and says beside it what is wrong, and the list at
    the top names the project, its link taking the focus to the box; what was typed stays."""
    page = people()
    identify_by_code(page, town, town.code())
    page.get_by_role("link", name="Vote in Jih").click()
    books = page.get_by_label("Points for Knihobudka")
    bins = page.get_by_label("Points for Koše na tříděný odpad")
    books.fill("6")
    expect(total(page)).to_have_text("Points used: 6 of 10. That is more than you may give.")
    bins.fill("-1")
    page.get_by_role("button", name="Check my ballot").click()
    expect(books).to_have_attribute("aria-invalid", "true")
    expect(books).to_have_accessible_description(re.compile("At most 5 points per project."))
    expect(bins).to_have_attribute("aria-invalid", "true")
    expect(bins).to_have_accessible_description(re.compile("Points cannot be negative."))
    expect(page.get_by_label("Points for Komunitní kompostér")).not_to_have_attribute(
        "aria-invalid", "true"
    )
    expect(books).to_have_value("6")
    expect(bins).to_have_value("-1")
    problems = page.get_by_role("alert")
    problems.get_by_role("link", name="Koše na tříděný odpad: Points cannot be negative.").click()
    expect(bins).to_be_focused()
    # A word instead of a number comes back as typed (a number box would empty it).
    compost = page.get_by_label("Points for Komunitní kompostér")
    compost.fill("tři")
    page.get_by_role("button", name="Check my ballot").click()
    expect(compost).to_have_value("tři")
    expect(compost).to_have_attribute("aria-invalid", "true")

    # Approval: more projects than the pool's three, said at once too.
    city = town.pools[Verification.CODE][Method.APPROVAL]
    page.goto(f"{town.base}/{town.cycles[Verification.CODE]}/vote/{city}")
    for title in ("Lavičky u řeky", "Stromy v ulicích", "Hřiště u školy", "Pítko na náměstí"):
        page.get_by_label(title).check()
    expect(total(page)).to_contain_text("Projects chosen: 4.")
    expect(total(page)).to_contain_text("That is more than you may give.")
    assert foreign_requests(people.requested, live_server.url) == []


# --- 4. paper ballots ---------------------------------------------------------------------------


def test_paper_and_online_ballots_refuse_each_other(people, town, browser_app, live_server):
    """A coordinator enters a paper ballot for a register identifier, whose voter is then
    refused online; and a code already used online is refused on paper."""
    identifier = town.identifier()
    online_code = town.code()
    with browser_app.app_context():
        cycle = db.session.get(Cycle, town.cycles[Verification.CODE])
        pool = db.session.get(Pool, town.pools[Verification.CODE][Method.K_APPROVAL])
        voter = budget_services.eligibility(cycle, budget_services.CodeProof(online_code))
        budget_services.cast_ballot(pool, {pool.projects[0].id: 1}, voter)
        db.session.commit()

    staff = as_person(people, town.coordinator)
    staff.goto(f"{town.base}/manage")
    staff.get_by_role("link", name=town.titles[Verification.REGISTER]).click()
    staff.get_by_role("link", name="Paper ballots").first.click()
    expect(heading(staff)).to_have_text("Paper ballots")
    staff.get_by_role("link", name="Celé město").click()
    staff.get_by_label("Identifier in the register of residents").fill(identifier)
    staff.get_by_label("Lavičky u řeky").check()
    staff.get_by_label("Pítko na náměstí").check()
    staff.get_by_role("button", name=re.compile("^(Record|Enter|Save)")).click()
    expect(heading(staff)).to_have_text("Paper ballot recorded")

    # The same identifier again on paper: refused.
    staff.get_by_role("link", name="Enter another").click()
    staff.get_by_label("Identifier in the register of residents").fill(identifier)
    staff.get_by_label("Stromy v ulicích").check()
    staff.get_by_role("button", name=re.compile("^(Record|Enter|Save)")).click()
    expect(staff.get_by_role("alert")).to_contain_text(
        "This person has already voted (online or on paper)."
    )

    # Online: the pool is done, and its ballot is refused.
    voter = people(javascript=False)
    identify_by_register(voter, town, identifier)
    expect(pool_card(voter, "Celé město")).to_contain_text("You have voted in this pool.")
    refused_again(voter, town, Verification.REGISTER, Method.APPROVAL, "Celé město")

    # A code used online, on paper: refused.
    staff.goto(f"{town.base}/manage/{town.cycles[Verification.CODE]}/paper")
    staff.get_by_role("link", name="Sever").click()
    staff.get_by_label("Voting code").fill(online_code.lower().replace("-", ""))
    staff.get_by_label("Psí louka").check()
    staff.get_by_role("button", name=re.compile("^(Record|Enter|Save)")).click()
    expect(staff.get_by_role("alert")).to_contain_text(
        "This person has already voted (online or on paper)."
    )
    # A fresh code on paper counts, and is refused online in that pool.
    paper_code = town.code()
    staff.get_by_label("Voting code").fill(paper_code)
    staff.get_by_label("Psí louka").uncheck()
    staff.get_by_label("Lampy v parku").check()
    staff.get_by_role("button", name=re.compile("^(Record|Enter|Save)")).click()
    expect(heading(staff)).to_have_text("Paper ballot recorded")
    identify_by_code(voter, town, paper_code)
    refused_again(voter, town, Verification.CODE, Method.K_APPROVAL, "Sever")
    assert foreign_requests(people.requested, live_server.url) == []


# --- 5. the ballot at 320 px --------------------------------------------------------------------


def assert_fits(page: Page, what: str) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{what} scrolls sideways at 320 px: {widths}"


def test_the_ballot_fits_a_narrow_screen(people, town, browser_app, live_server):
    """Every method's ballot, the review and the receipt at 320 px: no sideways scroll."""
    page = as_person(people, make_account(browser_app, "narrow"))
    page.set_viewport_size({"width": 320, "height": 700})
    identify_by_email(page, town)
    for method, pool_id in town.pools[Verification.EMAIL].items():
        page.goto(f"{town.base}/{town.cycles[Verification.EMAIL]}/vote/{pool_id}")
        expect(page.locator(".leaflet-container")).to_be_visible()
        assert_fits(page, f"the {method} ballot")
    d21(page, "Stojany na kola", "Plus vote").check()
    page.get_by_role("button", name="Review my ballot").click()
    expect(heading(page)).to_contain_text("Review my ballot")
    assert_fits(page, "the review")
    page.get_by_role("button", name="Cast my ballot").click()
    receipt_of(page)
    assert_fits(page, "the receipt")
    assert foreign_requests(people.requested, live_server.url) == []


# --- 6. axe-core on every page --------------------------------------------------------------


class Survey:
    """axe-core on each page shown, and the language it is in; violations kept per page."""

    def __init__(self, lang: str):
        self.lang = lang
        self.violations: dict[str, list] = {}
        self.checked: list[str] = []

    def check(self, page: Page, what: str) -> None:
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        found = axe_violations(page)
        if found:
            self.violations[what] = found
        self.checked.append(what)

    def visit(self, page: Page, path: str, what: str | None = None, status: int = 200) -> None:
        response = page.goto(path)
        assert response.status == status, f"{path} answered {response.status}"
        self.check(page, what or path)

    def assert_clean(self, requested: list[str], base_url: str) -> None:
        assert not self.violations, "axe-core found violations:\n" + "\n".join(
            f"{what}: {found}" for what, found in self.violations.items()
        )
        assert foreign_requests(requested, base_url) == []
        assert any(u.startswith(TILE_HOST + "/") for u in requested)


def _pictured_project(app, cycle_id: int) -> tuple[int, int]:
    """A project of the cycle in preparation with a picture (added once, by the service),
    and the picture's id."""
    with app.app_context():
        cycle = db.session.get(Cycle, cycle_id)
        project = next(
            p for pool in cycle.pools for p in pool.projects if p.title == "Stojany na kola"
        )
        pictures = budget_services.project_pictures(project)
        if not pictures:
            upload = FileStorage(BytesIO(png_with_text((300, 200))), filename="stojany.png")
            pictures = budget_services.add_project_images(project, None, [upload], "Stojany")
            db.session.commit()
        return project.id, pictures[0].id


def _demo_cycles(app) -> tuple[int, int]:
    """The demo town's cycle with published results and its first winning project."""
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.title == PAST_TITLE))
        winner = next(
            r.project_id for p in cycle.pools for r in budget_services.results_of(p) if r.selected
        )
        return cycle.id, winner


@pytest.mark.parametrize("lang", LANGUAGES)
def test_public_budget_pages_are_accessible(people, town, browser_app, live_server, lang):
    survey = Survey(lang)
    email_cycle = town.cycles[Verification.EMAIL]

    # Not logged in: the pages anyone reads, and proving who you are by code or register.
    visitor = people()
    visitor.goto(f"{town.base}/")
    switch_language(visitor, lang)
    survey.check(visitor, "cycle list")
    survey.visit(visitor, f"{town.base}/{email_cycle}/", "cycle page with the projects map")
    expect(visitor.locator(".leaflet-container").first).to_be_visible()
    visitor.locator("main a[href*='/budget/projects/']").first.click()
    expect(visitor.locator(".leaflet-container")).to_be_visible()
    survey.check(visitor, "project page")
    survey.visit(visitor, f"{town.base}/{email_cycle}/vote", "identification: log in first")
    survey.visit(
        visitor, f"{town.base}/{town.cycles[Verification.CODE]}/vote", "identification by code"
    )
    survey.visit(
        visitor,
        f"{town.base}/{town.cycles[Verification.REGISTER]}/vote",
        "identification by the register",
    )
    visitor.locator("#identifier").fill("nobody")
    visitor.locator("main form button[type=submit]").click()
    expect(visitor.get_by_role("alert")).to_be_visible()
    survey.check(visitor, "identification by the register, refused")

    # Logged in: by email account, then every ballot, the review and the receipt.
    page = as_person(people, make_account(browser_app, f"axe-{lang}"))
    page.goto(f"{town.base}/{email_cycle}/vote")
    switch_language(page, lang)
    survey.check(page, "identification by email")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    survey.check(page, "identification by email, with errors")

    page.goto(f"{town.base}/{email_cycle}/vote")
    page.locator("#district").select_option(label="Jih")
    page.locator("#birth_year").fill("1990")
    page.locator("main form button[type=submit]").click()
    survey.check(page, "the voter's pools")
    pools = town.pools[Verification.EMAIL]
    for method, pool_id in pools.items():
        survey.visit(page, f"{town.base}/{email_cycle}/vote/{pool_id}", f"ballot: {method}")
    # Points with a problem beside a project (over its cap), from the server.
    page.goto(f"{town.base}/{email_cycle}/vote/{pools[Method.POINTS]}")
    page.locator(".ballot-project input").first.fill("6")
    page.locator("button[value=check]").click()
    expect(page.locator(".ballot-project [aria-invalid=true]")).to_have_count(1)
    survey.check(page, "ballot with a problem beside a project")
    page.goto(f"{town.base}/{email_cycle}/vote/{pools[Method.D21]}")
    # D21 with a problem (a minus vote first), from the server.
    page.locator("input[type=radio][value='-1']").first.check()
    page.locator("button[value=check]").click()
    expect(page.locator("#ballot-problems")).to_be_visible()
    survey.check(page, "ballot with a problem")

    page.goto(f"{town.base}/{email_cycle}/vote/{pools[Method.APPROVAL]}")
    page.locator(".ballot-project input[type=checkbox]").first.check()
    page.locator("button[value=check]").click()
    survey.check(page, "ballot checked, valid")
    page.locator("button[value=review]").click()
    survey.check(page, "review")
    page.locator("button[value=cast]").click()
    receipt = page.locator("#receipt-code").inner_text().strip()
    survey.check(page, "receipt")
    survey.visit(page, f"{town.base}/{email_cycle}/receipt", "receipt check")
    page.locator("#receipt").fill("AAAA-BBBB-CCCC-DDDD")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".flash-error")).to_be_visible()
    page.locator("#receipt").fill(receipt)
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".flash-success")).to_be_visible()
    survey.check(page, "receipt check: counted")
    page.locator("main form[action$='/receipt/change'] button").click()
    survey.check(page, "change my ballot")
    page.locator("button[value=review]").click()
    page.locator("button[value=cast]").click()
    survey.check(page, "ballot changed")
    survey.visit(page, f"{town.base}/{town.counting}/vote", "voting closed", status=403)

    # The demo's published results and what became of the winners.
    past, winner = _demo_cycles(browser_app)
    survey.visit(page, f"/{DEMO_SLUG}/budget/{past}/results", "results")
    expect(page.locator(".leaflet-container")).to_have_count(2)  # winners and turnout
    survey.visit(page, f"/{DEMO_SLUG}/budget/implementation", "implementation")
    survey.assert_clean(people.requested, live_server.url)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_staff_budget_pages_are_accessible(people, town, browser_app, live_server, lang):
    survey = Survey(lang)
    page = as_person(people, town.coordinator)
    base = f"{town.base}/manage"
    page.goto(base)
    switch_language(page, lang)
    survey.check(page, "overview")
    page.goto(f"{base}/new")
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    survey.check(page, "new cycle form with errors")

    prep = town.preparation
    survey.visit(page, f"{base}/{prep}", "cycle page: preparation")
    survey.visit(page, f"{base}/{prep}/edit", "cycle form")
    survey.visit(page, f"{base}/{prep}/pools/{town.preparation_pool}/edit", "pool form")
    survey.visit(page, f"{base}/{prep}/projects", "projects")
    survey.visit(page, f"{base}/{prep}/projects/new", "new project form with the picker")
    expect(page.locator(".leaflet-container")).to_be_visible()
    survey.visit(page, f"{base}/{prep}/projects/from-ideas", "projects from ideas")
    project_id, image_id = _pictured_project(browser_app, prep)
    edit = f"{base}/{prep}/projects/{project_id}/edit"
    survey.visit(page, edit, "project form with a picture")
    survey.visit(page, f"{base}/{prep}/projects/{project_id}/images/{image_id}/remove", "remove")
    page.goto(edit)
    page.locator("#images").set_input_files(
        files=[{"name": "plan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7"}]
    )
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    survey.check(page, "project form with a refused file")
    survey.visit(page, f"{base}/{prep}/pools/{town.preparation_pool}/pabulib", "Pabulib import")

    register = town.cycles[Verification.REGISTER]
    survey.visit(page, f"{base}/{register}", "cycle page: voting")
    survey.visit(page, f"{base}/{register}/register", "register")
    survey.visit(page, f"{base}/{register}/paper", "paper ballots")
    for method in (Method.POINTS, Method.D21):  # (approval's checkboxes: as elsewhere)
        pool_id = town.pools[Verification.REGISTER][method]
        survey.visit(page, f"{base}/{register}/paper/{pool_id}", f"paper ballot: {method}")
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    survey.check(page, "paper ballot with errors")

    code = town.cycles[Verification.CODE]
    survey.visit(page, f"{base}/{code}/codes", "codes")
    survey.visit(page, f"{base}/{code}/codes/letters?batch={town.code_batch}", "letters")
    survey.visit(page, f"{base}/{code}/audit", "audit")

    survey.visit(page, f"{base}/{town.counting}/results", "results preview")

    # The demo's published cycle (this coordinator is the demo town's coordinator too).
    past, winner = _demo_cycles(browser_app)
    demo = f"/{DEMO_SLUG}/budget/manage"
    survey.visit(page, f"{demo}/{past}/implementation", "implementation")
    survey.visit(page, f"{demo}/{past}/implementation/{winner}", "a project's implementation")
    survey.assert_clean(people.requested, live_server.url)


# --- 7. pictures of a project entered directly ------------------------------------------------


def test_staff_add_a_picture_that_the_public_page_shows_and_remove_it(
    people, town, browser_app, live_server
):
    """Without JavaScript: a coordinator adds a picture to a project in preparation, sees
    it on the project's public page, then removes it after the confirmation page."""
    staff = as_person(people, town.coordinator, javascript=False)
    staff.goto(f"{town.base}/manage/{town.preparation}/projects")
    # The accessibility tests leave this coordinator in Czech or Polish.
    staff.get_by_role("banner").get_by_role("button", name="English").click()
    expect(staff.locator("html")).to_have_attribute("lang", "en")
    staff.get_by_role("link", name=re.compile(r"^Edit\s*Knihobudka$")).click()
    expect(heading(staff)).to_have_text("Edit the project")
    staff.get_by_label(re.compile(r"^Images")).set_input_files(
        files=[{"name": "knihobudka.png", "mimeType": "image/png", "buffer": png_with_text()}]
    )
    staff.get_by_label("What the images show").fill("Knihobudka u zastávky")
    staff.get_by_role("button", name="Save the project").click()
    expect(flash(staff, "The project is saved.")).to_be_visible()

    with browser_app.app_context():
        project_id = db.session.scalar(
            select(Project.id).where(
                Project.cycle_id == town.preparation, Project.title == "Knihobudka"
            )
        )
    staff.goto(f"{town.base}/projects/{project_id}")
    picture = staff.get_by_role("img", name="Knihobudka u zastávky")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth") > 0  # really served

    staff.goto(f"{town.base}/manage/{town.preparation}/projects/{project_id}/edit")
    expect(staff.get_by_text("Images of the project: 1 of 10.")).to_be_visible()
    staff.get_by_role("link", name="Remove image 1").click()
    expect(heading(staff)).to_have_text("Remove this image of “Knihobudka”?")
    staff.get_by_role("main").get_by_role("button", name="Remove image").click()
    expect(flash(staff, "The image was removed.")).to_be_visible()
    expect(staff.get_by_role("img", name="Knihobudka u zastávky")).to_have_count(0)
    staff.goto(f"{town.base}/projects/{project_id}")
    expect(staff.get_by_role("img", name="Knihobudka u zastávky")).to_have_count(0)
    assert foreign_requests(people.requested, live_server.url) == []


# --- 8. the project maps -------------------------------------------------------------------


def _located(projects) -> dict[str, int]:
    """Title -> id of the projects that have a place (the markers a map must show)."""
    return {p.title: p.id for p in projects if p.lat is not None and p.lon is not None}


def _demo_maps(app) -> dict[str, dict[str, int]]:
    """The located projects of the demo town's maps: its voting cycle's, and the winners of
    its cycles with published results (on the results page and the implementation page)."""
    with app.app_context():
        town = db.session.scalar(select(Municipality).where(Municipality.slug == DEMO_SLUG))
        current = db.session.scalar(select(Cycle).where(Cycle.title == CURRENT_TITLE))
        past = db.session.scalar(select(Cycle).where(Cycle.title == PAST_TITLE))

        def winners(cycle):
            return [
                db.session.get(Project, r.project_id)
                for pool in cycle.pools
                for r in budget_services.results_of(pool)
                if r.selected
            ]

        published = [c for c in budget_services.cycles_of(town) if c.results_published_at]
        return {
            f"/{DEMO_SLUG}/budget/{current.id}/": _located(
                [p for pool in current.pools for p in pool.projects]
            ),
            f"/{DEMO_SLUG}/budget/{past.id}/results": _located(winners(past)),
            f"/{DEMO_SLUG}/budget/implementation": _located(
                [p for c in published for p in winners(c)]
            ),
        }


def assert_projects_map(
    page: Page, errors: list[str], label: str, expected: dict[str, int], new_tab: bool = False
) -> None:
    """The map named ``label`` has one marker per located project, named by its title, and
    each marker (by keyboard) opens a popup that links to the project's page (in a new tab
    when ``new_tab``); the page's scripts ran without an error."""
    assert errors == [], f"{page.url}: {errors}"
    region = page.get_by_role("region", name=label, exact=True)
    expect(region).to_be_visible()
    markers = region.locator(".leaflet-marker-icon")
    expect(markers).to_have_count(len(expected))
    titles = markers.evaluate_all("ms => ms.map(m => m.getAttribute('title'))")
    assert sorted(titles) == sorted(expected), f"{page.url}: markers {titles}"
    for index in range(len(expected)):
        marker = markers.nth(index)
        title = marker.get_attribute("title")
        marker.focus()
        page.keyboard.press("Enter")
        # (the popup before fades out: it is still there for a moment)
        link = region.locator(".leaflet-popup-content").get_by_role("link", name=title, exact=True)
        expect(link).to_be_visible()
        expect(link).to_have_attribute("href", re.compile(rf"/budget/projects/{expected[title]}$"))
        if new_tab:
            expect(link).to_have_attribute("target", "_blank")
            expect(link).to_have_attribute("rel", "noopener")
    assert errors == [], f"{page.url}: {errors}"


def test_every_project_map_shows_each_project_with_a_link(people, town, browser_app, live_server):
    """The cycle page, every ballot, the results' winners and the implementation page: a
    marker for every project with a place, whose popup links to it (from a ballot, in a new
    tab); the map named for screen readers and its zoom buttons in the page's language
    (folium's popups needed jQuery, which the site does not load: the first marker stopped
    the script)."""
    page = as_person(people, make_account(browser_app, "maps"))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    demo = _demo_maps(browser_app)
    labels = ("Map of the projects", "Map of the winning projects", "Map of the winning projects")
    for (path, expected), label in zip(demo.items(), labels, strict=True):
        assert expected, f"the demo has no located projects for {path}"
        page.goto(path)
        assert_projects_map(page, errors, label, expected)

    identify_by_email(page, town)
    cycle_id = town.cycles[Verification.EMAIL]
    with browser_app.app_context():
        pools = {
            pid: _located(db.session.get(Pool, pid).projects)
            for pid in town.pools[Verification.EMAIL].values()
        }
    for pool_id, expected in pools.items():
        page.goto(f"{town.base}/{cycle_id}/vote/{pool_id}")
        assert_projects_map(page, errors, "Map of the projects on this ballot", expected, True)

    # In Czech: the map's name and Leaflet's own buttons.
    page.goto(next(iter(demo)))
    switch_language(page, "cs")
    assert_projects_map(page, errors, "Mapa projektů", next(iter(demo.values())))
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "Přiblížit")
    assert foreign_requests(people.requested, live_server.url) == []


# --- 9. the turnout on the results -----------------------------------------------------------


def test_results_turnout_is_written_for_the_language(people, browser_app, live_server):
    """The demo's turnout: a few voters among thousands of residents is "< 0.1 %", not
    "0 %", and none is "0 %"; the legend's classes of whole voters are whole numbers, in
    the page's language."""
    past, _winner = _demo_cycles(browser_app)
    with browser_app.app_context():
        cycle = db.session.get(Cycle, past)
        turnout = budget_services.turnout_by_district(cycle)
        districts = {
            d.name: turnout.get(d.id, 0) for d in maps_services.districts_of(cycle.municipality)
        }
    assert any(districts.values()) and not all(districts.values()), districts
    page = people()
    page.goto(f"/{DEMO_SLUG}/budget/{past}/results")
    table = page.get_by_role("table", name="Voters by district")
    for name, voters in districts.items():
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
        expect(row.get_by_role("cell").last).to_have_text("< 0.1 %" if voters else "0 %")
    legend = page.locator(".map-legend li")
    texts = legend.all_inner_texts()[:-1]
    assert texts and all(re.fullmatch(r"(≤ )?\d+( – \d+)?", t.strip()) for t in texts), texts
    expect(legend.last).to_have_text("no data")

    switch_language(page, "pl")
    table = page.get_by_role("table").filter(has=page.get_by_role("rowheader", name="Střed"))
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Střed"))
    expect(row.get_by_role("cell").last).to_have_text("< 0,1 %")
    texts = page.locator(".map-legend li").all_inner_texts()[:-1]
    assert all("." not in t for t in texts), texts


# --- 10. the receipt's copy button --------------------------------------------------------------


def _cast_approval(page: Page, town: Town) -> str:
    identify_by_email(page, town)
    page.goto(
        f"{town.base}/{town.cycles[Verification.EMAIL]}/vote/"
        f"{town.pools[Verification.EMAIL][Method.APPROVAL]}"
    )
    page.get_by_label("Pítko na náměstí").check()
    page.get_by_role("button", name="Review my ballot").click()
    page.get_by_role("button", name="Cast my ballot").click()
    return receipt_of(page)


def test_the_copy_button_shows_only_when_it_can_copy(people, town, browser_app, live_server):
    """Without JavaScript the "Copy the receipt code" button (which could do nothing) is not
    shown; with JavaScript it is, and it copies the code."""
    copy = "Copy the receipt code"
    page = as_person(people, make_account(browser_app, "no-script-copy"), javascript=False)
    _cast_approval(page, town)
    expect(page.locator("#copy-receipt")).to_be_hidden()
    expect(page.get_by_role("button", name=copy)).to_have_count(0)

    page = as_person(people, make_account(browser_app, "script-copy"))
    receipt = _cast_approval(page, town)
    button = page.get_by_role("button", name=copy)
    expect(button).to_be_visible()
    expect(button).to_be_enabled()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button.click()
    expect(page.locator("#copy-status")).to_have_text("The receipt code is copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == receipt
    assert foreign_requests(people.requested, live_server.url) == []

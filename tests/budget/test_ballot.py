"""Voting through the web as a person would: proving who you are by email, code or
register, the ballot of each voting method with "Check my ballot" (no JavaScript), the
review, casting, the receipt, a second ballot refused, the closing time, changing a
ballot by its receipt; and that no code or identifier is kept in clear."""

from __future__ import annotations

import base64
import re
import zlib
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from participation.budget import services as s
from participation.budget.models import Ballot, Residence, Verification, Voter
from participation.core import services as core_services
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_cycle, make_pool, make_project, make_user
from tests.ideas.helpers import Browser, elements
from tests.ideas.helpers import text as page_text

THIS_YEAR = utcnow().year


def vote_url(cycle) -> str:
    return f"/lipnice/budget/{cycle.id}/vote"


def ballot_url(cycle, pool) -> str:
    return f"/lipnice/budget/{cycle.id}/vote/{pool.id}"


def cast(voter, cycle, pool, choices: dict):
    """ "Cast my ballot" on the review page."""
    return voter.post(ballot_url(cycle, pool), {"action": "cast", **choices})


def receipt_of(response) -> str:
    match = re.search(r'<p class="receipt-code"[^>]*>([A-Z0-9-]+)</p>', response.get_data(True))
    assert match, "no receipt code on the page"
    return match.group(1)


def checked(response, project, value: str = "1") -> bool:
    """Whether the ballot shows the project's control with ``value`` chosen."""
    page = response.get_data(as_text=True)
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="p-{project.id}"' not in tag:
            continue
        if 'class="points-input"' in tag:  # a text box: what was typed, as typed
            return f'value="{value}"' in tag
        if f'value="{value}"' in tag and "checked" in tag:
            return True
    return False


def decoded_session(browser) -> str:
    """Everything the session cookie says (signed, not encrypted: anyone holding the
    browser can read it)."""
    cookie = browser.client.get_cookie("session")
    assert cookie is not None
    value = cookie.value
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    data = zlib.decompress(raw) if compressed else raw
    return data.decode()


def everything_in_the_database() -> str:
    """Every row of every table, as text (a small test database)."""
    chunks = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            chunks.append(" ".join(str(v) for v in row))
    return "\n".join(chunks)


def assert_nowhere(browser, *secrets: str) -> None:
    cookie = decoded_session(browser).upper()
    database = everything_in_the_database().upper()
    for secret in secrets:
        for form in {secret.upper(), secret.upper().replace("-", "")}:
            assert form not in cookie, f"{secret} in the session cookie"
            assert form not in database, f"{secret} in the database"


def count_ballots(pool) -> int:
    return len(list(db.session.scalars(select(Ballot.id).where(Ballot.pool_id == pool.id))))


# --- email: approval with a minimum share and a maximum of projects ---------------------------


@pytest.fixture
def email_cycle(town):
    cycle = make_cycle(town.municipality, title="Rozpočet 2026")
    city = make_pool(cycle, name="Celé město", amount=Decimal("1000"), min_share=50, max_projects=2)
    jih = make_pool(cycle, district=town.districts["Jih"], amount=Decimal("300"))
    sever = make_pool(cycle, district=town.districts["Sever"], amount=Decimal("300"))
    projects = [
        make_project(city, cost=cost, title=title)
        for cost, title in (("600", "Lávka přes řeku"), ("300", "Nové lavičky"), ("200", "Pítko"))
    ]
    make_project(jih, cost="100", title="Strom u školy")
    make_project(sever, cost="100", title="Stojan na kola")
    db.session.refresh(cycle)
    return cycle, city, jih, projects


def test_an_account_holder_votes_by_approval_checks_reviews_casts_and_checks_the_receipt(
    app, town, email_cycle
):
    cycle, city, jih, (bridge, benches, fountain) = email_cycle
    person = make_user(municipality=town.municipality)

    anonymous = Browser(app)
    page = anonymous.page(vote_url(cycle))
    assert "Log in to vote" in page

    voter = Browser(app, person)
    page = voter.page(vote_url(cycle))
    assert "The district you live in" in page and "Year of birth" in page
    # Nothing declared: the missing year is shown beside its field, nothing else lost.
    response = voter.post(vote_url(cycle), {"district": str(town.districts["Jih"].id)})
    assert response.status_code == 422
    page = page_text(response)
    assert "Enter your year of birth." in page and 'id="error-summary"' in page
    # Too young for the cycle's 15 years: the service's message.
    response = voter.post(
        vote_url(cycle),
        {"district": str(town.districts["Jih"].id), "birth_year": str(THIS_YEAR - 10)},
    )
    assert response.status_code == 422
    assert "You must be at least 15 years old" in page_text(response)
    response = voter.post(
        vote_url(cycle), {"district": str(town.districts["Jih"].id), "birth_year": "1980"}
    )
    assert response.status_code == 302
    page = voter.page(vote_url(cycle))
    assert "Your district: Jih." in page
    assert "Vote in Celé město" in page and "Vote in Jih" in page and "Vote in Sever" not in page
    assert "Choose projects up to" in page and "Choose at most 2 projects." in page

    # The ballot: a labelled checkbox per project, the list and the total.
    response = voter.get(ballot_url(cycle, city))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'<label for="p-{bridge.id}">Lávka přes řeku</label>' in page
    assert "Check my ballot" in page and "Review my ballot" in page

    # "Check my ballot" without JavaScript: every problem, every choice kept.
    choices = {f"p-{bridge.id}": "1", f"p-{benches.id}": "1", f"p-{fountain.id}": "1"}
    response = voter.post(ballot_url(cycle, city), {"action": "check", **choices})
    assert response.status_code == 200
    page = page_text(response)
    assert "Your ballot cannot be cast like this:" in page
    assert "more than the pool's" in page and "Choose at most 2 projects." in page
    assert "Projects chosen: 3." in page
    assert all(checked(response, p) for p in (bridge, benches, fountain))

    # Too little: under half the pool.
    response = voter.post(ballot_url(cycle, city), {"action": "check", f"p-{fountain.id}": "1"})
    assert "choose projects worth at least" in page_text(response)
    assert checked(response, fountain) and not checked(response, bridge)

    # A valid ballot: checked, reviewed, changed, reviewed again, cast.
    good = {f"p-{bridge.id}": "1", f"p-{fountain.id}": "1"}
    response = voter.post(ballot_url(cycle, city), {"action": "check", **good})
    page = page_text(response)
    assert "Your ballot is valid." in page and "cannot be cast" not in page
    assert "They cost CZK800.00 of the pool's CZK1,000.00." in page
    response = voter.post(ballot_url(cycle, city), {"action": "review", **good})
    page = page_text(response)
    assert "Review my ballot: Celé město" in page
    assert "Lávka přes řeku" in page and "Pítko" in page and "Nové lavičky" not in page
    assert "Cast my ballot" in page and "Change" in page
    response = voter.post(ballot_url(cycle, city), {"action": "change", **good})
    assert checked(response, bridge) and checked(response, fountain)
    assert count_ballots(city) == 0  # nothing cast before "Cast my ballot"
    response = cast(voter, cycle, city, good)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"  # the code is shown once
    page = page_text(response)
    receipt = receipt_of(response)
    assert "Your ballot is cast" in page
    assert "Keep it: with it you can check that your ballot was counted." in page
    assert "change your ballot until" not in page  # this pool is not changeable
    assert "Vote in your other pools" in page  # Jih is still open to this voter
    assert count_ballots(city) == 1
    # The page is all that holds the code: not the session beside who voted.
    assert receipt.replace("-", "") not in decoded_session(voter).replace("-", "")

    # The receipt is counted; a made-up one is not.
    response = voter.post(f"/lipnice/budget/{cycle.id}/receipt", {"receipt": receipt.lower()})
    assert "Your ballot is counted in Celé město." in page_text(response)
    assert "Change my ballot" not in page_text(response)
    response = anonymous.post(
        f"/lipnice/budget/{cycle.id}/receipt", {"receipt": "AAAA-BBBB-CCCC-DDDD"}
    )
    assert "No ballot in Rozpočet 2026 has this receipt code." in page_text(response)

    # A second ballot in the same pool: refused, on the pools page and when cast.
    page = voter.page(vote_url(cycle))
    assert "You have voted in this pool." in page
    assert "Vote in Jih" in page  # the other pools stay open after a cast
    response = voter.get(ballot_url(cycle, city), follow_redirects=True)
    assert "You have already voted in this pool." in page_text(response)
    response = voter.post(
        ballot_url(cycle, city), {"action": "cast", f"p-{benches.id}": "1", f"p-{fountain.id}": "1"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(vote_url(cycle))
    page = voter.page(vote_url(cycle))
    assert "You have already voted in this pool." in page
    assert "You have voted in this pool." in page
    # Proving again changes nothing: the roll remembers, and the pools page says so.
    voter.post(vote_url(cycle), {"district": str(town.districts["Jih"].id), "birth_year": "1980"})
    response = voter.post(ballot_url(cycle, city), {"action": "cast", **good})
    assert response.status_code == 303
    assert count_ballots(city) == 1
    page = voter.page(vote_url(cycle))
    assert "You have already voted in this pool." in page
    assert "You have voted in this pool." in page

    # Not the voter's district's pool.
    sever_pool = next(p for p in cycle.pools if p.name == "Sever")
    response = voter.get(ballot_url(cycle, sever_pool), follow_redirects=True)
    assert "You may not vote in this pool." in page_text(response)


def test_an_unconfirmed_account_is_asked_to_confirm(app, town, email_cycle):
    cycle = email_cycle[0]
    person = make_user(municipality=town.municipality, confirmed=False)
    page = Browser(app, person).page(vote_url(cycle))
    assert "Confirm your email address before voting" in page


def test_the_ballot_needs_who_you_are_first(app, town, email_cycle):
    cycle, city = email_cycle[0], email_cycle[1]
    person = make_user(municipality=town.municipality)
    response = Browser(app, person).get(ballot_url(cycle, city), follow_redirects=True)
    assert "First tell us who you are" in page_text(response)
    assert "Year of birth" in page_text(response)


def test_another_person_in_the_same_browser_is_not_the_voter(app, town, email_cycle):
    cycle, city = email_cycle[0], email_cycle[1]
    first = make_user(municipality=town.municipality)
    second = make_user(municipality=town.municipality)
    browser = Browser(app, first)
    browser.post(vote_url(cycle), {"district": str(town.districts["Jih"].id), "birth_year": "1980"})
    browser.client.post("/account/logout", data={"csrf_token": browser.token})
    browser.post("/account/login", {"email": second.email, "password": "correct horse battery"})
    response = browser.get(ballot_url(cycle, city))
    assert response.status_code == 302 and response.location.endswith(vote_url(cycle))


# --- codes: k-approval ---------------------------------------------------------------------------


@pytest.fixture
def code_cycle(town):
    cycle = make_cycle(town.municipality, verification=Verification.CODE, title="Kódy")
    pool = make_pool(cycle, method="k_approval", k=2, amount=Decimal("1000"))
    projects = [make_project(pool, cost="100", title=f"Projekt {n}") for n in "ABC"]
    db.session.refresh(cycle)
    codes = s.generate_voting_codes(cycle, 3, "dopisy", None)
    s.mark_codes_printed(cycle, "dopisy", None)  # as the office does once letters are out
    return cycle, pool, projects, codes


def test_a_code_voter_votes_by_k_approval_and_keeps_no_code_anywhere(app, town, code_cycle):
    cycle, pool, (a, b, c), codes = code_cycle
    voter = Browser(app)
    page = voter.page(vote_url(cycle))
    assert "Voting code" in page and "letter" in page
    response = voter.post(vote_url(cycle), {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 422
    assert "This voting code is not valid." in page_text(response)
    assert 'value="AAAA-BBBB-CCCC"' in response.get_data(as_text=True)  # kept as typed
    response = voter.post(vote_url(cycle), {"code": codes[0].lower().replace("-", " ")})
    assert response.status_code == 302
    page = voter.page(vote_url(cycle))
    assert "2 votes: choose up to 2 projects." in page

    everything = {f"p-{p.id}": "1" for p in (a, b, c)}
    response = voter.post(ballot_url(cycle, pool), {"action": "check", **everything})
    page = page_text(response)
    assert "Choose at most 2 projects." in page and "Votes used: 3 of 2." in page
    assert all(checked(response, p) for p in (a, b, c))
    response = voter.post(ballot_url(cycle, pool), {"action": "review", **everything})
    assert response.status_code == 422  # review refused with the same problems
    assert "Choose at most 2 projects." in page_text(response)
    two = {f"p-{a.id}": "1", f"p-{c.id}": "1"}
    response = voter.post(ballot_url(cycle, pool), {"action": "review", **two})
    assert "Votes used: 2 of 2." in page_text(response)
    response = cast(voter, cycle, pool, two)
    receipt = receipt_of(response)
    response = voter.post(f"/lipnice/budget/{cycle.id}/receipt", {"receipt": receipt})
    assert "Your ballot is counted" in page_text(response)

    # The code is used: a second browser with it is refused.
    other = Browser(app)
    response = other.post(vote_url(cycle), {"code": codes[0]})
    assert "This voting code has already been used." in page_text(response)
    assert count_ballots(pool) == 1
    assert_nowhere(voter, *codes)
    assert_nowhere(other, *codes)


# --- the register: points ------------------------------------------------------------------------


def put_in_register(town, *rows):
    m = town.municipality
    core_services.ensure_register_key(m)
    lines = ["id_hash;district_code;birth_year"] + [
        f"{core_services.register_hash_of(m, i)};{d};{y}" for i, d, y in rows
    ]
    assert not core_services.import_register(m, "\n".join(lines), {"STR", "SEV", "JIH"}).errors


@pytest.fixture
def register_cycle(town):
    cycle = make_cycle(town.municipality, verification=Verification.REGISTER, title="Registr")
    pool = make_pool(cycle, method="points", points=10, points_cap=3, amount=Decimal("900"))
    projects = [make_project(pool, cost="300", title=f"Bod {n}") for n in "ABCD"]
    db.session.refresh(cycle)
    put_in_register(town, ("8001011234", "JIH", 1980), ("0501011234", "SEV", THIS_YEAR - 5))
    return cycle, pool, projects


def test_a_register_voter_gives_points_and_the_identifier_is_never_kept(app, town, register_cycle):
    cycle, pool, (a, b, c, d) = register_cycle
    voter = Browser(app)
    page = voter.page(vote_url(cycle))
    assert "Your identifier" in page
    assert "The identifier itself is not stored anywhere." in page
    response = voter.post(vote_url(cycle), {"identifier": "1111111111"})
    assert "This identifier is not in the register of residents." in page_text(response)
    response = voter.post(vote_url(cycle), {"identifier": "0501011234"})
    assert "You must be at least 15 years old" in page_text(response)
    response = voter.post(vote_url(cycle), {"identifier": "800101/1234"})
    assert response.status_code == 302
    page = voter.page(vote_url(cycle))
    assert "10 points to give" in page and "At most 3 points per project." in page

    response = voter.get(ballot_url(cycle, pool))
    html = response.get_data(as_text=True)
    assert f'<label for="p-{a.id}">Points for Bod A</label>' in html
    assert 'class="points-input"' in html and 'inputmode="numeric"' in html
    assert "0 to 3 points" in html
    # Over the cap and a word instead of a number: told, and kept as typed.
    response = voter.post(ballot_url(cycle, pool), {"action": "check", f"p-{a.id}": "4"})
    assert "Bod A: At most 3 points per project." in page_text(response)
    assert checked(response, a, "4")
    response = voter.post(
        ballot_url(cycle, pool), {"action": "check", f"p-{a.id}": "3", f"p-{b.id}": "tři"}
    )
    assert "Enter whole numbers only." in page_text(response)
    assert checked(response, a, "3") and checked(response, b, "tři")
    ballot = {f"p-{a.id}": "3", f"p-{b.id}": "3", f"p-{c.id}": "3", f"p-{d.id}": "2"}
    response = voter.post(ballot_url(cycle, pool), {"action": "check", **ballot})
    page = page_text(response)
    assert "You gave 11 points; you have 10." in page and "Points used: 11 of 10." in page
    ballot[f"p-{d.id}"] = "1"
    response = voter.post(ballot_url(cycle, pool), {"action": "review", **ballot})
    page = page_text(response)
    assert "3 points" in page and "1 point" in page and "Points used: 10 of 10." in page
    response = cast(voter, cycle, pool, ballot)
    assert response.status_code == 200 and receipt_of(response)
    [stored] = db.session.scalars(select(Ballot).where(Ballot.pool_id == pool.id))
    assert sorted(line.value for line in stored.lines) == [1, 3, 3, 3]
    assert_nowhere(voter, "8001011234", "800101/1234")


def control(response, control_id: str) -> dict:
    """The attributes of the element with this id (one, as ids are unique)."""
    [attrs] = [a for _tag, a in elements(response) if a.get("id") == control_id]
    return attrs


def said_beside(response, project) -> str | None:
    """The problem shown beside the project's control, as read (without markup)."""
    page = page_text(response)
    match = re.search(rf'<p class="error" id="p-{project.id}-error">(.*?)</p>', page, re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip() if match else None


def summary_links(response) -> list[tuple[str, str]]:
    """(target, text) of each link in the list of problems at the top."""
    page = page_text(response)
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary, "no list of problems"
    return re.findall(r'<a href="#([^"]+)">([^<]*)</a>', summary.group(0))


def test_a_problem_about_one_project_is_beside_its_control_and_linked_from_the_top(
    app, town, register_cycle
):
    cycle, pool, (a, b, c, d) = register_cycle
    voter = Browser(app)
    assert voter.post(vote_url(cycle), {"identifier": "800101/1234"}).status_code == 302
    sent = {f"p-{a.id}": "4", f"p-{b.id}": "-1", f"p-{c.id}": "2"}
    # "Check my ballot" with a filter that hides A and B: shown all the same.
    response = voter.post(ballot_url(cycle, pool), {"action": "check", "q": "Bod C", **sent})
    refusals = ((response, 200), (cast(voter, cycle, pool, sent), 422))  # and the cast's
    for refused, status in refusals:
        assert refused.status_code == status
        for project, said in (
            (a, "Error: At most 3 points per project."),
            (b, "Error: Points cannot be negative."),
        ):
            attrs = control(refused, f"p-{project.id}")
            assert attrs.get("aria-invalid") == "true"
            assert f"p-{project.id}-error" in attrs["aria-describedby"].split()
            assert said_beside(refused, project) == said
        assert "aria-invalid" not in control(refused, f"p-{c.id}")
        assert said_beside(refused, c) is None
        assert summary_links(refused) == [
            (f"p-{a.id}", "Bod A: At most 3 points per project."),
            (f"p-{b.id}", "Bod B: Points cannot be negative."),
        ]
        assert checked(refused, a, "4") and checked(refused, b, "-1") and checked(refused, c, "2")
    assert count_ballots(pool) == 0

    # A word instead of a number: beside its project too, kept as typed.
    response = voter.post(ballot_url(cycle, pool), {"action": "check", f"p-{d.id}": "tři"})
    assert control(response, f"p-{d.id}").get("aria-invalid") == "true"
    assert said_beside(response, d) == "Error: Enter whole numbers only."
    assert summary_links(response) == [(f"p-{d.id}", "Bod D: Enter whole numbers only.")]
    assert checked(response, d, "tři")
    # With other projects' own problems too, all are said in one round (the word hid them).
    response = voter.post(ballot_url(cycle, pool), {"action": "check", **sent, f"p-{d.id}": "2.5"})
    assert summary_links(response) == [
        (f"p-{d.id}", "Bod D: Enter whole numbers only."),
        (f"p-{a.id}", "Bod A: At most 3 points per project."),
        (f"p-{b.id}", "Bod B: Points cannot be negative."),
    ]

    # What is about the whole ballot stays at the top, no control marked.
    too_many = {f"p-{p.id}": "3" for p in (a, b, c, d)}
    response = voter.post(ballot_url(cycle, pool), {"action": "check", **too_many})
    assert "You gave 12 points; you have 10." in page_text(response)
    assert summary_links(response) == []
    assert not [x for _tag, x in elements(response) if "aria-invalid" in x]


def test_a_minus_vote_in_a_pool_without_minus_votes_is_beside_its_project(app, town):
    cycle = make_cycle(town.municipality, verification=Verification.CODE)
    pool = make_pool(cycle, method="d21", plus_votes=3, minus_votes=0, amount=Decimal("900"))
    a, b, c = (make_project(pool, cost="100", title=f"D21 {n}") for n in "ABC")
    db.session.refresh(cycle)
    [code] = s.generate_voting_codes(cycle, 1, "d21", None)
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": code})
    sent = {f"p-{a.id}": "1", f"p-{b.id}": "1", f"p-{c.id}": "-1"}
    response = voter.post(ballot_url(cycle, pool), {"action": "check", **sent})
    assert said_beside(response, c) == "Error: This pool has no minus votes."
    for choice in ("none", "plus"):
        assert control(response, f"p-{c.id}-{choice}").get("aria-invalid") == "true"
        assert "aria-invalid" not in control(response, f"p-{a.id}-{choice}")
    [fieldset] = [
        x for tag, x in elements(response) if tag == "fieldset" and f"p-{c.id}-cost" in str(x)
    ]
    assert f"p-{c.id}-error" in fieldset["aria-describedby"].split()
    assert summary_links(response) == [(f"p-{c.id}-none", "D21 C: This pool has no minus votes.")]
    assert checked(response, a, "1") and checked(response, b, "1")


# --- D21 -----------------------------------------------------------------------------------------


def test_a_d21_ballot_refuses_a_minus_vote_before_two_plus_votes(app, town):
    cycle = make_cycle(town.municipality, verification=Verification.CODE)
    pool = make_pool(cycle, method="d21", plus_votes=3, minus_votes=1, amount=Decimal("900"))
    a, b, c, d = (make_project(pool, cost="100", title=f"D21 {n}") for n in "ABCD")
    db.session.refresh(cycle)
    [code] = s.generate_voting_codes(cycle, 1, "d21", None)
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": code})
    page = voter.page(vote_url(cycle))
    assert "3 plus votes and 1 minus vote; a minus vote only after two plus votes" in page

    response = voter.get(ballot_url(cycle, pool))
    html = response.get_data(as_text=True)
    assert "<legend>D21 A</legend>" in html
    for choice, label in (("none", "No vote"), ("plus", "Plus vote"), ("minus", "Minus vote")):
        assert f'<label for="p-{a.id}-{choice}">{label}</label>' in html
    early = {f"p-{a.id}": "1", f"p-{b.id}": "-1", f"p-{c.id}": ""}
    response = voter.post(ballot_url(cycle, pool), {"action": "check", **early})
    page = page_text(response)
    assert "A minus vote needs at least two plus votes first." in page
    assert "aria-invalid" not in page  # about the whole ballot, not one project
    assert "Plus votes used: 1 of 3. Minus votes used: 1 of 1." in page
    assert checked(response, a, "1") and checked(response, b, "-1") and checked(response, c, "")
    response = cast(voter, cycle, pool, early)
    assert response.status_code == 422 and count_ballots(pool) == 0
    assert "A minus vote needs at least two plus votes first." in page_text(response)
    assert checked(response, a, "1") and checked(response, b, "-1")  # nothing lost
    good = {f"p-{a.id}": "1", f"p-{c.id}": "1", f"p-{b.id}": "-1"}
    response = voter.post(ballot_url(cycle, pool), {"action": "review", **good})
    page = page_text(response)
    assert "Plus vote" in page and "Minus vote" in page
    response = cast(voter, cycle, pool, good)
    assert receipt_of(response)
    [stored] = db.session.scalars(select(Ballot).where(Ballot.pool_id == pool.id))
    assert {line.project_id: line.value for line in stored.lines} == {a.id: 1, c.id: 1, b.id: -1}


def forgotten_in_another_tab(voter, cycle):
    """ "Not you? Forget…" pressed in another tab of the same browser."""
    response = voter.post(f"{vote_url(cycle)}/forget")
    assert response.status_code == 302


def logged_out_in_another_tab(voter, cycle):
    voter.post("/account/logout")


def expired(voter, cycle):
    from participation.budget import views

    with voter.client.session_transaction() as session:
        voters = session["budget_voters"]
        voters[str(cycle.id)]["t"] -= views.VOTER_MAX_AGE + 1
        session["budget_voters"] = voters


@pytest.mark.parametrize(
    "forgotten", [forgotten_in_another_tab, logged_out_in_another_tab, expired]
)
@pytest.mark.parametrize("action", ["check", "review", "cast"])
def test_choices_stay_on_the_ballot_when_the_browser_forgot_the_voter(
    app, town, email_cycle, forgotten, action
):
    cycle, city, jih, (bridge, benches, fountain) = email_cycle
    person = make_user(municipality=town.municipality)
    voter = Browser(app, person)
    voter.post(vote_url(cycle), {"district": str(town.districts["Jih"].id), "birth_year": "1980"})
    assert voter.get(ballot_url(cycle, city)).status_code == 200
    forgotten(voter, cycle)
    choices = {f"p-{bridge.id}": "1", f"p-{fountain.id}": "1"}
    response = voter.post(ballot_url(cycle, city), {"action": action, **choices})
    assert response.status_code == 403
    page = page_text(response)
    assert "This browser does not know who you are" in page and "nothing has been cast" in page
    assert checked(response, bridge) and checked(response, fountain)
    assert not checked(response, benches)
    # The way to prove it opens beside the ballot, which keeps working from the same page.
    assert re.search(
        rf'<a href="{vote_url(cycle)}" target="_blank" rel="noopener">Prove who you are',
        response.get_data(as_text=True),
    )
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    assert count_ballots(city) == 0
    if forgotten is logged_out_in_another_tab:
        voter.post("/account/login", {"email": person.email, "password": "correct horse battery"})
    voter.post(vote_url(cycle), {"district": str(town.districts["Jih"].id), "birth_year": "1980"})
    assert receipt_of(cast(voter, cycle, city, choices))
    assert count_ballots(city) == 1


@pytest.mark.parametrize("typed", ["3_0", "٣", "９", "+3", "3.0", "1e1", "- 3", "--1"])
def test_ballot_values_are_whole_numbers_written_in_digits(app, town, register_cycle, typed):
    cycle, pool, (a, b, c, d) = register_cycle
    voter = Browser(app)
    voter.post(vote_url(cycle), {"identifier": "8001011234"})
    for action in ("check", "review", "cast"):
        sent = {"action": action, f"p-{a.id}": "3", f"p-{b.id}": typed}
        response = voter.post(ballot_url(cycle, pool), sent)
        assert response.status_code == (200 if action == "check" else 422), action
        assert "Enter whole numbers only." in page_text(response)
        assert checked(response, a, "3") and checked(response, b, typed)
    assert count_ballots(pool) == 0
    # Spaces around the digits are not part of the number.
    response = cast(voter, cycle, pool, {f"p-{a.id}": " 2 ", f"p-{b.id}": "3"})
    assert receipt_of(response)
    [stored] = db.session.scalars(select(Ballot).where(Ballot.pool_id == pool.id))
    assert {line.project_id: line.value for line in stored.lines} == {a.id: 2, b.id: 3}


def czech(browser):
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cs"
    return browser


def test_too_long_and_wrong_entries_are_told_in_the_pages_language(app, town, code_cycle):
    cycle, pool, projects, codes = code_cycle
    voter = czech(Browser(app))
    response = voter.post(vote_url(cycle), {"code": "A" * 45})
    assert response.status_code == 422
    page = page_text(response)
    assert "Zadejte nejvýše 40 znaků." in page and "Field cannot be longer" not in page
    response = voter.post(f"/lipnice/budget/{cycle.id}/receipt", {"receipt": "B" * 45})
    assert response.status_code == 422
    page = page_text(response)
    assert "Zadejte nejvýše 40 znaků." in page and "Field cannot be longer" not in page


def test_a_register_identifier_too_long_is_told_in_czech(app, town, register_cycle):
    cycle = register_cycle[0]
    response = czech(Browser(app)).post(vote_url(cycle), {"identifier": "1" * 61})
    assert response.status_code == 422
    assert "Zadejte nejvýše 60 znaků." in page_text(response)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "Rok napište číslicemi, například 1984."),
        ("abc", "Rok napište číslicemi, například 1984."),
        ("1850", "Zadejte rok od 1900 do 2100."),
    ],
)
def test_a_birth_year_gets_one_message_in_the_pages_language(
    app, town, email_cycle, typed, message
):
    cycle = email_cycle[0]
    voter = czech(Browser(app, make_user(municipality=town.municipality)))
    sent = {"district": str(town.districts["Jih"].id), "birth_year": typed}
    response = voter.post(vote_url(cycle), sent)
    assert response.status_code == 422
    page = page_text(response)
    assert message in page
    [shown] = re.findall(r'id="birth_year-error"><span[^>]*>[^<]*</span>(.*?)</p>', page)
    assert shown == message  # one message, not also the range's
    assert f'value="{typed}"' in page  # kept as typed


def test_the_review_page_asks_to_change_in_the_imperative(app, town, code_cycle):
    cycle, pool, (a, b, c), codes = code_cycle
    voter = czech(Browser(app))
    voter.post(vote_url(cycle), {"code": codes[0]})
    response = voter.post(ballot_url(cycle, pool), {"action": "review", f"p-{a.id}": "1"})
    assert re.search(
        r'value="change" class="button secondary">Změnit</button>', page_text(response)
    )


def test_a_code_voter_is_told_what_choosing_a_district_adds(app, town, code_cycle):
    cycle = code_cycle[0]
    make_pool(cycle, district=town.districts["Jih"], method="k_approval", k=1)
    db.session.refresh(cycle)
    page = Browser(app).page(vote_url(cycle))
    assert "Choosing your district adds its pool to the pools for the whole town." in page


# --- the closing time ----------------------------------------------------------------------------


def test_a_ballot_cast_after_the_close_is_refused(app, town, code_cycle):
    cycle, pool, (a, b, c), codes = code_cycle
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": codes[1]})
    response = voter.post(ballot_url(cycle, pool), {"action": "review", f"p-{a.id}": "1"})
    assert "Cast my ballot" in page_text(response)
    # The clock passes the close while the voter reads the review page.
    cycle.voting_closes_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    response = cast(voter, cycle, pool, {f"p-{a.id}": "1"})
    assert response.status_code == 403
    page = page_text(response)
    assert "Voting is not open" in page and "Voting closed on" in page
    assert count_ballots(pool) == 0
    assert voter.get(vote_url(cycle)).status_code == 403


def test_who_is_voting_is_forgotten_after_two_hours_and_nothing_is_cast(app, town, code_cycle):
    from participation.budget import views

    cycle, pool, (a, b, c), codes = code_cycle
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": codes[1]})
    with voter.client.session_transaction() as session:
        voters = session["budget_voters"]
        voters[str(cycle.id)]["t"] -= views.VOTER_MAX_AGE + 1
        session["budget_voters"] = voters
    response = cast(voter, cycle, pool, {f"p-{a.id}": "1"})
    # The ballot again, the choice kept, and the way to prove it (nothing cast).
    assert response.status_code == 403
    assert "This browser does not know who you are" in page_text(response)
    assert checked(response, a)
    assert count_ballots(pool) == 0
    assert "code:" not in decoded_session(voter)  # the expired voter is gone from the session
    # Proving it again is enough (the code is still unused).
    voter.post(vote_url(cycle), {"code": codes[1]})
    assert receipt_of(cast(voter, cycle, pool, {f"p-{a.id}": "1"}))
    assert count_ballots(pool) == 1


def test_a_cast_without_the_sessions_csrf_token_is_refused_and_writes_nothing(
    app, town, code_cycle
):
    # The cast builds no form: the app-wide CSRF check before the view is its guard.
    cycle, pool, (a, b, c), codes = code_cycle
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": codes[2]})
    ballot = {"action": "cast", f"p-{a.id}": "1"}
    for sent in (ballot, {"csrf_token": "forged", **ballot}):
        response = voter.client.post(ballot_url(cycle, pool), data=sent)
        assert response.status_code == 400
    assert count_ballots(pool) == 0
    assert not db.session.scalar(select(Voter).where(Voter.pool_id == pool.id))
    receipt_of(cast(voter, cycle, pool, {f"p-{a.id}": "1"}))  # with the token it goes in
    assert count_ballots(pool) == 1


def test_controls_that_name_no_project_are_not_read(app, town, code_cycle):
    # "²" is a digit to str.isdigit and not a number to int(); int() refuses 5,000 digits.
    cycle, pool, (a, b, c), codes = code_cycle
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": codes[2]})
    odd = {"p-²": "1", f"p-{'1' * 5000}": "1", f"p-{'9' * 20}": "1"}
    # With a value that is no number, the ballot's own steps answer (the review again).
    response = cast(voter, cycle, pool, {f"p-{a.id}": "x", **odd})
    assert response.status_code == 422 and count_ballots(pool) == 0
    response = cast(voter, cycle, pool, {f"p-{a.id}": "1", **odd})
    assert s.ballot_values(pool, receipt_of(response)) == {a.id: 1}


def test_the_service_refuses_at_the_close_even_past_the_page_checks(
    app, town, code_cycle, monkeypatch
):
    """The server's clock decides in the service itself: if the phase changes between the
    page's check and the cast, the service's own refusal is shown."""
    cycle, pool, (a, b, c), codes = code_cycle
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": codes[2]})
    from participation.budget import views

    monkeypatch.setattr(views.can, "can_vote", lambda user, pool: True)
    monkeypatch.setattr(views.can, "can_cast", lambda user, rules: True)
    cycle.voting_closes_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    response = cast(voter, cycle, pool, {f"p-{a.id}": "1"})
    assert response.status_code == 403
    assert "Voting is not open." in page_text(response)
    assert count_ballots(pool) == 0


# --- changing a ballot by its receipt ------------------------------------------------------------


def test_a_changeable_ballot_is_changed_by_its_receipt(app, town):
    cycle = make_cycle(town.municipality, verification=Verification.CODE)
    pool = make_pool(cycle, amount=Decimal("500"), changeable=True, name="Měnitelný")
    a = make_project(pool, cost="300", title="První")
    b = make_project(pool, cost="200", title="Druhý")
    db.session.refresh(cycle)
    [code] = s.generate_voting_codes(cycle, 1, "zmena", None)
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": code})
    response = cast(voter, cycle, pool, {f"p-{a.id}": "1"})
    page = page_text(response)
    assert "With it you can also change your ballot until" in page
    receipt = receipt_of(response)

    # Later, in another browser, with the receipt only.
    later = Browser(app)
    receipt_url = f"/lipnice/budget/{cycle.id}/receipt"
    response = later.post(receipt_url, {"receipt": receipt})
    page = page_text(response)
    assert "Your ballot is counted in Měnitelný." in page and "Change my ballot" in page
    change_url = f"/lipnice/budget/{cycle.id}/receipt/change"
    response = later.post(change_url, {"receipt": receipt})
    assert response.status_code == 200
    assert "Change my ballot: Měnitelný" in page_text(response)
    assert checked(response, a) and not checked(response, b)
    response = later.post(
        change_url,
        {"receipt": receipt, "action": "check", f"p-{a.id}": "1", f"p-{b.id}": "1"},
    )
    assert "Your ballot is valid." in page_text(response)
    response = later.post(change_url, {"receipt": receipt, "action": "review", f"p-{b.id}": "1"})
    assert "Save my changed ballot" in page_text(response)
    response = later.post(change_url, {"receipt": receipt, "action": "cast", f"p-{b.id}": "1"})
    assert "Your ballot is changed" in page_text(response)
    assert s.ballot_values(pool, receipt) == {b.id: 1}
    assert count_ballots(pool) == 1
    # A wrong receipt finds nothing to change.
    response = later.post(change_url, {"receipt": "AAAA-AAAA-AAAA-AAAA"}, follow_redirects=True)
    assert "No ballot has this receipt code." in page_text(response)


def test_a_ballot_in_a_pool_that_is_not_changeable_cannot_be_changed(app, town, code_cycle):
    cycle, pool, (a, b, c), codes = code_cycle
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": codes[0]})
    receipt = receipt_of(cast(voter, cycle, pool, {f"p-{a.id}": "1"}))
    response = voter.post(
        f"/lipnice/budget/{cycle.id}/receipt/change", {"receipt": receipt}, follow_redirects=True
    )
    assert "Ballots in this pool cannot be changed." in page_text(response)


# --- who may see the vote ------------------------------------------------------------------------


def test_voting_pages_of_unpublished_cycles_and_other_towns_are_not_found(app, town):
    from tests.ideas.helpers import make_town

    draft = make_cycle(town.municipality, published=False)
    pool = make_pool(draft)
    other = make_town("jinde")
    foreign = make_cycle(other.municipality, verification=Verification.CODE)
    foreign_pool = make_pool(foreign)
    project = make_project(foreign_pool)
    db.session.refresh(foreign)
    [code] = s.generate_voting_codes(foreign, 1, "jinde", None)
    visitor = Browser(app)
    for url in (
        vote_url(draft),
        ballot_url(draft, pool),
        vote_url(foreign),
        ballot_url(foreign, foreign_pool),
        f"/lipnice/budget/{foreign.id}/receipt",
    ):
        assert visitor.get(url).status_code == 404, url
    # The cast reads the cycle and the pool in its own query: scoped the same.
    for url in (ballot_url(draft, pool), ballot_url(foreign, foreign_pool)):
        assert visitor.post(url, {"action": "cast"}).status_code == 404, url
    # An id past PostgreSQL's integer or SQLite's is no page either (not a database error).
    for huge in (str(2**31), "9" * 20):
        assert visitor.get(f"/lipnice/budget/{huge}/vote").status_code == 404
        response = visitor.post(f"/lipnice/budget/{draft.id}/vote/{huge}", {"action": "cast"})
        assert response.status_code == 404
    own = f"/jinde/budget/{foreign.id}/vote/{foreign_pool.id}"
    response = visitor.post(own, {"action": "cast"})
    assert response.status_code == 403  # first, who you are
    assert "This browser does not know who you are" in page_text(response)
    assert not db.session.scalar(select(Voter.id))
    # A voter of the other town, casting their own pool under this town's address: not
    # found, nothing written; under their town's address it goes in.
    voter = Browser(app)
    voter.post(f"/jinde/budget/{foreign.id}/vote", {"code": code})
    ballot = {"action": "cast", f"p-{project.id}": "1"}
    assert voter.post(ballot_url(foreign, foreign_pool), ballot).status_code == 404
    assert not db.session.scalar(select(Voter.id))
    assert receipt_of(voter.post(own, ballot))
    assert count_ballots(foreign_pool) == 1


def test_voting_before_it_opens_is_not_offered(app, town):
    cycle = make_cycle(town.municipality, phase="preparation")
    make_pool(cycle)
    db.session.refresh(cycle)
    response = Browser(app).get(vote_url(cycle))
    assert response.status_code == 403
    assert "Voting opens on" in page_text(response)


def test_residence_in_the_town_lets_a_register_voter_choose_a_district(app, town):
    cycle = make_cycle(
        town.municipality, verification=Verification.REGISTER, residence=Residence.MUNICIPALITY
    )
    make_pool(cycle, name="Město")
    sever = make_pool(cycle, district=town.districts["Sever"], name="Sever")
    db.session.refresh(cycle)
    put_in_register(town, ("7001011234", "JIH", 1970))
    voter = Browser(app)
    assert "The district you vote in" in voter.page(vote_url(cycle))
    voter.post(
        vote_url(cycle), {"identifier": "7001011234", "district": str(town.districts["Sever"].id)}
    )
    page = voter.page(vote_url(cycle))
    assert "Vote in Sever" in page and "Your district: Sever." in page
    assert voter.get(ballot_url(cycle, sever)).status_code == 200


def test_the_roll_and_the_ballots_hold_only_hashes(app, town, code_cycle):
    cycle, pool, (a, b, c), codes = code_cycle
    voter = Browser(app)
    voter.post(vote_url(cycle), {"code": codes[0]})
    cast(voter, cycle, pool, {f"p-{a.id}": "1"})
    keys = list(db.session.scalars(select(Voter.voter_key).where(Voter.pool_id == pool.id)))
    assert len(keys) == 1 and keys[0].startswith("code:") and len(keys[0]) == 5 + 64
    assert db.session.execute(text("SELECT 1")).scalar() == 1

"""What staff type is checked before it is saved: money amounts the database can hold,
a project's place against its pool's district, method names in the page's language,
files that must not replace data without being asked (an empty or unreadable register,
an empty Pabulib file) and destructive buttons that ask first."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from participation.budget import services as s
from participation.budget import voting
from participation.budget.models import (
    Ballot,
    Cycle,
    Pool,
    Project,
    ProjectImage,
    Verification,
    Voter,
)
from participation.core import services as core_services
from participation.core.models import Country, Role, VotingCode, utcnow
from participation.extensions import db
from participation.ideas.rules import IdeaStatus
from tests.budget.test_admin import cycle_form, newest, pool_form
from tests.budget.test_admin_voting import PB_FILE, audit_actions, register, upload
from tests.factories import (
    make_call,
    make_cycle,
    make_idea,
    make_municipality,
    make_pool,
    make_project,
    make_user,
)
from tests.ideas.helpers import IN_STRED, Browser, field_value, png_with_text, text

BASE = "/lipnice/budget/manage"
HEADER = "id_hash;district_code;birth_year"
TOO_MUCH = ("1e30", "1000000000000", "NaN", "Infinity", "sNaN")


@pytest.fixture
def staff(app, coordinator):
    return Browser(app, coordinator)


# --- money -------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", TOO_MUCH)
def test_a_pool_amount_the_database_cannot_hold_is_refused_and_kept(app, town, staff, amount):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    response = staff.post(f"{BASE}/{cycle.id}/pools/new", pool_form(amount=amount))
    assert response.status_code == 422
    page = text(response)
    assert "Enter at most 999,999,999,999.99." in page or "Enter a number." in page
    assert field_value(response, "amount") == amount
    assert db.session.scalar(select(func.count()).select_from(Pool)) == 0
    assert "Pools" in staff.page(f"{BASE}/{cycle.id}")


def test_the_largest_amount_is_saved_and_shown(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    response = staff.post(f"{BASE}/{cycle.id}/pools/new", pool_form(amount="999999999999.99"))
    assert response.status_code == 302
    assert newest(Pool).amount == Decimal("999999999999.99")
    assert "999" in staff.page(f"{BASE}/{cycle.id}")


@pytest.mark.parametrize("cost", TOO_MUCH)
def test_a_project_cost_the_database_cannot_hold_is_refused_and_kept(app, town, staff, cost):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    data = {"title": "Lavičky", "cost": cost, "pool": str(pool.id), "district": ""}
    response = staff.post(f"{BASE}/{cycle.id}/projects/new", data)
    assert response.status_code == 422
    assert "Enter at most 999,999,999,999.99." in text(response) or "Enter a number." in text(
        response
    )
    assert field_value(response, "cost") == cost
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0
    assert staff.get(f"{BASE}/{cycle.id}/projects").status_code == 200


def test_a_cost_from_an_idea_the_database_cannot_hold_is_refused(app, town, staff):
    call = make_call(town.municipality)
    idea = make_idea(call, None, title="Lavičky", status=IdeaStatus.ACCEPTED)
    cycle = make_cycle(town.municipality, phase="preparation", idea_call_id=call.id)
    pool = make_pool(cycle)
    response = staff.post(
        f"{BASE}/{cycle.id}/projects/from-ideas",
        {f"take_{idea.id}": "y", f"pool_{idea.id}": str(pool.id), f"cost_{idea.id}": "1e25"},
    )
    assert response.status_code == 422
    assert "Enter at most 999,999,999,999.99." in text(response)
    assert field_value(response, f"cost_{idea.id}") == "1e25"
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


@pytest.mark.parametrize("expenditure", ("1e40", "NaN"))
def test_a_polish_expenditure_the_database_cannot_hold_is_refused(app, expenditure):
    city = make_municipality(
        slug="krakow",
        name="Kraków",
        country=Country.PL,
        currency="PLN",
        default_language="pl",
        timezone="Europe/Warsaw",
    )
    browser = Browser(app, make_user(municipality=city, roles=(Role.COORDINATOR,)))
    response = browser.post(
        "/krakow/budget/manage/new", cycle_form(expenditure=expenditure, verification="email")
    )
    assert response.status_code == 422
    assert "Enter at most 999,999,999,999.99." in text(response) or "Enter a number." in text(
        response
    )
    assert field_value(response, "expenditure") == expenditure
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0


def test_services_refuse_amounts_the_database_cannot_hold(app, town):
    cycle = make_cycle(town.municipality, phase="preparation")
    with pytest.raises(s.BudgetError, match="too large"):
        s.save_pool(None, cycle, None, name="A", amount=Decimal("1e13"), method="approval")
    pool = make_pool(cycle)
    with pytest.raises(s.BudgetError, match="too large"):
        s.save_project(None, cycle, pool, None, title="A", cost=Decimal("NaN"))
    with pytest.raises(s.BudgetError, match="too large"):
        s.save_cycle(cycle, town.municipality, None, expenditure=Decimal("1e40"))


# --- the method names in the pool form ------------------------------------------------------


def test_the_pool_form_names_the_methods_in_the_page_language(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    staff.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cs"
    page = staff.page(f"{BASE}/{cycle.id}/pools/new")
    assert "Platí pro: Nejvýše k projektů (k-approval)." in page
    assert "Up to k projects" not in page and "Used by" not in page
    staff.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = staff.page(f"{BASE}/{cycle.id}/pools/new")
    assert "Used by: Up to k projects (k-approval)." in page


# --- a project's place and its pool's district ----------------------------------------------


def test_a_project_placed_outside_its_district_pool_is_refused_beside_the_place(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    sever = make_pool(cycle, district=town.districts["Sever"])
    data = {
        "title": "Lavičky",
        "cost": "1000",
        "pool": str(sever.id),
        "district": str(town.districts["Jih"].id),
    }
    response = staff.post(f"{BASE}/{cycle.id}/projects/new", data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The place is in another district than the pool&#39;s." in html or (
        "The place is in another district than the pool’s." in text(response)
    )
    assert 'id="district-error"' in html
    assert field_value(response, "title") == "Lavičky"
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0
    # By the map, a point in Střed is refused too; in Sever (or no place) it is saved.
    response = staff.post(
        f"{BASE}/{cycle.id}/projects/new",
        dict(data, district="", lat=str(IN_STRED[0]), lon=str(IN_STRED[1])),
    )
    assert response.status_code == 422
    response = staff.post(
        f"{BASE}/{cycle.id}/projects/new", dict(data, district=str(town.districts["Sever"].id))
    )
    assert response.status_code == 302
    response = staff.post(f"{BASE}/{cycle.id}/projects/new", dict(data, district=""))
    assert response.status_code == 302


# --- the register of residents --------------------------------------------------------------


def _upload_register(staff, cycle, content: str, **fields):
    return staff.client.post(
        f"{BASE}/{cycle.id}/register",
        data={"csrf_token": staff.token, "file": upload(content), **fields},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_an_empty_register_file_is_refused_and_changes_nothing(app, town, staff):
    register(town, ("A1", "SEV", 1980), ("B2", "JIH", 1990))
    cycle = make_cycle(town.municipality, phase="voting", verification=Verification.REGISTER)
    for empty in (HEADER, HEADER + "\n\n;;\n"):
        response = _upload_register(staff, cycle, empty, replace="y")
        assert response.status_code == 422
        page = text(response)
        assert "The file lists no residents." in page
        assert "nothing was imported" in page
        assert core_services.register_size(town.municipality) == 2
    assert "register_imported" not in audit_actions(cycle)


def test_replacing_a_register_needs_the_box_ticked_and_says_so_while_voting(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", verification=Verification.REGISTER)
    page = staff.page(f"{BASE}/{cycle.id}/register")
    assert "Replace the current register" not in page  # nothing to replace yet
    key = core_services.ensure_register_key(town.municipality)
    one = f"{HEADER}\n{voting.register_hash(key, 'A1')};SEV;1980\n"
    response = _upload_register(staff, cycle, one)
    assert "The register is imported: 1 resident (replacing 0)." in text(response)

    two = one + f"{voting.register_hash(key, 'B2')};JIH;1990\n"
    page = staff.page(f"{BASE}/{cycle.id}/register")
    assert "Replace the current register of 1 resident" in page
    assert "Voting is open now" not in page
    response = _upload_register(staff, cycle, two)
    assert response.status_code == 422
    assert "Tick the box to replace the current register; nothing was imported." in text(response)
    assert core_services.register_size(town.municipality) == 1
    response = _upload_register(staff, cycle, two, replace="y")
    assert "The register is imported: 2 residents (replacing 1)." in text(response)
    assert core_services.register_size(town.municipality) == 2

    # While a cycle checking the register is voting, the page says what a new file does.
    running = make_cycle(
        town.municipality, phase="voting", verification=Verification.REGISTER, title="PR 2031"
    )
    page = staff.page(f"{BASE}/{running.id}/register")
    assert "Voting is open now in PR 2031" in page
    assert "Replace the current register of 2 residents" in page
    assert "whoever is not in the new file can no longer vote" in page
    response = _upload_register(staff, running, one)
    assert response.status_code == 422
    assert core_services.register_size(town.municipality) == 2


def test_a_register_line_past_the_csv_limit_is_a_line_error(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", verification=Verification.REGISTER)
    key = core_services.ensure_register_key(town.municipality)
    content = f"{HEADER}\n{voting.register_hash(key, 'A1')};SEV;1980\n{'a' * 200_000};SEV;1980\n"
    response = _upload_register(staff, cycle, content)
    assert response.status_code == 422
    page = text(response)
    assert "Line 3: the line cannot be read (too long or broken)." in page
    assert "The file has 1 error; nothing was imported." in page
    assert core_services.register_size(town.municipality) == 0


def test_the_register_page_lists_the_district_codes_and_uses_one_in_its_example(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", verification=Verification.REGISTER)
    town.districts["Sever"].code = "01"
    town.districts["Jih"].code = "02"
    town.districts["Střed"].code = None
    db.session.flush()
    response = staff.get(f"{BASE}/{cycle.id}/register")
    html = response.get_data(as_text=True)
    assert "<td><code>01</code></td><td>Sever</td>" in html
    assert "<td><code>02</code></td><td>Jih</td>" in html
    assert "Střed</td>" not in html
    assert ";01;1980" in text(response) or ";02;1980" in text(response)
    assert "SEV" not in text(response)


# --- Pabulib files ---------------------------------------------------------------------------


def _upload_pb(staff, cycle, pool, content: str):
    return staff.client.post(
        f"{BASE}/{cycle.id}/pools/{pool.id}/pabulib",
        data={"csrf_token": staff.token, "file": upload(content, "x.pb")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("content", ("", "\n", "META\nkey;value\nvote_type;approval\n"))
def test_an_empty_pabulib_file_is_not_imported(app, town, staff, content):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    response = _upload_pb(staff, cycle, pool, content)
    assert response.status_code == 422
    assert "This is not a Pabulib file we can read." in text(response)
    assert "pabulib_imported" not in audit_actions(cycle)


@pytest.mark.parametrize("phase", ("voting", "counting", "results"))
def test_no_pabulib_file_is_imported_once_voting_has_opened(app, town, staff, phase):
    cycle = make_cycle(town.municipality, phase=phase)
    pool = make_pool(cycle)
    page = staff.page(f"{BASE}/{cycle.id}/pools/{pool.id}/pabulib")
    assert "Voting has opened, so a file cannot be imported into this cycle." in page
    assert "after voting has closed" not in page
    response = _upload_pb(staff, cycle, pool, PB_FILE)
    assert response.status_code == 422
    assert "A file can be imported only before voting opens." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_imported_ballots_are_shown_before_voting_and_can_be_removed(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle, name="Celé město", amount=Decimal("300000"))
    response = _upload_pb(staff, cycle, pool, PB_FILE)
    assert response.status_code == 302
    page = staff.page(f"{BASE}/{cycle.id}")
    assert "4 imported ballots" in page
    assert (
        "The pool “Celé město” holds 4 imported ballots: they would be counted with the real "
        "votes once voting opens." in page
    )
    remove = f"{BASE}/{cycle.id}/pools/{pool.id}/imported-ballots/delete"
    assert remove in staff.get(f"{BASE}/{cycle.id}").get_data(as_text=True)
    assert "Remove the imported ballots of “Celé město”?" in staff.page(remove)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 4  # only asked
    response = staff.post(remove, {}, follow_redirects=True)
    assert "4 imported ballots are removed." in text(response)
    assert "holds 4 imported" not in text(response)
    assert "4 imported ballots</strong>" not in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(func.count()).select_from(Voter)) == 0
    assert db.session.scalar(select(func.count()).select_from(Project)) == 3  # projects stay
    assert audit_actions(cycle)[-1] == "imported_ballots_removed"
    # Once voting has opened, nothing is removed, a resident's ballot least of all, and no
    # confirmation is offered for it.
    s.publish_cycle(cycle, None)
    make_cycle_voting(cycle)
    cheapest = min(pool.projects, key=lambda p: p.cost)
    person = make_user(municipality=town.municipality)
    s.cast_ballot(pool, {cheapest.id: 1}, s.eligibility(cycle, s.AccountProof(person, None, 1980)))
    response = staff.get(remove, follow_redirects=True)
    assert "Ballots cannot be removed once voting has opened." in text(response)
    assert "Remove the imported ballots" not in text(response)
    response = staff.post(remove, {}, follow_redirects=True)
    assert "Ballots cannot be removed once voting has opened." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1


def make_cycle_voting(cycle):
    cycle.voting_opens_at = utcnow() - timedelta(hours=1)
    db.session.flush()


def test_a_pabulib_project_costing_more_than_a_budget_holds_is_refused(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    response = _upload_pb(staff, cycle, pool, PB_FILE.replace("1;100000;3", "1;1000000000000000;3"))
    assert response.status_code == 422
    assert "Project 1 costs more than a budget can hold." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


# --- destructive buttons ask first -------------------------------------------------------------


def test_erasing_a_batch_of_codes_asks_first(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", verification=Verification.CODE)
    staff.post(f"{BASE}/{cycle.id}/codes", {"count": "2", "batch": "Dopisy"})
    letters = staff.get(f"{BASE}/{cycle.id}/codes/letters?batch=Dopisy").get_data(as_text=True)
    # One click on the letters page erases nothing: no form there posts to the eraser.
    assert f'action="{BASE}/{cycle.id}/codes/printed"' not in letters
    confirm = f"{BASE}/{cycle.id}/codes/printed?batch=Dopisy"
    assert f'href="{confirm}"' in letters
    page = staff.page(confirm)
    assert "Mark the batch “Dopisy” printed and erase its codes?" in page
    assert "Cancel" in page
    assert all(c.code for c in db.session.scalars(select(VotingCode)))
    response = staff.post(confirm, {}, follow_redirects=True)
    assert "2 codes in clear are erased" in text(response)
    db.session.expire_all()
    assert not any(c.code for c in db.session.scalars(select(VotingCode)))


def test_removing_an_implementation_photo_asks_first(app, town, staff, uploads):
    from tests.budget.test_services_results import close, voter

    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle, amount=Decimal("300000"))
    project = make_project(pool, title="Lavičky", cost="100000")
    db.session.refresh(cycle)
    s.cast_ballot(pool, {project.id: 1}, voter(cycle, pool, "a"))
    close(cycle)
    s.publish_results(cycle, None)
    photo = s.add_photo(
        project, None, FileStorage(BytesIO(png_with_text()), "foto.png"), "Nové lavičky"
    )
    url = f"{BASE}/{cycle.id}/implementation/{project.id}"
    html = staff.get(url).get_data(as_text=True)
    remove = f"{url}/photos/{photo.id}/delete"
    assert f'action="{remove}"' not in html and f'href="{remove}"' in html
    page = staff.page(remove)
    assert "Remove the photo “Nové lavičky”?" in page
    assert db.session.scalar(select(ProjectImage.id).where(ProjectImage.id == photo.id))
    response = staff.post(remove, {}, follow_redirects=True)
    assert "The photo is removed." in text(response)
    assert db.session.scalar(select(ProjectImage.id).where(ProjectImage.id == photo.id)) is None


# --- plural forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "problem", "key", "number", "expected"),
    [
        ("en", voting.Problem.TOO_MANY_PROJECTS, "max", 1, "Choose at most 1 project."),
        ("en", voting.Problem.TOO_MANY_PROJECTS, "max", 2, "Choose at most 2 projects."),
        ("cs", voting.Problem.TOO_MANY_PROJECTS, "max", 1, "Vyberte nejvýše 1 projekt."),
        ("cs", voting.Problem.TOO_MANY_PROJECTS, "max", 3, "Vyberte nejvýše 3 projekty."),
        ("cs", voting.Problem.TOO_MANY_PROJECTS, "max", 5, "Vyberte nejvýše 5 projektů."),
        ("pl", voting.Problem.TOO_MANY_PROJECTS, "max", 22, "Wybierz najwyżej 22 projekty."),
        ("pl", voting.Problem.TOO_MANY_PROJECTS, "max", 12, "Wybierz najwyżej 12 projektów."),
        ("en", voting.Problem.TOO_MANY_PLUS, "max", 1, "You have at most 1 plus vote."),
        ("cs", voting.Problem.TOO_MANY_MINUS, "max", 2, "Můžete dát nejvýše 2 záporné hlasy."),
        ("pl", voting.Problem.OVER_POINTS_CAP, "cap", 1, "Najwyżej 1 punkt na projekt."),
        ("pl", voting.Problem.OVER_POINTS_CAP, "cap", 5, "Najwyżej 5 punktów na projekt."),
    ],
)
def test_ballot_limits_have_plural_forms(app, locale, problem, key, number, expected):
    with force_locale(locale):
        message = s.problem_message(voting.Error(problem, {key: number}), "CZK")
    assert message.endswith(expected)


def test_the_pool_method_has_plural_forms(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    make_pool(cycle, max_projects=1)
    page = staff.page(f"{BASE}/{cycle.id}")
    assert "at most 1 project" in page and "at most 1 projects" not in page

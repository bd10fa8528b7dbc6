"""What staff type is checked before it is saved: money amounts the database can hold,
a project's place against its pool's district, method names in the page's language,
files that must not replace data without being asked (an empty or unreadable register,
an empty Pabulib file) and destructive buttons that ask first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from participation.budget import services as s
from participation.budget.models import Cycle, Pool, Project
from participation.core.models import Country, Role
from participation.extensions import db
from participation.ideas.rules import IdeaStatus
from tests.budget.test_admin import cycle_form, newest, pool_form
from tests.factories import (
    make_call,
    make_cycle,
    make_idea,
    make_municipality,
    make_pool,
    make_user,
)
from tests.ideas.helpers import IN_STRED, Browser, field_value, text

BASE = "/lipnice/budget/manage"
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

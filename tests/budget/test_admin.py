"""Staff prepare a participatory budget: the overview, cycles (in local time, with the
0.5% warning for Polish cities), pools with each method's parameters, projects entered
directly or made from accepted ideas, and who may do any of it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from participation.budget import services as s
from participation.budget.models import (
    Cycle,
    Method,
    Pool,
    Project,
    Rule,
    Verification,
)
from participation.core.models import Country, Role
from participation.extensions import db
from participation.ideas.models import Review
from participation.ideas.rules import IdeaStatus
from tests.factories import (
    make_call,
    make_cycle,
    make_idea,
    make_municipality,
    make_pool,
    make_project,
    make_user,
)
from tests.ideas.helpers import IN_SEVER, IN_STRED, Browser, field_value, make_town, text

BASE = "/lipnice/budget/manage"


def cycle_form(**changes) -> dict:
    form = {
        "title": "Participativní rozpočet 2031",
        "year": "2031",
        "description": "Pravidla.",
        "idea_call": "",
        "review_until": "2030-12-31T12:00",
        "voting_opens_at": "2031-01-10T08:00",  # winter: UTC+1
        "voting_closes_at": "2031-06-30T20:00",  # summer: UTC+2
        "min_age": "15",
        "residence": "district",
        "pool_access": "own_district",
        "verification": "register",
        "categories": "Zeleň\nSport\n\nZeleň",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def pool_form(**changes) -> dict:
    form = {
        "name": "Celé město",
        "district": "",
        "amount": "2000000",
        "currency": "CZK",
        "method": "approval",
        "rule": "greedy",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
def staff(app, coordinator):
    return Browser(app, coordinator)


def newest(model):
    return db.session.scalar(select(model).order_by(model.id.desc()))


# --- cycles ------------------------------------------------------------------------------


def test_the_overview_starts_empty_and_a_cycle_is_created_in_local_time(app, town, staff):
    page = staff.page(BASE)
    assert "No cycle yet." in page
    assert "New cycle" in page
    call = make_call(town.municipality, title="Nápady 2030")
    form_page = staff.page(f"{BASE}/new")
    assert "Europe/Prague" in form_page
    assert "Nápady 2030" in form_page
    assert "The municipality's expenditure" not in form_page  # Czech town: no 0.5% rule

    response = staff.post(f"{BASE}/new", cycle_form(idea_call=str(call.id)))
    assert response.status_code == 302
    cycle = newest(Cycle)
    assert response.headers["Location"] == f"{BASE}/{cycle.id}"
    assert cycle.municipality_id == town.municipality.id
    assert cycle.voting_opens_at == datetime(2031, 1, 10, 7, 0, tzinfo=UTC)
    assert cycle.voting_closes_at == datetime(2031, 6, 30, 18, 0, tzinfo=UTC)
    assert cycle.review_until == datetime(2030, 12, 31, 11, 0, tzinfo=UTC)
    assert cycle.idea_call_id == call.id
    assert cycle.verification == Verification.REGISTER
    assert [c.name for c in cycle.categories] == ["Sport", "Zeleň"]
    assert cycle.published_at is None

    page = text(staff.get(response.headers["Location"]))
    assert "The cycle is saved." in page
    assert "Preparation" in page
    assert "Not published" in page
    assert "The cycle has no pool yet" in page
    assert "Voters are checked against the register, but it is empty." in page
    overview = staff.page(BASE)
    assert "Participativní rozpočet 2031" in overview
    assert "No cycle yet." not in overview

    # Publishing needs a pool.
    staff.post(f"{BASE}/{cycle.id}/publish", {})
    page = staff.page(f"{BASE}/{cycle.id}")
    assert "Add at least one pool before publishing the cycle." in page
    make_pool(cycle)
    response = staff.post(f"{BASE}/{cycle.id}/publish", {}, follow_redirects=True)
    assert "The cycle is published." in text(response)
    db.session.refresh(cycle)
    assert cycle.published_at is not None


def test_bad_cycle_input_is_explained_and_kept(app, town, staff):
    response = staff.post(
        f"{BASE}/new",
        cycle_form(voting_closes_at="2031-01-01T08:00", min_age="200", title="Můj rozpočet"),
    )
    assert response.status_code == 422
    page = text(response)
    assert "Please correct the following:" in page
    assert "Number must be between 0 and 120." in page
    assert field_value(response, "title") == "Můj rozpočet"
    assert field_value(response, "categories") == "Zeleň\nSport\n\nZeleň"
    response = staff.post(f"{BASE}/new", cycle_form(voting_closes_at="2031-01-01T08:00"))
    assert response.status_code == 422
    assert "Voting must close after it opens." in text(response)
    assert 'aria-describedby="voting_closes_at-error"' in response.get_data(as_text=True)
    response = staff.post(f"{BASE}/new", cycle_form(review_until="2031-02-01T08:00"))
    assert "Review and appeals must end before voting opens." in text(response)
    assert db.session.scalar(select(Cycle)) is None


def test_a_cycle_in_voting_keeps_who_may_vote_but_its_title_can_change(app, town, staff):
    cycle = make_cycle(town.municipality, phase="voting")
    form = staff.get(f"{BASE}/{cycle.id}/edit")
    page = text(form)
    assert "Voting has opened" in page
    # What can no longer change is shown as text, not as inputs that could only be refused.
    html = form.get_data(as_text=True)
    for name in ("min_age", "residence", "pool_access", "verification", "voting_opens_at"):
        assert f'name="{name}"' not in html, name
    assert "Settings that can no longer change" in page
    assert "Minimum age of voters" in page and "An account with a confirmed email" in page
    assert 'name="voting_closes_at"' in html  # it can still move later
    data = {name: field_value(form, name) for name in ("title", "year", "voting_closes_at")}
    data["title"] = "Nový název"
    response = staff.post(f"{BASE}/{cycle.id}/edit", data)
    assert response.status_code == 302, text(response)
    db.session.refresh(cycle)
    assert cycle.title == "Nový název"
    # A locked setting sent with another value (a form opened before voting opened) is
    # refused, not dropped: nothing is saved, the rest stays as typed.
    stale = dict(data, title="Jiný název", min_age="18", residence="district")
    response = staff.post(f"{BASE}/{cycle.id}/edit", stale)
    assert response.status_code == 422
    page = text(response)
    assert "Voting opened while you were editing" in page and "Minimum age of voters" in page
    assert "Residence" not in page.split("Voting opened while you were editing")[1].split(".")[0]
    assert field_value(response, "title") == "Jiný název"
    db.session.refresh(cycle)
    assert (cycle.min_age, cycle.title) == (15, "Nový název")
    # The same values as stored go through (an old form that changed nothing locked).
    response = staff.post(f"{BASE}/{cycle.id}/edit", dict(data, min_age="15"))
    assert response.status_code == 302
    # During voting the close moves later only: voters were told the time.
    closes = datetime.fromisoformat(data["voting_closes_at"])
    for moved, expected in ((closes - timedelta(hours=1), 422), (closes + timedelta(days=1), 302)):
        response = staff.post(
            f"{BASE}/{cycle.id}/edit", dict(data, voting_closes_at=moved.strftime("%Y-%m-%dT%H:%M"))
        )
        assert response.status_code == expected, text(response)
    assert "its closing time can only move later" in text(
        staff.post(
            f"{BASE}/{cycle.id}/edit",
            dict(data, voting_closes_at=(closes - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")),
        )
    )
    # Once voting has closed, its closing time is shown as text too.
    closed = make_cycle(town.municipality, phase="counting")
    html = staff.get(f"{BASE}/{closed.id}/edit").get_data(as_text=True)
    assert 'name="voting_closes_at"' not in html and 'name="title"' in html
    response = staff.post(f"{BASE}/{closed.id}/edit", {"title": "Uzavřený", "year": "2031"})
    assert response.status_code == 302, text(response)


def test_a_polish_city_is_warned_below_half_a_percent_of_its_expenditure(app):
    city = make_municipality(
        slug="krakow",
        name="Kraków",
        country=Country.PL,
        currency="PLN",
        default_language="pl",
        timezone="Europe/Warsaw",
    )
    browser = Browser(app, make_user(municipality=city, roles=(Role.COORDINATOR,)))
    assert "The municipality's expenditure" in browser.page("/krakow/budget/manage/new")
    response = browser.post(
        "/krakow/budget/manage/new", cycle_form(expenditure="1000000000", verification="email")
    )
    assert response.status_code == 302
    cycle = newest(Cycle)
    assert cycle.expenditure == Decimal("1000000000")
    response = browser.post(
        f"/krakow/budget/manage/{cycle.id}/pools/new",
        pool_form(amount="1000000", currency=""),
        follow_redirects=True,
    )
    page = text(response)
    assert "The pool is saved." not in page  # the currency is required in the form
    response = browser.post(
        f"/krakow/budget/manage/{cycle.id}/pools/new",
        pool_form(amount="1000000", currency="pln"),
        follow_redirects=True,
    )
    page = text(response)
    assert "The pool is saved." in page
    assert "less than 0.5% of the expenditure" in page
    assert newest(Pool).currency == "PLN"


# --- pools -------------------------------------------------------------------------------


def test_pools_with_each_method_and_their_parameters(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    page = staff.page(f"{BASE}/{cycle.id}/pools/new")
    assert field_value(staff.get(f"{BASE}/{cycle.id}/pools/new"), "currency") == "CZK"
    for label in (
        "Most projects on a ballot",
        "Projects a voter may choose (k)",
        "Points a voter spreads",
        "Plus votes",
        "Minus votes",
    ):
        assert label in page
    assert "Used by: Plus and minus votes (D21)." in page

    sever = town.districts["Sever"]
    response = staff.post(
        f"{BASE}/{cycle.id}/pools/new",
        pool_form(
            name="Sever",
            district=str(sever.id),
            method="d21",
            plus_votes="4",
            minus_votes="3",
            k="7",
        ),
    )
    assert response.status_code == 422
    page = text(response)
    assert "A voter may have at most half as many minus votes as plus votes." in page
    assert 'id="minus_votes-error"' in response.get_data(as_text=True)
    assert field_value(response, "plus_votes") == "4"
    assert field_value(response, "name") == "Sever"

    response = staff.post(f"{BASE}/{cycle.id}/pools/new", pool_form(method="k_approval"))
    assert "Enter how many projects a voter may choose." in text(response)
    response = staff.post(
        f"{BASE}/{cycle.id}/pools/new", pool_form(method="points", points="10", rule="mes")
    )
    assert "choose the greedy rule" in text(response)
    response = staff.post(f"{BASE}/{cycle.id}/pools/new", pool_form(amount="0"))
    assert response.status_code == 422

    assert (
        staff.post(
            f"{BASE}/{cycle.id}/pools/new",
            pool_form(
                name="Sever",
                district=str(sever.id),
                method="d21",
                plus_votes="4",
                minus_votes="2",
                k="7",
            ),
        ).status_code
        == 302
    )
    pool = newest(Pool)
    assert (pool.method, pool.plus_votes, pool.minus_votes, pool.k) == (Method.D21, 4, 2, None)
    assert pool.district_id == sever.id
    assert (
        staff.post(
            f"{BASE}/{cycle.id}/pools/new",
            pool_form(
                method="approval", max_projects="3", min_share="50", rule="mes-add1", changeable="y"
            ),
        ).status_code
        == 302
    )
    city = newest(Pool)
    assert (city.max_projects, city.min_share, city.rule, city.changeable) == (
        3,
        50,
        Rule.MES_ADD1,
        True,
    )
    page = staff.page(f"{BASE}/{cycle.id}")
    assert "Plus and minus votes (D21); 4 plus and 2 minus votes" in page
    assert "at most 3 projects" in page

    # Edit, and delete (refused while it has projects).
    edit = staff.get(f"{BASE}/{cycle.id}/pools/{pool.id}/edit")
    assert field_value(edit, "plus_votes") == "4"
    assert (
        staff.post(
            f"{BASE}/{cycle.id}/pools/{pool.id}/edit",
            pool_form(
                name="Sever", district=str(sever.id), method="points", points="12", points_cap="5"
            ),
        ).status_code
        == 302
    )
    db.session.refresh(pool)
    assert (pool.method, pool.points, pool.points_cap, pool.plus_votes) == (
        Method.POINTS,
        12,
        5,
        None,
    )
    make_project(pool)
    assert "Delete the pool" in staff.page(f"{BASE}/{cycle.id}/pools/{pool.id}/delete")
    response = staff.post(f"{BASE}/{cycle.id}/pools/{pool.id}/delete", {}, follow_redirects=True)
    assert "Move or delete the pool's projects first." in text(response)
    city_id = city.id
    response = staff.post(f"{BASE}/{cycle.id}/pools/{city.id}/delete", {}, follow_redirects=True)
    assert "The pool is deleted." in text(response)
    assert db.session.scalar(select(Pool.id).where(Pool.id == city_id)) is None
    assert db.session.get(Pool, pool.id) is not None


def test_once_voting_opened_only_the_rule_changes_until_the_close(app, town, staff):
    cycle = make_cycle(town.municipality, phase="voting")
    pool = make_pool(cycle)
    page = staff.page(f"{BASE}/{cycle.id}/pools/{pool.id}/edit")
    assert "Voting has opened" in page
    assert "Amount" not in page
    response = staff.post(f"{BASE}/{cycle.id}/pools/{pool.id}/edit", {"rule": "mes"})
    assert response.status_code == 302
    db.session.refresh(pool)
    assert pool.rule == Rule.MES
    assert "pool_changed" in [e.action for e in s.audit_log(cycle)]
    assert staff.get(f"{BASE}/{cycle.id}/pools/new").status_code == 302
    d21 = make_pool(cycle, method="d21", name="D21")
    response = staff.post(f"{BASE}/{cycle.id}/pools/{d21.id}/edit", {"rule": "mes"})
    assert response.status_code == 422
    assert "choose the greedy rule" in text(response)
    # No confirmation for a deletion that would be refused: back to the cycle, saying why.
    response = staff.get(f"{BASE}/{cycle.id}/pools/{pool.id}/delete", follow_redirects=True)
    assert "Delete the pool" not in text(response)
    assert "Pools cannot change once voting has opened." in text(response)

    closed = make_cycle(town.municipality, phase="counting")
    closed_pool = make_pool(closed)
    page = staff.page(f"{BASE}/{closed.id}/pools/{closed_pool.id}/edit")
    assert "Voting has closed" in page
    staff.post(f"{BASE}/{closed.id}/pools/{closed_pool.id}/edit", {"rule": "mes"})
    db.session.refresh(closed_pool)
    assert closed_pool.rule == Rule.GREEDY


# --- projects ----------------------------------------------------------------------------


def test_a_project_is_entered_with_a_place_and_bad_input_is_kept(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    s.save_categories(cycle, None, ["Zeleň"])
    pool = make_pool(cycle)
    assert "Add a project" in staff.page(f"{BASE}/{cycle.id}/projects")
    page = staff.page(f"{BASE}/{cycle.id}/projects/new")
    assert "Click the map to mark the place" in page
    data = {
        "title": "Lavičky v parku",
        "description": "Deset laviček.",
        "cost": "-5",
        "pool": str(pool.id),
        "category": str(cycle.categories[0].id),
        "cost_note": "Odhad odboru",
        "lat": str(IN_SEVER[0]),
        "lon": str(IN_SEVER[1]),
        "district": "",
        "address": "Park u školy",
    }
    response = staff.post(f"{BASE}/{cycle.id}/projects/new", data)
    assert response.status_code == 422
    assert "Number must be at least 0.01." in text(response)
    assert field_value(response, "title") == "Lavičky v parku"
    assert field_value(response, "address") == "Park u školy"
    response = staff.post(
        f"{BASE}/{cycle.id}/projects/new", dict(data, cost="120000", lat="50.087", lon="14.421")
    )
    assert "This place is outside Lipnice" in text(response)
    response = staff.post(f"{BASE}/{cycle.id}/projects/new", dict(data, cost="120000"))
    assert response.status_code == 302
    project = newest(Project)
    assert (project.title, project.cost, project.pool_id) == (
        "Lavičky v parku",
        Decimal("120000"),
        pool.id,
    )
    assert project.district_id == town.districts["Sever"].id
    assert project.category.name == "Zeleň"
    assert project.cost_note == "Odhad odboru"
    page = staff.page(f"{BASE}/{cycle.id}/projects")
    assert "Lavičky v parku" in page and "Sever, Park u školy" in page

    # Without the map: a district only.
    edit = staff.get(f"{BASE}/{cycle.id}/projects/{project.id}/edit")
    assert field_value(edit, "title") == "Lavičky v parku"
    response = staff.post(
        f"{BASE}/{cycle.id}/projects/{project.id}/edit",
        dict(data, cost="99000", lat="", lon="", district=str(town.districts["Jih"].id)),
    )
    assert response.status_code == 302
    db.session.refresh(project)
    assert (project.cost, project.lat, project.district_id) == (
        Decimal("99000"),
        None,
        town.districts["Jih"].id,
    )
    assert "Delete the project" in staff.page(f"{BASE}/{cycle.id}/projects/{project.id}/delete")
    project_id = project.id
    response = staff.post(
        f"{BASE}/{cycle.id}/projects/{project.id}/delete", {}, follow_redirects=True
    )
    assert "The project is deleted." in text(response)
    assert db.session.scalar(select(Project.id).where(Project.id == project_id)) is None


def test_projects_are_made_from_accepted_ideas_with_their_link_and_place(app, town, staff):
    call = make_call(town.municipality, phase="closed")
    author = make_user()
    benches = make_idea(
        call, author, status=IdeaStatus.ACCEPTED, title="Lavičky", lat=IN_STRED[0], lon=IN_STRED[1]
    )
    trees = make_idea(call, author, status=IdeaStatus.ACCEPTED, title="Stromy")
    make_idea(call, author, status=IdeaStatus.REJECTED, title="Zamítnutý")
    db.session.add(
        Review(
            idea_id=benches.id,
            legal=True,
            feasible=True,
            cost_estimate=Decimal("250000"),
            justification="ok",
            outcome="accepted",
        )
    )
    db.session.flush()
    cycle = make_cycle(
        town.municipality, phase="preparation", published=False, idea_call_id=call.id
    )
    pool = make_pool(cycle)
    sever = make_pool(cycle, district=town.districts["Sever"])

    assert "2 ideas waiting" in staff.page(f"{BASE}/{cycle.id}/projects")
    response = staff.get(f"{BASE}/{cycle.id}/projects/from-ideas")
    page = text(response)
    assert "Lavičky" in page and "Stromy" in page and "Zamítnutý" not in page
    assert field_value(response, f"cost_{benches.id}") == "250000.00"
    assert "Make “Lavičky” a project" in page

    # Nothing ticked; then a missing pool and cost; then the wrong district.
    response = staff.post(f"{BASE}/{cycle.id}/projects/from-ideas", {})
    assert response.status_code == 422
    assert "Tick at least one idea." in text(response)
    response = staff.post(
        f"{BASE}/{cycle.id}/projects/from-ideas",
        {
            f"take_{benches.id}": "y",
            f"cost_{benches.id}": "250000",
            f"take_{trees.id}": "y",
            f"pool_{trees.id}": "",
        },
    )
    page = text(response)
    assert "Choose a pool." in page and "Enter the cost." in page
    assert field_value(response, f"cost_{benches.id}") == "250000"
    response = staff.post(
        f"{BASE}/{cycle.id}/projects/from-ideas",
        {
            f"take_{benches.id}": "y",
            f"pool_{benches.id}": str(sever.id),
            f"cost_{benches.id}": "250000",
            f"take_{trees.id}": "y",
            f"pool_{trees.id}": str(pool.id),
            f"cost_{trees.id}": "80000",
        },
    )
    assert response.status_code == 422
    assert "The idea's place is in another district than the pool's." in text(response)
    assert db.session.scalar(select(Project)) is None  # all or nothing

    response = staff.post(
        f"{BASE}/{cycle.id}/projects/from-ideas",
        {
            f"take_{benches.id}": "y",
            f"pool_{benches.id}": str(pool.id),
            f"cost_{benches.id}": "250000",
            f"take_{trees.id}": "y",
            f"pool_{trees.id}": str(pool.id),
            f"cost_{trees.id}": "80000",
        },
        follow_redirects=True,
    )
    assert "2 projects are made from ideas." in text(response)
    made = {p.idea_id: p for p in db.session.scalars(select(Project))}
    assert made[benches.id].title == "Lavičky"
    assert (made[benches.id].lat, made[benches.id].lon) == IN_STRED
    assert made[benches.id].district_id == town.districts["Střed"].id
    assert made[trees.id].cost == Decimal("80000")
    assert f"/lipnice/ideas/{benches.id}" in response.get_data(as_text=True)
    assert "No accepted idea of the call is waiting" in staff.page(
        f"{BASE}/{cycle.id}/projects/from-ideas"
    )


def test_projects_are_refused_once_voting_opened_and_the_page_says_why(app, town, staff):
    cycle = make_cycle(town.municipality, phase="voting")
    pool = make_pool(cycle)
    project = make_project(pool, title="Hřiště")
    page = staff.page(f"{BASE}/{cycle.id}/projects")
    assert "can no longer be added, changed or deleted" in page
    assert "Add a project" not in page
    for url in (
        f"{BASE}/{cycle.id}/projects/new",
        f"{BASE}/{cycle.id}/projects/{project.id}/edit",
        f"{BASE}/{cycle.id}/projects/{project.id}/delete",
        f"{BASE}/{cycle.id}/projects/from-ideas",
    ):
        response = staff.post(
            url, {"title": "Jiné", "cost": "1", "pool": str(pool.id)}, follow_redirects=True
        )
        assert "Projects cannot change once voting has opened." in text(response), url
    db.session.refresh(project)
    assert project.title == "Hřiště"


# --- who may do it -----------------------------------------------------------------------


def _objects(town):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    project = make_project(pool, title="Původní")
    return cycle, pool, project


def _routes(cycle, pool, project):
    c = f"{BASE}/{cycle.id}"
    gets = [
        BASE,
        f"{BASE}/new",
        c,
        f"{c}/edit",
        f"{c}/pools/new",
        f"{c}/pools/{pool.id}/edit",
        f"{c}/pools/{pool.id}/delete",
        f"{c}/projects",
        f"{c}/projects/new",
        f"{c}/projects/from-ideas",
        f"{c}/projects/{project.id}/edit",
        f"{c}/projects/{project.id}/delete",
        f"{c}/register",
        f"{c}/codes",
        f"{c}/codes/letters?batch=A",
        f"{c}/codes/printed?batch=A",
        f"{c}/paper",
        f"{c}/paper/{pool.id}",
        f"{c}/paper/{pool.id}/done",
        f"{c}/results",
        f"{c}/implementation",
        f"{c}/implementation/{project.id}",
        f"{c}/audit",
        f"{c}/pools/{pool.id}/pabulib",
        f"{c}/pools/{pool.id}/export.pb",
        f"{c}/pools/{pool.id}/imported-ballots/delete",
        f"{c}/implementation/{project.id}/photos/1/delete",
    ]
    posts = [
        (f"{BASE}/new", cycle_form()),
        (f"{c}/edit", cycle_form()),
        (f"{c}/publish", {}),
        (f"{c}/pools/new", pool_form()),
        (f"{c}/pools/{pool.id}/edit", pool_form(name="Změněno")),
        (f"{c}/pools/{pool.id}/delete", {}),
        (f"{c}/projects/new", {"title": "Nový", "cost": "1", "pool": str(pool.id)}),
        (f"{c}/projects/from-ideas", {}),
        (f"{c}/projects/{project.id}/edit", {"title": "Nový", "cost": "1", "pool": str(pool.id)}),
        (f"{c}/projects/{project.id}/delete", {}),
        (f"{c}/register", {}),
        (f"{c}/codes", {"count": "3", "batch": "A"}),
        (f"{c}/codes/printed", {"batch": "A"}),
        (f"{c}/paper/{pool.id}", {"identifier": "X"}),
        (f"{c}/results/publish", {"confirm": "y"}),
        (f"{c}/implementation/{project.id}", {"status-progress": "5"}),
        (f"{c}/implementation/{project.id}/milestones", {"new-title": "M"}),
        (f"{c}/implementation/{project.id}/milestones/1", {"m1-title": "M"}),
        (f"{c}/implementation/{project.id}/milestones/1/done", {}),
        (f"{c}/implementation/{project.id}/photos", {}),
        (f"{c}/implementation/{project.id}/photos/1/delete", {}),
        (f"{c}/pools/{pool.id}/pabulib", {}),
        (f"{c}/pools/{pool.id}/imported-ballots/delete", {}),
    ]
    return gets, posts


def _unchanged(cycle, pool, project):
    db.session.expire_all()
    assert cycle.published_at is None
    assert pool.name == "Celé město"
    assert project.title == "Původní"
    assert len(db.session.scalars(select(Cycle)).all()) == 1
    assert s.audit_log(cycle) == [e for e in s.audit_log(cycle) if e.actor_id is None]


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.MODERATOR, Role.REVIEWER])
def test_residents_and_other_staff_get_403_everywhere(app, town, role):
    objects = _objects(town)
    gets, posts = _routes(*objects)
    browser = Browser(app, make_user(municipality=town.municipality, roles=(role,)))
    for url in gets:
        assert browser.get(url).status_code == 403, url
    for url, data in posts:
        assert browser.post(url, data).status_code == 403, url
    _unchanged(*objects)


def test_a_coordinator_of_another_town_gets_403_here_and_404_through_their_town(app, town):
    jinde = make_town("jinde").municipality
    objects = _objects(town)
    gets, posts = _routes(*objects)
    browser = Browser(app, make_user(municipality=jinde, roles=(Role.COORDINATOR,)))
    for url in gets:
        assert browser.get(url).status_code == 403, url
    for url, data in posts:
        assert browser.post(url, data).status_code == 403, url
    for url in gets:
        if url in (BASE, f"{BASE}/new"):
            continue
        other = url.replace("/lipnice/", "/jinde/")
        assert browser.get(other).status_code == 404, other
    for url, data in posts:
        if url == f"{BASE}/new":
            continue
        other = url.replace("/lipnice/", "/jinde/")
        assert browser.post(other, data).status_code == 404, other
    _unchanged(*objects)


def test_anonymous_visitors_are_sent_to_log_in(app, town):
    objects = _objects(town)
    gets, posts = _routes(*objects)
    browser = Browser(app)
    for url in gets:
        response = browser.get(url)
        assert response.status_code == 302 and "/account/login" in response.headers["Location"]
    for url, data in posts:
        assert browser.post(url, data).status_code == 302, url
    _unchanged(*objects)


def test_objects_of_another_cycle_are_404(app, town, staff):
    cycle, pool, project = _objects(town)
    mine = make_cycle(town.municipality, phase="preparation", published=False)
    for url in (
        f"{BASE}/{mine.id}/pools/{pool.id}/edit",
        f"{BASE}/{mine.id}/projects/{project.id}/edit",
        f"{BASE}/{mine.id}/paper/{pool.id}",
    ):
        assert staff.get(url).status_code == 404, url
    assert staff.post(f"{BASE}/{mine.id}/projects/{project.id}/delete", {}).status_code == 404


def test_every_staff_page_has_one_h1_and_labelled_controls(app, town, staff):
    cycle, pool, project = _objects(town)
    for url in (
        BASE,
        f"{BASE}/new",
        f"{BASE}/{cycle.id}",
        f"{BASE}/{cycle.id}/pools/new",
        f"{BASE}/{cycle.id}/projects/new",
        f"{BASE}/{cycle.id}/projects",
    ):
        html = staff.get(url).get_data(as_text=True)
        assert len(re.findall(r"<h1[ >]", html)) == 1, url
        assert 'style="' not in html, url
        for control in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
            assert f'for="{control}"' in html or control in ("error-summary",), (url, control)

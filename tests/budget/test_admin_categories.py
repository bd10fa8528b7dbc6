"""A cycle's categories: a category that projects still have is not removed by editing the
cycle (an exploratory test renamed one and its projects silently lost it)."""

from __future__ import annotations

from participation.budget import services as s
from participation.extensions import db
from tests.budget.test_admin import BASE, cycle_form
from tests.factories import make_cycle, make_pool, make_project
from tests.ideas.helpers import Browser, field_value, text


def test_a_category_with_projects_stays_and_the_form_says_why(app, town, coordinator):
    staff = Browser(app, coordinator)
    cycle = make_cycle(town.municipality)
    sport, green = s.save_categories(cycle, None, ["Sport", "Zeleň"])
    pool = make_pool(cycle)
    playground = make_project(pool, title="Hřiště", category=sport)
    make_project(pool, title="Hřiště 2", category=sport)
    db.session.commit()
    green_id = green.id
    form = staff.get(f"{BASE}/{cycle.id}/edit")
    data = {
        name: field_value(form, name)
        for name in ("title", "year", "review_until", "voting_opens_at", "voting_closes_at")
    }
    # During voting, as found; who may vote stays as it is (it is locked then).
    who = {
        "min_age": str(cycle.min_age),
        "residence": cycle.residence.value,
        "pool_access": cycle.pool_access.value,
        "verification": cycle.verification.value,
    }
    edited = cycle_form(**data, **who, categories="Sporty\nZeleň")  # "Sport" renamed
    response = staff.post(f"{BASE}/{cycle.id}/edit", edited)
    assert response.status_code == 422
    page = text(response)
    assert "The category “Sport” has 2 projects: give them another category first" in page
    assert 'id="categories-error"' in response.get_data(as_text=True)
    assert field_value(response, "categories") == "Sporty\nZeleň"  # kept as typed
    db.session.expire_all()
    assert [c.name for c in cycle.categories] == ["Sport", "Zeleň"]
    assert playground.category_id == sport.id
    # A category nobody uses goes, and a new one comes, in the same save.
    response = staff.post(f"{BASE}/{cycle.id}/edit", dict(edited, categories="Sport\nKultura"))
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    assert [c.name for c in cycle.categories] == ["Kultura", "Sport"]
    assert playground.category_id == sport.id
    assert green_id not in {c.id for c in cycle.categories}

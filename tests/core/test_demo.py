"""The demo town: loads once, every README account logs in, never into production by accident."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from participation.core.demo import DEMO_PASSWORD
from participation.core.models import Municipality, Role, RoleGrant, User
from participation.extensions import db
from participation.maps.models import District
from tests.conftest import Auth

README = Path(__file__).resolve().parents[2] / "README.md"


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Municipality, User, RoleGrant, District)
    )


def test_demo_loads_once_and_is_idempotent(runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    first = counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == first
    town = db.session.scalar(select(Municipality).where(Municipality.slug == "demo"))
    assert town.country.value == "CZ" and town.default_language == "cs"
    districts = db.session.scalars(select(District).where(District.municipality_id == town.id))
    shapes = [d.boundary for d in districts]
    assert len(shapes) >= 3 and all(s.geom_type == "MultiPolygon" and s.is_valid for s in shapes)
    # The districts tile the town: no two overlap.
    for i, a in enumerate(shapes):
        for b in shapes[i + 1 :]:
            assert a.intersection(b).area == 0


def test_every_demo_account_in_the_readme_logs_in(app, runner):
    runner.invoke(args=["demo"])
    readme = README.read_text()
    emails = sorted(set(re.findall(r"`?([a-z.]+@demo\.test)`?", readme)))
    assert {
        "admin@demo.test",
        "coordinator@demo.test",
        "moderator@demo.test",
        "reviewer@demo.test",
        "resident@demo.test",
    } <= set(emails)
    assert f"`{DEMO_PASSWORD}`" in readme
    town = db.session.scalar(select(Municipality).where(Municipality.slug == "demo"))
    for email in emails:
        client = app.test_client()
        response = Auth(client).login(email, DEMO_PASSWORD)
        assert response.status_code == 302, email
    roles = {
        u.email: u.roles_in(town)
        for u in db.session.scalars(select(User).where(User.email.like("%@demo.test")))
    }
    for role in Role:
        assert role in roles[f"{role.value}@demo.test"]


def test_demo_refuses_a_production_configuration_unless_forced(app, runner):
    app.config["ENVIRONMENT"] = "production"
    try:
        refused = runner.invoke(args=["demo"])
        assert refused.exit_code != 0 and "production" in refused.output
        assert db.session.scalar(select(Municipality).where(Municipality.slug == "demo")) is None
        forced = runner.invoke(args=["demo", "--force"])
        assert forced.exit_code == 0
    finally:
        app.config["ENVIRONMENT"] = "test"


def test_create_platform_admin(app, runner):
    result = runner.invoke(
        args=["create-platform-admin", "boss@example.test"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "boss@example.test"))
    assert user.is_platform_admin and user.email_confirmed

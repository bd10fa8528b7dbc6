"""The core part of the demo town: the municipality, its accounts and their roles."""

from __future__ import annotations

from sqlalchemy import select

from participation.core import services
from participation.core.models import Country, Municipality, Role, User
from participation.extensions import db

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-participation"

DEMO_ACCOUNTS = (
    ("admin@demo.test", "Alena Adamcová", Role.ADMIN),
    ("coordinator@demo.test", "Karel Koudelka", Role.COORDINATOR),
    ("moderator@demo.test", "Marie Malá", Role.MODERATOR),
    ("reviewer@demo.test", "Richard Růžička", Role.REVIEWER),
    ("resident@demo.test", "Rostislav Rezek", Role.RESIDENT),
    ("jana.novakova@demo.test", "Jana Nováková", Role.RESIDENT),
    ("petr.svoboda@demo.test", "Petr Svoboda", Role.RESIDENT),
    ("eva.dvorakova@demo.test", "Eva Dvořáková", Role.RESIDENT),
    ("tomas.cerny@demo.test", "Tomáš Černý", Role.RESIDENT),
)
PLATFORM_ADMIN = ("platform@demo.test", "Pavla Platformová")


def _account(email: str, name: str) -> User:
    user = services.find_user_by_email(email)
    if user is None:
        user = services.create_user(email, DEMO_PASSWORD, name=name, language="cs", confirmed=True)
    return user


def load() -> Municipality:
    municipality = db.session.scalar(select(Municipality).where(Municipality.slug == DEMO_SLUG))
    if municipality is None:
        municipality = services.create_municipality(
            slug=DEMO_SLUG,
            name="Lipová nad Lužnicí",
            country=Country.CZ,
            default_language="cs",
            timezone="Europe/Prague",
            currency="CZK",
            contact_email="participace@demo.test",
            contact_phone="+420 381 000 000",
            contact_address="Náměstí Míru 1, 390 01 Lipová nad Lužnicí",
            website="https://demo.test",
        )
    for email, name, role in DEMO_ACCOUNTS:
        user = _account(email, name)
        services.grant_role(municipality, user, role, by=None)
        if role != Role.RESIDENT:
            services.grant_role(municipality, user, Role.RESIDENT, by=None)
    platform_admin = _account(*PLATFORM_ADMIN)
    platform_admin.is_platform_admin = True
    db.session.flush()
    return municipality

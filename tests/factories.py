"""Small factories; each flushes and returns the object."""

from __future__ import annotations

import itertools

from participation.core import services
from participation.core.models import Country, Municipality, Role, User
from participation.extensions import db

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_municipality(slug: str | None = None, **fields) -> Municipality:
    n = next(_seq)
    fields.setdefault("name", f"Obec {n}")
    fields.setdefault("country", Country.CZ)
    fields.setdefault("default_language", "cs")
    fields.setdefault("timezone", "Europe/Prague")
    fields.setdefault("currency", "CZK")
    return services.create_municipality(slug=slug or f"obec-{n}", **fields)


def make_user(
    email: str | None = None,
    *,
    municipality: Municipality | None = None,
    roles: tuple[Role, ...] = (),
    confirmed: bool = True,
    platform_admin: bool = False,
    **fields,
) -> User:
    user = services.create_user(
        email or f"person{next(_seq)}@example.test", PASSWORD, confirmed=confirmed, **fields
    )
    user.is_platform_admin = platform_admin
    for role in roles:
        services.grant_role(municipality, user, role, by=None)
    db.session.flush()
    return user

"""Who may do what. Every check is a named ``can_<verb>(user, obj)`` function.

``authorize`` is the one place that enforces them: it also makes sure that the
object belongs to the municipality in the URL, so a coordinator of one town
gets a 404 for anything of another's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g
from flask_login import current_user

from participation.core.models import Municipality, Role, RoleGrant, User
from participation.extensions import login_manager

STAFF_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.MODERATOR, Role.REVIEWER})


def _roles(user: User | None, municipality: Municipality) -> set[Role]:
    if user is None or not user.is_authenticated:
        return set()
    return user.roles_in(municipality)


def _is_platform_admin(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_platform_admin)


def can_administer(user: User | None, municipality: Municipality) -> bool:
    """Change the municipality's settings."""
    return _is_platform_admin(user) or Role.ADMIN in _roles(user, municipality)


def can_manage_roles(user: User | None, municipality: Municipality) -> bool:
    """Grant and remove roles in the municipality."""
    return can_administer(user, municipality)


def can_view_administration(user: User | None, municipality: Municipality) -> bool:
    """See the municipality's staff area (its overview page)."""
    return _is_platform_admin(user) or bool(_roles(user, municipality) & STAFF_ROLES)


def can_verify_residents(user: User | None, municipality: Municipality) -> bool:
    """Confirm people as residents (staff confirmation): coordinators and administrators."""
    return _is_platform_admin(user) or bool(
        _roles(user, municipality) & {Role.ADMIN, Role.COORDINATOR}
    )


def can_revoke_role(user: User | None, grant: RoleGrant) -> bool:
    """Remove this role grant."""
    return can_manage_roles(user, grant.municipality)


def can_manage_platform(user: User | None, _obj: Any = None) -> bool:
    """Create municipalities and see every one of them."""
    return _is_platform_admin(user)


def municipality_of(obj: Any) -> int | None:
    if isinstance(obj, Municipality):
        return obj.id
    return getattr(obj, "municipality_id", None)


def authorize(check: Callable[[User | None, Any], bool], obj: Any) -> None:
    """Abort unless ``check(current_user, obj)`` holds in the URL's municipality."""
    municipality = g.get("municipality")
    if municipality is not None and obj is not None and municipality_of(obj) != municipality.id:
        abort(404)
    if check(current_user, obj):
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    abort(403)


def require(check: Callable[[User | None, Any], bool]):
    """Decorate a municipality-scoped view whose object is the municipality itself."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            authorize(check, g.municipality)
            return view(*args, **kwargs)

        return wrapped

    return decorator

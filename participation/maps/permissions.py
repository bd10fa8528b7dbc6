"""Who may change a municipality's districts and boundary."""

from __future__ import annotations

from participation.core.models import Municipality, User
from participation.core.permissions import can_administer


def can_manage_districts(user: User | None, municipality: Municipality) -> bool:
    """Import districts and draw the municipality's boundary: its administrators."""
    return can_administer(user, municipality)

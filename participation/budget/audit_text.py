"""The audit log as staff read it: each detail under its form's label, in the reader's
language, times in the municipality's zone, pools, projects and districts by name.

The log keeps what happened as JSON with the models' own names and ids
(``services.audit``); this module only words it for the page, so an entry written before a
rename still reads, and an id whose object is gone shows as its number.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask_babel import format_datetime, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from participation.budget.admin_forms import (
    IMPLEMENTATION_LABELS,
    METHOD_LABELS,
    POOL_ACCESS_LABELS,
    RESIDENCE_LABELS,
    RULE_LABELS,
    VERIFICATION_LABELS,
)
from participation.budget.models import (
    AuditEntry,
    Cycle,
    Implementation,
    Method,
    PoolAccess,
    Project,
    Residence,
    Rule,
    Verification,
)
from participation.core.i18n import money
from participation.extensions import db
from participation.ideas.models import Idea, IdeaCall
from participation.maps.models import District

# The label of each detail: the form field's own where there is one.
LABELS = {
    "title": _l("Title"),
    "year": _l("Year"),
    "description": _l("Description"),
    "idea_call_id": _l("Call for ideas that feeds the cycle"),
    "review_until": _l("Review and appeals until"),
    "voting_opens_at": _l("Voting opens"),
    "voting_closes_at": _l("Voting closes"),
    "min_age": _l("Minimum age of voters"),
    "residence": _l("Residence"),
    "pool_access": _l("Pools a voter may vote in"),
    "verification": _l("How voters prove who they are"),
    "expenditure": _l("The municipality's expenditure"),
    "categories": _l("Categories"),
    "pool": _l("Pool"),
    "name": _l("Name"),
    "district": _l("Area"),
    "amount": _l("Amount"),
    "currency": _l("Currency"),
    "method": _l("Voting method"),
    "rule": _l("How winners are picked"),
    "max_projects": _l("Most projects on a ballot"),
    "min_share": _l("Least share of the amount a ballot must spend (%)"),
    "k": _l("Projects a voter may choose (k)"),
    "points": _l("Points a voter spreads"),
    "points_cap": _l("Most points to one project"),
    "plus_votes": _l("Plus votes"),
    "minus_votes": _l("Minus votes"),
    "changeable": _l("Voters may change their ballot until voting closes"),
    "project": _l("Project"),
    "idea": _l("Idea"),
    "cost": _l("Cost"),
    "cost_note": _l("Cost note"),
    "external_id": _l("Id in the imported file"),
    "imported": _l("Residents imported"),
    "replaced": _l("Residents replaced"),
    "batch": _l("Batch name"),
    "count": _l("Number"),
    "selected": _l("Winners"),
    "pools": _l("Winners"),
    "projects": _l("Projects"),
    "ballots": _l("Ballots"),
    "status": _l("Status"),
    "progress": _l("Progress (%)"),
    "milestone": _l("Milestone"),
    "image": _l("Pictures"),
    "images": _l("Pictures"),
}
# Details that say nothing to a reader (the order of pools on the page).
HIDDEN = {"position"}

CHOICES: dict[str, tuple[type, Mapping]] = {
    "residence": (Residence, RESIDENCE_LABELS),
    "pool_access": (PoolAccess, POOL_ACCESS_LABELS),
    "verification": (Verification, VERIFICATION_LABELS),
    "method": (Method, METHOD_LABELS),
    "rule": (Rule, RULE_LABELS),
    "status": (Implementation, IMPLEMENTATION_LABELS),
}
TIMES = {"review_until", "voting_opens_at", "voting_closes_at"}
NUMBERED = {"image", "images", "milestone"}
MONEY = {"amount", "cost", "expenditure"}


class Names:
    """Names of what a cycle's log refers to by id, each looked up once per page."""

    def __init__(self, cycle: Cycle):
        self.cycle = cycle
        self.pools = {pool.id: pool.name for pool in cycle.pools}
        self._projects: dict[str, str] | None = None

    @property
    def projects(self) -> dict[str, str]:
        if self._projects is None:
            rows = db.session.execute(
                select(Project.id, Project.title).where(Project.cycle_id == self.cycle.id)
            )
            self._projects = {str(pid): title for pid, title in rows}
        return self._projects

    def pool(self, value) -> str:
        return self.pools.get(_as_int(value)) or _numbered(value)

    def project(self, value) -> str:
        return self.projects.get(str(value)) or _numbered(value)

    def idea(self, value) -> str:
        idea = _get(Idea, value)
        ours = idea is not None and idea.municipality_id == self.cycle.municipality_id
        return f"{idea.title} ({_numbered(value)})" if ours else _numbered(value)

    def call(self, value) -> str:
        call = _get(IdeaCall, value)
        ours = call is not None and call.municipality_id == self.cycle.municipality_id
        return call.title if ours else _numbered(value)

    def district(self, value) -> str:
        if value in (None, ""):
            return _("The whole municipality")
        district = _get(District, value)
        ours = district is not None and district.municipality_id == self.cycle.municipality_id
        return district.name if ours else _numbered(value)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _get(model, value):
    number = _as_int(value)
    return db.session.get(model, number) if number is not None else None


def _numbered(value) -> str:
    return f"#{value}"


def _time(value) -> str:
    try:
        return format_datetime(datetime.fromisoformat(str(value)), "short")
    except ValueError:
        return str(value)


def _money(value, currency: str | None) -> str:
    try:
        return money(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return str(value)


def _plain(value) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, int | float):
        return format_decimal(value)
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value) or "–"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _word(key: str, value, detail: Mapping, names: Names) -> str:
    lookups: dict[str, Callable] = {
        "pool": names.pool,
        "project": names.project,
        "idea": names.idea,
        "idea_call_id": names.call,
        "district": names.district,
    }
    if key in lookups:
        return lookups[key](value) if value is not None or key == "district" else "–"
    if key in CHOICES:
        kind, labels = CHOICES[key]
        try:
            return str(labels[kind(value)])
        except ValueError:
            return str(value)
    if key in TIMES and value:
        return _time(value)
    if key == "year":
        return str(value)
    if key in NUMBERED:  # things without a name of their own: their number
        values = value if isinstance(value, list) else [value]
        return ", ".join(_numbered(v) for v in values) or "–"
    if key in MONEY and value not in (None, ""):
        return _money(value, detail.get("currency") if key != "expenditure" else None)
    if key == "selected" and isinstance(value, list):
        return ", ".join(names.project(v) for v in value) or "–"
    if key == "pools" and isinstance(value, dict):
        return "; ".join(
            f"{names.pool(pool)}: {', '.join(names.project(p) for p in projects) or '–'}"
            for pool, projects in value.items()
        )
    return _plain(value)


def describe(entry: AuditEntry, names: Names) -> list[tuple[str, str]]:
    """An entry's details as (label, value) pairs for the page, in the log's order."""
    try:
        detail = json.loads(entry.detail or "{}")
    except ValueError:
        return [("", entry.detail)]
    if not isinstance(detail, dict):
        return [("", str(detail))]
    return [
        (str(LABELS.get(key, key)), _word(key, value, detail, names))
        for key, value in detail.items()
        if key not in HIDDEN
    ]

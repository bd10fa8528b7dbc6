"""Who may do what in participatory budgeting, aware of the cycle's phase.

Each ``can_<verb>(user, obj)`` answers for the current moment; ``authorize`` in
core.permissions enforces them and 404s objects of another municipality. Whether a
person is *eligible* to vote in a pool (age, district, verification) is decided by
``services.eligibility``, because it needs the person's proof, not only their account.
"""

from __future__ import annotations

from participation.budget import voting
from participation.budget.models import Cycle, Pool, Project
from participation.budget.voting import Phase
from participation.core.models import Role, User, utcnow


def _signed_in(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated)


def _roles(user: User | None, municipality) -> set[Role]:
    if not _signed_in(user):
        return set()
    if user.is_platform_admin:
        return set(Role)
    return user.roles_in(municipality)


def phase(cycle: Cycle) -> Phase:
    return voting.phase(
        cycle.voting_opens_at, cycle.voting_closes_at, cycle.results_published_at, utcnow()
    )


def can_manage_budget(user: User | None, municipality) -> bool:
    """Create and configure cycles, pools and projects: coordinators and admins."""
    return bool(_roles(user, municipality) & {Role.ADMIN, Role.COORDINATOR})


def can_manage_cycle(user: User | None, cycle: Cycle) -> bool:
    return can_manage_budget(user, cycle.municipality)


def can_view_cycle(user: User | None, cycle: Cycle) -> bool:
    """Unpublished cycles are for staff only."""
    return cycle.published_at is not None or can_manage_cycle(user, cycle)


def can_view_project(user: User | None, project: Project) -> bool:
    return can_view_cycle(user, project.cycle)


def can_edit_projects(user: User | None, cycle: Cycle) -> bool:
    """Projects and pools change until voting opens; the ballot is fixed after."""
    return can_manage_cycle(user, cycle) and phase(cycle) == Phase.PREPARATION


def can_vote(user: User | None, pool: Pool) -> bool:
    """The ballot page is open to anyone while voting runs; eligibility and proof are
    checked on submission (a code or register voter needs no account)."""
    return voting.voting_open(pool.cycle.published_at is not None, phase(pool.cycle))


def can_cast(user: User | None, rules) -> bool:
    """:func:`can_vote` for a pool's ``services.BallotRules`` (read without objects)."""
    return voting.voting_open(rules.published, rules.phase())


def can_enter_paper_ballots(user: User | None, cycle: Cycle) -> bool:
    """Staff enter paper ballots from polling stations during voting and counting."""
    return bool(_roles(user, cycle.municipality) & {Role.ADMIN, Role.COORDINATOR}) and phase(
        cycle
    ) in {Phase.VOTING, Phase.COUNTING}


def can_manage_codes(user: User | None, cycle: Cycle) -> bool:
    return can_manage_cycle(user, cycle)


def can_tally(user: User | None, cycle: Cycle) -> bool:
    """Count (and preview results) once voting has closed."""
    return can_manage_cycle(user, cycle) and phase(cycle) in {Phase.COUNTING, Phase.RESULTS}


def can_publish_results(user: User | None, cycle: Cycle) -> bool:
    return can_manage_cycle(user, cycle) and phase(cycle) == Phase.COUNTING


def can_view_results(user: User | None, cycle: Cycle) -> bool:
    return phase(cycle) == Phase.RESULTS or can_tally(user, cycle)


def can_track_implementation(user: User | None, cycle: Cycle) -> bool:
    return can_manage_cycle(user, cycle) and phase(cycle) == Phase.RESULTS


def can_view_audit(user: User | None, cycle: Cycle) -> bool:
    return can_manage_cycle(user, cycle)

"""Who may do what with idea calls and ideas, aware of the call's phase and the idea's status.

Each ``can_<verb>(user, obj)`` answers for the current moment. ``authorize`` in
core.permissions enforces them and checks that the object is of the URL's town.
"""

from __future__ import annotations

from sqlalchemy import func, select

from participation.core.models import Role, User, utcnow
from participation.core.permissions import STAFF_ROLES
from participation.core.services import is_verified_resident
from participation.extensions import db
from participation.ideas import rules
from participation.ideas.models import Appeal, Comment, Idea, IdeaCall, Submitters
from participation.ideas.rules import IdeaStatus, Phase


def _signed_in(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated)


def _roles(user: User | None, municipality) -> set[Role]:
    if not _signed_in(user):
        return set()
    if user.is_platform_admin:
        return set(Role)
    return user.roles_in(municipality)


def _is_author(user: User | None, idea: Idea) -> bool:
    return _signed_in(user) and idea.author_id == user.id


def phase(call: IdeaCall) -> Phase:
    return rules.call_phase(call.opens_at, call.closes_at, utcnow())


def can_manage_calls(user: User | None, municipality) -> bool:
    """Open, edit and export calls: coordinators and administrators."""
    return bool(_roles(user, municipality) & {Role.ADMIN, Role.COORDINATOR})


def can_view_call(user: User | None, call: IdeaCall) -> bool:
    return True


def may_submit(user: User | None, call: IdeaCall) -> bool:
    """Whether this person meets the call's rule on who submits (not counting limits)."""
    if not _signed_in(user):
        return False
    if call.submitters == Submitters.ANY_ACCOUNT:
        return True
    if not user.email_confirmed:
        return False
    if call.submitters == Submitters.VERIFIED_RESIDENT:
        return is_verified_resident(user, call.municipality)
    return True


def ideas_submitted_by(user: User, call: IdeaCall) -> int:
    return db.session.scalar(
        select(func.count(Idea.id)).where(
            Idea.call_id == call.id, Idea.author_id == user.id, Idea.status != IdeaStatus.DRAFT
        )
    )


def can_submit_idea(user: User | None, call: IdeaCall) -> bool:
    """Write an idea into an open call, within the call's rule and limit."""
    if phase(call) != Phase.OPEN or not may_submit(user, call):
        return False
    limit = call.max_ideas_per_person
    return limit is None or ideas_submitted_by(user, call) < limit


def can_view_idea(user: User | None, idea: Idea) -> bool:
    """Drafts are their author's alone; hidden ideas still show their page with the reason."""
    if idea.status == IdeaStatus.DRAFT:
        return _is_author(user, idea)
    return True


def can_edit_idea(user: User | None, idea: Idea) -> bool:
    """The author edits a draft while the call is open."""
    return (
        _is_author(user, idea)
        and idea.status == IdeaStatus.DRAFT
        and phase(idea.call) == Phase.OPEN
    )


def can_support(user: User | None, idea: Idea) -> bool:
    """Confirmed accounts support others' ideas while they collect supporters."""
    return (
        _signed_in(user)
        and user.email_confirmed
        and not _is_author(user, idea)
        and not idea.hidden
        and rules.support_open(idea.status, idea.call.support_deadline, utcnow())
    )


def can_comment(user: User | None, idea: Idea) -> bool:
    return (
        _signed_in(user)
        and user.email_confirmed
        and idea.status != IdeaStatus.DRAFT
        and not idea.hidden
    )


def can_edit_comment(user: User | None, comment: Comment) -> bool:
    return (
        _signed_in(user)
        and comment.author_id == user.id
        and not comment.hidden
        and rules.comment_editable(comment.created_at, utcnow())
    )


def can_report(user: User | None, target: Idea | Comment) -> bool:
    return _signed_in(user) and not target.hidden


def can_follow(user: User | None, idea: Idea) -> bool:
    return _signed_in(user) and idea.status != IdeaStatus.DRAFT


def can_moderate(user: User | None, municipality) -> bool:
    """Hide and restore ideas and comments: moderators and administrators."""
    return bool(_roles(user, municipality) & {Role.ADMIN, Role.MODERATOR})


def can_review(user: User | None, idea: Idea) -> bool:
    """Assess an idea that is under review: reviewers and administrators."""
    return (
        bool(_roles(user, idea.call.municipality) & {Role.ADMIN, Role.REVIEWER})
        and idea.status == IdeaStatus.UNDER_REVIEW
    )


def can_see_review_queue(user: User | None, municipality) -> bool:
    return bool(_roles(user, municipality) & {Role.ADMIN, Role.REVIEWER})


def has_appeal(idea: Idea) -> bool:
    return db.session.scalar(select(Appeal.id).where(Appeal.idea_id == idea.id)) is not None


def can_appeal(user: User | None, idea: Idea) -> bool:
    """The author appeals a rejection once, within the call's days."""
    return _is_author(user, idea) and rules.appeal_open(
        idea.status, idea.decided_at, idea.call.appeal_days, utcnow(), has_appeal(idea)
    )


def can_decide_appeal(user: User | None, idea: Idea) -> bool:
    """A coordinator (or administrator) decides a pending appeal."""
    return (
        bool(_roles(user, idea.call.municipality) & {Role.ADMIN, Role.COORDINATOR})
        and idea.status == IdeaStatus.APPEALED
    )


def is_staff(user: User | None, municipality) -> bool:
    return bool(_roles(user, municipality) & STAFF_ROLES)

"""Who may do what with consultations, aware of the consultation's status.

Each ``can_<verb>(user, obj)`` answers for the current moment. ``authorize`` in
core.permissions enforces them and checks that the object is of the URL's town.
"""

from __future__ import annotations

from participation.consultations.models import Consultation, ConsultationComment, Response
from participation.consultations.rules import PUBLIC_STATUSES, Status
from participation.core.models import Role, User


def _signed_in(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated)


def _roles(user: User | None, municipality) -> set[Role]:
    if not _signed_in(user):
        return set()
    if user.is_platform_admin:
        return set(Role)
    return user.roles_in(municipality)


def can_manage_consultations(user: User | None, municipality) -> bool:
    """Create, edit, open and close consultations, see results any time, enter paper
    input, answer inputs and publish reports: coordinators and administrators."""
    return bool(_roles(user, municipality) & {Role.ADMIN, Role.COORDINATOR})


def can_manage(user: User | None, consultation: Consultation) -> bool:
    return can_manage_consultations(user, consultation.municipality)


def can_view(user: User | None, consultation: Consultation) -> bool:
    """Drafts are for staff who manage consultations; the rest is public."""
    return consultation.status in PUBLIC_STATUSES or can_manage(user, consultation)


def can_edit_survey(user: User | None, consultation: Consultation) -> bool:
    """The survey changes until the close; meaning changes stop at the first response
    (``services.update_question`` refuses them)."""
    return can_manage(user, consultation) and consultation.status in {
        Status.DRAFT,
        Status.SCHEDULED,
        Status.OPEN,
    }


def can_edit_draft_text(user: User | None, consultation: Consultation) -> bool:
    """The draft text is replaced until the consultation opens (comments point to it)."""
    return can_manage(user, consultation) and consultation.status in {
        Status.DRAFT,
        Status.SCHEDULED,
    }


def may_respond(user: User | None, consultation: Consultation) -> bool:
    """Whether this person meets the consultation's rule on who responds."""
    if consultation.anonymous_responses:
        return True
    return _signed_in(user) and user.email_confirmed


def can_respond(user: User | None, consultation: Consultation) -> bool:
    """Answer the survey while the consultation is open."""
    return (
        consultation.has_survey
        and consultation.status == Status.OPEN
        and may_respond(user, consultation)
    )


def can_edit_response(user: User | None, response: Response) -> bool:
    """A signed-in respondent edits their own online response until the close."""
    return (
        _signed_in(user)
        and response.respondent_id == user.id
        and response.consultation.status == Status.OPEN
    )


def can_comment(user: User | None, consultation: Consultation) -> bool:
    """ConsultationComment on the draft or openly while open: confirmed accounts."""
    return (
        (consultation.has_draft or consultation.open_comments)
        and consultation.status == Status.OPEN
        and _signed_in(user)
        and user.email_confirmed
    )


def can_see_comments(user: User | None, consultation: Consultation) -> bool:
    """Others' comments: shown if configured, and always once the report is out."""
    return (
        consultation.show_comments
        or consultation.status == Status.REPORT_PUBLISHED
        or can_manage(user, consultation)
    )


def can_see_comment(user: User | None, comment: ConsultationComment) -> bool:
    if can_see_comments(user, comment.consultation):
        return True
    return _signed_in(user) and comment.author_id == user.id


def can_view_results(user: User | None, consultation: Consultation) -> bool:
    """Staff at any time; everyone once the consultation has closed."""
    return can_manage(user, consultation) or consultation.status in {
        Status.CLOSED,
        Status.REPORT_PUBLISHED,
    }


def can_enter_paper(user: User | None, consultation: Consultation) -> bool:
    """Paper forms come in while open and for a while after; not after the report."""
    return can_manage(user, consultation) and consultation.status in {Status.OPEN, Status.CLOSED}


def can_reply(user: User | None, consultation: Consultation) -> bool:
    """Answer inputs and tag free text, until the report is published."""
    return can_manage(user, consultation) and consultation.status in {
        Status.OPEN,
        Status.CLOSED,
    }


def can_publish_report(user: User | None, consultation: Consultation) -> bool:
    """After the close; ``services.publish_report`` also wants every input answered."""
    return can_manage(user, consultation) and consultation.status == Status.CLOSED


def can_view_report(user: User | None, consultation: Consultation) -> bool:
    return consultation.status == Status.REPORT_PUBLISHED or can_manage(user, consultation)


def can_follow(user: User | None, consultation: Consultation | None = None) -> bool:
    return _signed_in(user)

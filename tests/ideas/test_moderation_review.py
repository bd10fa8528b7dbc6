"""Moderators hide and restore; reviewers decide; authors appeal; coordinators decide appeals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from participation.core.models import Role, utcnow
from participation.extensions import db
from participation.ideas import services
from participation.ideas.models import Appeal, Comment, Follow, Report, Review
from participation.ideas.rules import IdeaStatus
from tests.factories import make_call, make_idea, make_user
from tests.ideas.helpers import IN_STRED, Browser, text


@pytest.fixture
def author(town):
    return make_user(municipality=town.municipality, roles=(Role.RESIDENT,), language="en")


@pytest.fixture
def call(town):
    return make_call(town.municipality, support_threshold=3, appeal_days=14)


def followed_idea(call, author, **fields):
    idea = make_idea(call, author, lat=IN_STRED[0], lon=IN_STRED[1], **fields)
    db.session.add(Follow(idea_id=idea.id, user_id=author.id))
    db.session.flush()
    return idea


# --- moderation ----------------------------------------------------------------------------


def test_a_moderator_hides_a_reported_comment_with_a_public_reason_and_restores_it(
    app, town, call, author, outbox
):
    idea = followed_idea(call, make_user(), title="Lavička u řeky")
    comment = Comment(idea_id=idea.id, author_id=author.id, body="Vy hlupáci!")
    db.session.add(comment)
    db.session.flush()
    for reason in ("Urážka", "Sprosté"):
        db.session.add(
            Report(
                municipality_id=town.municipality.id,
                comment_id=comment.id,
                reporter_id=make_user().id,
                reason=reason,
            )
        )
    db.session.flush()
    moderator = Browser(app, make_user(municipality=town.municipality, roles=(Role.MODERATOR,)))
    queue = moderator.page("/lipnice/ideas/moderation")
    assert "Urážka" in queue and "Sprosté" in queue
    hide_url = f"/lipnice/ideas/moderation/comment/{comment.id}/hide"
    assert "Vy hlupáci!" in moderator.page(hide_url)

    response = moderator.post(hide_url, {"reason": ""})
    assert response.status_code == 200 and "This field is required." in text(response)
    response = moderator.post(hide_url, {"reason": "Urážlivý komentář."}, follow_redirects=True)
    assert "Hidden. The reason is shown in its place." in text(response)
    assert "No report is waiting. Well done." in text(response)
    db.session.expire_all()
    assert comment.hidden and comment.hidden_reason == "Urážlivý komentář."
    assert {
        (r.resolution, r.resolved_at is not None) for r in db.session.scalars(select(Report))
    } == {("hidden", True)}
    page = Browser(app).page(f"/lipnice/ideas/{idea.id}")
    assert "A moderator hid this comment: Urážlivý komentář." in page
    assert "Vy hlupáci!" not in page
    assert [m.to for m in outbox] == [author.email]
    assert outbox[0].subject == "A moderator hid your contribution"
    assert "your comment on the idea “Lavička u řeky”" in outbox[0].body
    assert "Urážlivý komentář." in outbox[0].body

    moderator.post(
        f"/lipnice/ideas/moderation/comment/{comment.id}/restore", {"reason": "Po odvolání."}
    )
    db.session.expire_all()
    assert not comment.hidden and comment.hidden_reason is None
    assert "Vy hlupáci!" in Browser(app).page(f"/lipnice/ideas/{idea.id}")
    assert outbox[-1].subject == "A moderator restored your contribution"


def test_a_hidden_idea_shows_the_reason_in_place_of_its_text(app, town, call, author, outbox):
    idea = followed_idea(call, author, title="Půjčky ihned", description="Volejte 777 123 456.")
    db.session.add(Report(municipality_id=town.municipality.id, idea_id=idea.id, reason="Reklama"))
    db.session.flush()
    moderator = Browser(app, make_user(municipality=town.municipality, roles=(Role.ADMIN,)))
    moderator.post(
        f"/lipnice/ideas/moderation/idea/{idea.id}/hide", {"reason": "Reklama, ne nápad."}
    )
    db.session.expire_all()
    assert idea.hidden and idea.status == IdeaStatus.COLLECTING
    assert db.session.scalar(select(Report.resolution)) == "hidden"
    assert (idea.history[-1].status, idea.history[-1].note) == ("hidden", "Reklama, ne nápad.")
    page = Browser(app).page(f"/lipnice/ideas/{idea.id}")
    assert "A moderator hid this idea: Reklama, ne nápad." in page
    assert "Volejte 777 123 456." not in page
    assert "Hidden by a moderator" in page  # on the public history
    assert outbox[-1].to == author.email
    assert "your idea “Půjčky ihned” was changed by a moderator." in outbox[-1].body

    moderator.post(f"/lipnice/ideas/moderation/idea/{idea.id}/restore", {"reason": "Omyl."})
    db.session.expire_all()
    assert not idea.hidden
    page = Browser(app).page(f"/lipnice/ideas/{idea.id}")
    assert "Volejte 777 123 456." in page and "Restored by a moderator" in page


def test_a_dismissed_report_leaves_the_idea_as_it_is(app, town, call):
    idea = make_idea(call, make_user())
    db.session.add(Report(municipality_id=town.municipality.id, idea_id=idea.id, reason="Nuda"))
    db.session.flush()
    moderator = Browser(app, make_user(municipality=town.municipality, roles=(Role.MODERATOR,)))
    response = moderator.post(f"/lipnice/ideas/moderation/idea/{idea.id}/dismiss")
    assert response.headers["Location"] == "/lipnice/ideas/moderation"
    db.session.expire_all()
    assert db.session.scalar(select(Report.resolution)) == "dismissed"
    assert not idea.hidden
    assert "No report is waiting" in moderator.page("/lipnice/ideas/moderation")
    assert moderator.get(f"/lipnice/ideas/moderation/idea/{idea.id}/erase").status_code == 404


# --- review ----------------------------------------------------------------------------------


def review_form(outcome: str, **changes) -> dict:
    form = {
        "legal": "yes",
        "feasible": "yes",
        "cost_estimate": "250000",
        "justification": "Pozemek patří obci.",
        "outcome": outcome,
    }
    form.update(changes)
    return form


@pytest.fixture
def reviewer(app, town):
    return Browser(app, make_user(municipality=town.municipality, roles=(Role.REVIEWER,)))


def test_a_reviewer_accepts_an_idea_with_a_public_assessment(
    app, town, call, author, reviewer, outbox
):
    idea = followed_idea(call, author, status=IdeaStatus.UNDER_REVIEW, title="Pítko")
    other = make_idea(call, make_user(), status=IdeaStatus.APPEALED, title="Odvolaný")
    queue = reviewer.page("/lipnice/ideas/review")
    assert "Pítko" in queue and "Odvolaný" in queue

    response = reviewer.post(f"/lipnice/ideas/{idea.id}/review", review_form("accepted"))
    assert response.headers["Location"] == f"/lipnice/ideas/{idea.id}"
    db.session.expire_all()
    assert idea.status == IdeaStatus.ACCEPTED and idea.decided_at is not None
    review = db.session.scalar(select(Review))
    assert (review.legal, review.feasible, review.cost_estimate) == (True, True, Decimal("250000"))
    assert review.outcome == "accepted" and review.reviewer_id == reviewer.user.id
    step = idea.history[-1]
    assert (step.status, step.note, step.actor_id) == (
        "accepted",
        "Pozemek patří obci.",
        reviewer.user.id,
    )
    page = Browser(app).page(f"/lipnice/ideas/{idea.id}")
    assert "Assessment" in page and "Pozemek patří obci." in page
    assert "250,000.00" in page and "CZK" in page
    history = page.split('id="history-heading"')[1]
    assert "Submitted" in history and "Accepted" in history
    assert [m.to for m in outbox] == [author.email]
    assert "is now: Accepted." in outbox[0].body
    # Decided: no second review.
    assert reviewer.get(f"/lipnice/ideas/{idea.id}/review").status_code == 403
    assert other.status == IdeaStatus.APPEALED


def test_a_review_needs_its_answers(app, call, reviewer):
    idea = make_idea(call, make_user(), status=IdeaStatus.UNDER_REVIEW)
    response = reviewer.post(
        f"/lipnice/ideas/{idea.id}/review", {"justification": "", "cost_estimate": "-5"}
    )
    assert response.status_code == 200
    page = text(response)
    assert page.count("This field is required.") >= 4
    assert "Number must be at least 0." in page
    db.session.expire_all()
    assert idea.status == IdeaStatus.UNDER_REVIEW and db.session.scalar(select(Review)) is None


def test_merging_only_into_another_idea_of_the_same_call(app, town, call, reviewer):
    idea = make_idea(call, make_user(), status=IdeaStatus.UNDER_REVIEW, title="Stojany na kola")
    target = make_idea(call, make_user(), title="Krytá stání pro kola")
    elsewhere = make_idea(make_call(town.municipality), make_user())
    draft = make_idea(call, make_user(), status=IdeaStatus.DRAFT)
    merged = make_idea(call, make_user(), status=IdeaStatus.MERGED)
    hidden = make_idea(call, make_user(), hidden_at=utcnow(), hidden_reason="Spam.")
    url = f"/lipnice/ideas/{idea.id}/review"
    wrongs = (elsewhere.id, idea.id, 999999, 2**31, "", draft.id, merged.id, hidden.id)
    for wrong in wrongs:
        response = reviewer.post(url, review_form("merged", merged_into=str(wrong)))
        assert response.status_code == 200, wrong
        assert "Give the number of another idea of the same call." in text(response)
    db.session.expire_all()
    assert idea.status == IdeaStatus.UNDER_REVIEW and idea.merged_into_id is None

    reviewer.post(url, review_form("merged", merged_into=str(target.id)))
    db.session.expire_all()
    assert idea.status == IdeaStatus.MERGED and idea.merged_into_id == target.id
    page = Browser(app).page(f"/lipnice/ideas/{idea.id}")
    assert f'Merged into <a href="/lipnice/ideas/{target.id}">Krytá stání pro kola</a>' in page
    assert "Merged" in page.split('id="history-heading"')[1]


def test_the_service_refuses_a_merge_across_calls_too(app, town, call):
    idea = make_idea(call, make_user(), status=IdeaStatus.UNDER_REVIEW)
    elsewhere = make_idea(make_call(town.municipality), make_user())
    with pytest.raises(services.IdeaError):
        services.review(idea, make_user(), True, True, None, "Stejné.", "merged", elsewhere)
    assert idea.status == IdeaStatus.UNDER_REVIEW


# --- appeals ---------------------------------------------------------------------------------


def rejected_by_review(app, call, author, reviewer):
    idea = followed_idea(call, author, status=IdeaStatus.UNDER_REVIEW, title="Heliport")
    reviewer.post(
        f"/lipnice/ideas/{idea.id}/review",
        review_form("rejected", legal="no", justification="Odporuje územnímu plánu."),
    )
    db.session.expire_all()
    assert idea.status == IdeaStatus.REJECTED
    return idea


def test_the_author_appeals_once_and_a_coordinator_upholds_it(
    app, town, call, author, reviewer, outbox
):
    idea = rejected_by_review(app, call, author, reviewer)
    browser = Browser(app, author)
    page = browser.page(f"/lipnice/ideas/{idea.id}")
    assert "You may appeal until" in page and "Appeal the decision" in page
    appeal_url = f"/lipnice/ideas/{idea.id}/appeal"
    assert "Odporuje územnímu plánu." in browser.page(appeal_url)
    # Only the author.
    assert Browser(app, make_user()).get(appeal_url).status_code == 403

    response = browser.post(appeal_url, {"text": "Heliport by stál mimo obytnou zónu."})
    assert response.headers["Location"] == f"/lipnice/ideas/{idea.id}"
    db.session.expire_all()
    assert idea.status == IdeaStatus.APPEALED
    appeal = db.session.scalar(select(Appeal))
    assert appeal.text == "Heliport by stál mimo obytnou zónu." and appeal.decided_at is None
    assert idea.history[-1].status == "appealed"
    # No second appeal while this one waits.
    assert browser.post(appeal_url, {"text": "Ještě jednou."}).status_code == 403

    coordinator = Browser(app, make_user(municipality=town.municipality, roles=(Role.COORDINATOR,)))
    decide_url = f"/lipnice/ideas/{idea.id}/appeal/decide"
    page = coordinator.page(decide_url)
    assert "Heliport by stál mimo obytnou zónu." in page and "Odporuje územnímu plánu." in page
    # A reviewer does not decide appeals.
    assert reviewer.get(decide_url).status_code == 403
    coordinator.post(decide_url, {"decision": "upheld", "reason": "Umístění je v pořádku."})
    db.session.expire_all()
    assert idea.status == IdeaStatus.ACCEPTED
    assert appeal.upheld is True and appeal.decision == "Umístění je v pořádku."
    assert appeal.decided_by_id == coordinator.user.id and appeal.decided_at is not None
    public = Browser(app).page(f"/lipnice/ideas/{idea.id}").split('id="history-heading"')[1]
    for label in ("Submitted", "Rejected", "Appealed", "Accepted", "Umístění je v pořádku."):
        assert label in public
    assert public.index("Rejected") < public.index("Appealed") < public.index("Accepted")
    assert outbox[-1].to == author.email and "is now: Accepted." in outbox[-1].body
    assert browser.get(appeal_url).status_code == 403


def test_a_dismissed_appeal_keeps_the_rejection_and_there_is_no_second(
    app, town, call, author, reviewer
):
    idea = rejected_by_review(app, call, author, reviewer)
    browser = Browser(app, author)
    browser.post(f"/lipnice/ideas/{idea.id}/appeal", {"text": "Prosím znovu."})
    admin = Browser(app, make_user(municipality=town.municipality, roles=(Role.ADMIN,)))
    admin.post(
        f"/lipnice/ideas/{idea.id}/appeal/decide",
        {"decision": "dismissed", "reason": "Zamítnutí trvá."},
    )
    db.session.expire_all()
    assert idea.status == IdeaStatus.REJECTED
    assert db.session.scalar(select(Appeal.upheld)) is False
    # Rejected again, within the days, but appealed once already.
    assert browser.get(f"/lipnice/ideas/{idea.id}/appeal").status_code == 403
    assert "Appeal the decision" not in browser.page(f"/lipnice/ideas/{idea.id}")


def test_no_appeal_after_the_call_s_days(app, call, author):
    idea = make_idea(
        call,
        author,
        status=IdeaStatus.REJECTED,
        decided_at=utcnow() - timedelta(days=14, minutes=1),
    )
    assert Browser(app, author).get(f"/lipnice/ideas/{idea.id}/appeal").status_code == 403
    idea.decided_at = utcnow() - timedelta(days=13, hours=23)
    db.session.flush()
    assert Browser(app, author).get(f"/lipnice/ideas/{idea.id}/appeal").status_code == 200

"""Supports, comments with one level of replies, reports and follows, with the mail they send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from participation.core.models import Role, utcnow
from participation.extensions import db
from participation.ideas.models import Comment, Follow, Idea, Report, Support
from participation.ideas.rules import IdeaStatus
from tests.factories import make_call, make_idea, make_user
from tests.ideas.helpers import IN_STRED, Browser, text


@pytest.fixture
def author(town):
    return make_user(
        "autorka@example.test", municipality=town.municipality, roles=(Role.RESIDENT,), name="Jana"
    )


@pytest.fixture
def idea(town, author):
    call = make_call(town.municipality, support_threshold=2)
    idea = make_idea(call, author, title="Lavička u řeky", lat=IN_STRED[0], lon=IN_STRED[1])
    db.session.add(Follow(idea_id=idea.id, user_id=author.id))
    db.session.flush()
    return idea


def supports_of(idea) -> int:
    return db.session.scalar(select(func.count(Support.id)).where(Support.idea_id == idea.id))


# --- supports ----------------------------------------------------------------------------


def test_one_support_per_person_and_it_can_be_withdrawn(app, idea):
    browser = Browser(app, make_user())
    url = f"/lipnice/ideas/{idea.id}/support"
    response = browser.post(url, follow_redirects=True)
    assert "Thank you for your support." in text(response)
    assert "Withdraw my support" in text(response)
    browser.post(url)  # a second click changes nothing
    db.session.expire_all()
    assert idea.support_count == 1 and supports_of(idea) == 1

    response = browser.post(url, {"withdraw": "1"}, follow_redirects=True)
    assert "Your support is withdrawn." in text(response)
    browser.post(url, {"withdraw": "1"})  # nothing to withdraw: no negative count
    db.session.expire_all()
    assert idea.support_count == 0 and supports_of(idea) == 0
    assert idea.status == IdeaStatus.COLLECTING


def test_the_database_keeps_one_support_per_person(app, idea):
    user = make_user()
    db.session.add(Support(idea_id=idea.id, user_id=user.id))
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(Support(idea_id=idea.id, user_id=user.id))
        db.session.flush()
    assert supports_of(idea) == 1


def test_reaching_the_threshold_moves_the_idea_to_review_by_itself(app, idea, author, outbox):
    author.language = "en"
    follower = make_user(language="en")
    quiet = make_user(language="en")
    quiet.notify_status_changes = False  # as set on the profile page
    db.session.flush()
    for person in (follower, quiet):
        Browser(app, person).post(f"/lipnice/ideas/{idea.id}/follow")
    first, second = Browser(app, make_user()), Browser(app, make_user())
    first.post(f"/lipnice/ideas/{idea.id}/support")
    db.session.expire_all()
    assert idea.status == IdeaStatus.COLLECTING and outbox == []

    second.post(f"/lipnice/ideas/{idea.id}/support")
    db.session.expire_all()
    assert idea.support_count == 2
    assert idea.status == IdeaStatus.UNDER_REVIEW
    step = idea.history[-1]
    assert step.status == "under_review" and step.actor_id is None
    assert step.note == "The idea reached 2 supporters."
    # Followers who want status mail get it; the one who said no does not.
    assert sorted(m.to for m in outbox) == sorted([author.email, follower.email])
    mail = outbox[0]
    assert mail.subject == "News about the idea “Lavička u řeky”"
    assert "is now: Under review." in mail.body
    assert f"http://localhost/lipnice/ideas/{idea.id}" in mail.body

    page = Browser(app).page(f"/lipnice/ideas/{idea.id}")
    assert "Under review" in page and "The idea reached 2 supporters." in page
    # Collecting is over: no more supports, none withdrawn.
    assert Browser(app, make_user()).post(f"/lipnice/ideas/{idea.id}/support").status_code == 403
    assert first.post(f"/lipnice/ideas/{idea.id}/support", {"withdraw": "1"}).status_code == 403


def test_unconfirmed_accounts_and_authors_do_not_support(app, idea, author):
    for user in (author, make_user(confirmed=False)):
        assert Browser(app, user).post(f"/lipnice/ideas/{idea.id}/support").status_code == 403
    anonymous = Browser(app).post(f"/lipnice/ideas/{idea.id}/support")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/account/login?next=")
    db.session.expire_all()
    assert idea.support_count == 0


# --- comments ----------------------------------------------------------------------------


def test_comments_have_one_level_of_replies(app, idea, author, outbox):
    author.language = "en"
    neighbour = make_user(language="en", name="Petr")
    browser, neighbour_browser = Browser(app, author), Browser(app, neighbour)
    url = f"/lipnice/ideas/{idea.id}/comments"

    response = neighbour_browser.post(url, {"body": "Výborný **nápad**."})
    top = db.session.scalar(select(Comment))
    assert response.headers["Location"] == f"/lipnice/ideas/{idea.id}#c{top.id}"
    assert top.parent_id is None and top.author_id == neighbour.id

    browser.post(url, {"body": "Děkuji!", "parent_id": str(top.id)})
    reply = db.session.scalar(select(Comment).where(Comment.parent_id == top.id))
    assert reply.body == "Děkuji!"
    # The parent's author is told.
    assert [m.to for m in outbox] == [neighbour.email]
    assert outbox[0].subject == "A reply to your comment on “Lavička u řeky”"
    assert "Děkuji!" in outbox[0].body

    # A reply to a reply is refused.
    response = neighbour_browser.post(url, {"body": "A do třetice.", "parent_id": str(reply.id)})
    assert response.status_code == 422
    assert "Reply to a comment of this idea." in text(response)
    # So is a reply to a comment of another idea, and to none at all.
    other = make_idea(idea.call, make_user())
    elsewhere = Comment(idea_id=other.id, author_id=author.id, body="Jinde")
    db.session.add(elsewhere)
    db.session.flush()
    response = neighbour_browser.post(url, {"body": "Sem?", "parent_id": str(elsewhere.id)})
    assert response.status_code == 422
    assert neighbour_browser.post(url, {"body": "Kam?", "parent_id": "999999"}).status_code == 404
    # Numbers no comment id can be (past PostgreSQL's integer, SQLite's, int()'s 4,300
    # digits; "²").
    for odd in (str(2**31), "9" * 20, "1" * 5000, "²"):
        assert neighbour_browser.post(url, {"body": "Kam?", "parent_id": odd}).status_code == 404
    assert neighbour_browser.post(url, {"body": ""}).status_code == 422
    assert db.session.scalar(select(func.count(Comment.id))) == 3

    page = Browser(app).page(f"/lipnice/ideas/{idea.id}")
    assert "Výborný <strong>nápad</strong>." in page
    thread = page.split(f'id="c{top.id}"')[1]
    assert f'id="c{reply.id}"' in thread.split('class="comments replies"')[1]
    assert len(outbox) == 1


def test_replies_to_oneself_or_to_someone_who_said_no_send_no_mail(app, idea, author, outbox):
    quiet = make_user()
    quiet.notify_replies = False
    own = Comment(idea_id=idea.id, author_id=author.id, body="Doplním fotky.")
    theirs = Comment(idea_id=idea.id, author_id=quiet.id, body="Hmm.")
    db.session.add_all([own, theirs])
    db.session.flush()
    browser = Browser(app, author)
    browser.post(f"/lipnice/ideas/{idea.id}/comments", {"body": "Hotovo.", "parent_id": own.id})
    browser.post(f"/lipnice/ideas/{idea.id}/comments", {"body": "Proč?", "parent_id": theirs.id})
    assert db.session.scalar(select(func.count(Comment.id))) == 4
    assert outbox == []


def test_a_comment_is_editable_by_its_author_for_a_short_time(app, idea, author):
    browser = Browser(app, author)
    browser.post(f"/lipnice/ideas/{idea.id}/comments", {"body": "Překlep v texu."})
    comment = db.session.scalar(select(Comment))
    url = f"/lipnice/ideas/comments/{comment.id}/edit"
    assert "Překlep v texu." in browser.page(url)
    response = browser.post(url, {"body": "Překlep v textu."})
    assert response.headers["Location"] == f"/lipnice/ideas/{idea.id}#c{comment.id}"
    db.session.expire_all()
    assert comment.body == "Překlep v textu." and comment.edited_at is not None
    page = browser.page(f"/lipnice/ideas/{idea.id}")
    assert "edited" in page and f'href="{url}"' in page

    # Not by anyone else.
    assert Browser(app, make_user()).post(url, {"body": "Cizí."}).status_code == 403
    # Not after the window.
    comment.created_at = utcnow() - timedelta(minutes=16)
    db.session.flush()
    assert browser.post(url, {"body": "Pozdě."}).status_code == 403
    assert f'href="{url}"' not in browser.page(f"/lipnice/ideas/{idea.id}")
    db.session.expire_all()
    assert comment.body == "Překlep v textu."


def test_ideas_and_comments_are_reported_with_a_reason(app, town, idea, author):
    comment = Comment(idea_id=idea.id, author_id=author.id, body="Hloupost.")
    db.session.add(comment)
    db.session.flush()
    reporter = make_user()
    browser = Browser(app, reporter)
    url = f"/lipnice/ideas/{idea.id}/comments/{comment.id}/report"
    assert "You are reporting a comment on “Lavička u řeky”." in browser.page(url)
    response = browser.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required." in text(response)
    assert db.session.scalar(select(Report)) is None

    response = browser.post(url, {"reason": "Urážlivé."}, follow_redirects=True)
    assert "Thank you. A moderator will look at it." in text(response)
    browser.post(f"/lipnice/ideas/{idea.id}/report", {"reason": "Reklama."})
    reports = db.session.scalars(select(Report).order_by(Report.id)).all()
    assert [(r.comment_id, r.idea_id, r.reason) for r in reports] == [
        (comment.id, None, "Urážlivé."),
        (None, idea.id, "Reklama."),
    ]
    assert all(r.reporter_id == reporter.id and r.resolved_at is None for r in reports)
    assert all(r.municipality_id == town.municipality.id for r in reports)

    moderator = make_user(municipality=town.municipality, roles=(Role.MODERATOR,))
    queue = Browser(app, moderator).page("/lipnice/ideas/moderation")
    assert "Urážlivé." in queue and "Reklama." in queue and "Hloupost." in queue
    # A comment of another idea through this idea's URL: not found.
    other = make_idea(idea.call, make_user())
    assert browser.get(f"/lipnice/ideas/{other.id}/comments/{comment.id}/report").status_code == 404


def test_following_and_unfollowing(app, idea):
    user = make_user()
    browser = Browser(app, user)
    response = browser.post(f"/lipnice/ideas/{idea.id}/follow", follow_redirects=True)
    assert "You follow this idea: we email you when its status changes." in text(response)
    assert "Stop following" in text(response)
    browser.post(f"/lipnice/ideas/{idea.id}/follow")  # once only
    followers = select(func.count(Follow.id)).where(Follow.user_id == user.id)
    assert db.session.scalar(followers) == 1
    response = browser.post(
        f"/lipnice/ideas/{idea.id}/follow", {"stop": "1"}, follow_redirects=True
    )
    assert "You no longer follow this idea." in text(response)
    assert db.session.scalar(followers) == 0


def test_a_comment_on_a_hidden_idea_is_refused(app, idea):
    idea.hidden_at = utcnow()
    idea.hidden_reason = "Spam"
    db.session.flush()
    response = Browser(app, make_user()).post(
        f"/lipnice/ideas/{idea.id}/comments", {"body": "Ahoj"}
    )
    assert response.status_code == 403
    assert db.session.scalar(select(Comment)) is None
    assert db.session.get(Idea, idea.id).status == IdeaStatus.COLLECTING

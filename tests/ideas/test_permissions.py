"""Who may do what with ideas: role x call phase x action, by the rules and over HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from participation.core.models import Role, utcnow
from participation.core.services import grant_role, verify_resident
from participation.extensions import db
from participation.ideas import permissions as can
from participation.ideas.models import Comment, Submitters
from participation.ideas.rules import IdeaStatus
from tests.factories import make_call, make_idea, make_user
from tests.ideas.helpers import Browser

ROLES = (
    "anonymous",
    "unconfirmed",
    "resident",
    "verified",
    "author",
    "moderator",
    "reviewer",
    "coordinator",
    "admin",
    "admin_elsewhere",
    "platform_admin",
)
PHASES = ("upcoming", "open", "closed")
CONFIRMED = frozenset(ROLES) - {"anonymous", "unconfirmed"}
SIGNED_IN = frozenset(ROLES) - {"anonymous"}

# action -> who may, in every phase, unless a phase is named. An upcoming call has no
# ideas yet, so only the actions on the call and the town are asked there (None: n/a).
# Supports, comments and reports follow the idea (and its support deadline), not the
# call's submission window: ideas keep collecting supporters after a call closes.
EXPECTED: dict[str, dict[str, frozenset | None]] = {
    "submit": {"open": CONFIRMED, "upcoming": frozenset(), "closed": frozenset()},
    "edit_draft": {"open": frozenset({"author"}), "upcoming": None, "closed": frozenset()},
    "support": {"*": CONFIRMED - {"author"}, "upcoming": None},
    "comment": {"*": CONFIRMED, "upcoming": None},
    "report": {"*": SIGNED_IN, "upcoming": None},
    "moderate": {"*": frozenset({"moderator", "admin", "platform_admin"})},
    "review": {"*": frozenset({"reviewer", "admin", "platform_admin"}), "upcoming": None},
    "appeal": {"*": frozenset({"author"}), "upcoming": None},
    "decide_appeal": {"*": frozenset({"coordinator", "admin", "platform_admin"}), "upcoming": None},
    "manage": {"*": frozenset({"coordinator", "admin", "platform_admin"})},
}


def expected(action: str, phase: str) -> frozenset | None:
    rule = EXPECTED[action]
    return rule[phase] if phase in rule else rule["*"]


@dataclass
class World:
    town: object
    call: object
    people: dict
    draft: object = None
    collecting: object = None
    under_review: object = None
    rejected: object = None
    appealed: object = None


def make_world(town, other_town, phase: str) -> World:
    municipality = town.municipality
    people = {
        "anonymous": None,
        "unconfirmed": make_user(
            municipality=municipality, roles=(Role.RESIDENT,), confirmed=False
        ),
        "resident": make_user(municipality=municipality, roles=(Role.RESIDENT,)),
        "verified": make_user(),
        "author": make_user(municipality=municipality, roles=(Role.RESIDENT,)),
        "admin_elsewhere": make_user(municipality=other_town.municipality, roles=(Role.ADMIN,)),
        "platform_admin": make_user(platform_admin=True),
    }
    verify_resident(municipality, people["verified"], by=None)
    for role in (Role.MODERATOR, Role.REVIEWER, Role.COORDINATOR, Role.ADMIN):
        people[role.value] = make_user(municipality=municipality, roles=(role,))
    call = make_call(municipality, phase=phase, submitters=Submitters.CONFIRMED_EMAIL)
    world = World(town, call, people)
    if phase != "upcoming":
        author = people["author"]
        world.draft = make_idea(call, author, status=IdeaStatus.DRAFT)
        world.collecting = make_idea(call, author, status=IdeaStatus.COLLECTING)
        world.under_review = make_idea(call, author, status=IdeaStatus.UNDER_REVIEW)
        world.rejected = make_idea(
            call, author, status=IdeaStatus.REJECTED, decided_at=utcnow() - timedelta(days=1)
        )
        world.appealed = make_idea(call, author, status=IdeaStatus.APPEALED)
    return world


def answers(world: World, user) -> dict[str, bool | None]:
    municipality = world.town.municipality
    idea_actions = {
        "edit_draft": lambda: can.can_edit_idea(user, world.draft),
        "support": lambda: can.can_support(user, world.collecting),
        "comment": lambda: can.can_comment(user, world.collecting),
        "report": lambda: can.can_report(user, world.collecting),
        "review": lambda: can.can_review(user, world.under_review),
        "appeal": lambda: can.can_appeal(user, world.rejected),
        "decide_appeal": lambda: can.can_decide_appeal(user, world.appealed),
    }
    result = {
        "submit": can.can_submit_idea(user, world.call),
        "moderate": can.can_moderate(user, municipality),
        "manage": can.can_manage_calls(user, municipality),
    }
    for action, check in idea_actions.items():
        result[action] = check() if world.draft is not None else None
    return result


@pytest.mark.parametrize("phase", PHASES)
def test_permission_matrix_of_the_rules(app, town, other_town, phase):
    world = make_world(town, other_town, phase)
    wrong = []
    for role in ROLES:
        got = answers(world, world.people[role])
        for action in EXPECTED:
            allowed = expected(action, phase)
            want = None if allowed is None else role in allowed
            if got[action] != want:
                wrong.append((role, action, f"got {got[action]}, expected {want}"))
    assert wrong == []


# The same matrix through the real endpoints, for a representative subset of actions.
# (action, method, url of the world, form data, status when allowed)
ENDPOINTS = (
    ("submit", "get", lambda w: f"/lipnice/ideas/calls/{w.call.id}/submit", None, 200),
    ("edit_draft", "get", lambda w: f"/lipnice/ideas/{w.draft.id}/edit", None, 200),
    ("support", "post", lambda w: f"/lipnice/ideas/{w.collecting.id}/support", {}, 302),
    (
        "comment",
        "post",
        lambda w: f"/lipnice/ideas/{w.collecting.id}/comments",
        {"body": "Souhlasím."},
        302,
    ),
    ("report", "get", lambda w: f"/lipnice/ideas/{w.collecting.id}/report", None, 200),
    ("moderate", "get", lambda w: "/lipnice/ideas/moderation", None, 200),
    ("review", "get", lambda w: f"/lipnice/ideas/{w.under_review.id}/review", None, 200),
    ("appeal", "get", lambda w: f"/lipnice/ideas/{w.rejected.id}/appeal", None, 200),
    (
        "decide_appeal",
        "get",
        lambda w: f"/lipnice/ideas/{w.appealed.id}/appeal/decide",
        None,
        200,
    ),
    ("manage", "get", lambda w: f"/lipnice/ideas/calls/{w.call.id}/export.csv", None, 200),
    ("manage", "get", lambda w: f"/lipnice/ideas/calls/{w.call.id}/edit", None, 200),
)


# Every role while the call is open; before and after, the roles whose answers change.
HTTP_CASES = [("open", role) for role in ROLES] + [
    (phase, role)
    for phase in ("upcoming", "closed")
    for role in ("anonymous", "resident", "author", "moderator", "coordinator", "admin_elsewhere")
]


@pytest.mark.parametrize("phase, role", HTTP_CASES)
def test_permission_matrix_over_http(app, town, other_town, phase, role):
    world = make_world(town, other_town, phase)
    browser = Browser(app, world.people[role])
    wrong = []
    for action, method, url_of, data, ok in ENDPOINTS:
        allowed = expected(action, phase)
        if allowed is None:
            continue
        url = url_of(world)
        if method == "get":
            response = browser.get(url)
        else:
            response = browser.post(url, data)
        if role in allowed:
            want = ok
        else:
            want = 302 if role == "anonymous" else 403
        if response.status_code != want:
            wrong.append((action, url, f"got {response.status_code}, expected {want}"))
        elif response.status_code == 302:
            location = response.headers["Location"]
            goes_to_login = location.startswith("/account/login?next=")
            if goes_to_login != (role == "anonymous"):
                wrong.append((action, url, f"redirected to {location}"))
    assert wrong == []


@pytest.mark.parametrize(
    "submitters, allowed",
    [
        (
            Submitters.ANY_ACCOUNT,
            {"unconfirmed", "resident", "verified", "verified_elsewhere"},
        ),
        (Submitters.CONFIRMED_EMAIL, {"resident", "verified", "verified_elsewhere"}),
        (Submitters.VERIFIED_RESIDENT, {"verified"}),
    ],
)
def test_who_may_submit_follows_the_call_rule(app, town, other_town, submitters, allowed):
    municipality = town.municipality
    people = {
        "anonymous": None,
        "unconfirmed": make_user(confirmed=False),
        "resident": make_user(municipality=municipality, roles=(Role.RESIDENT,)),
        "verified": make_user(),
        "verified_elsewhere": make_user(),
    }
    verify_resident(municipality, people["verified"], by=None)
    verify_resident(other_town.municipality, people["verified_elsewhere"], by=None)
    call = make_call(municipality, submitters=submitters)
    for who, user in people.items():
        assert can.can_submit_idea(user, call) is (who in allowed), who

    # Over HTTP: the page says why, with 403.
    if "resident" not in allowed:
        response = Browser(app, people["resident"]).get(f"/lipnice/ideas/calls/{call.id}/submit")
        assert response.status_code == 403
        assert "Only verified residents can submit ideas" in response.get_data(as_text=True)


def test_the_limit_per_person_counts_submitted_ideas_not_drafts(app, town):
    call = make_call(town.municipality, max_ideas_per_person=2)
    author = make_user()
    make_idea(call, author, status=IdeaStatus.DRAFT)
    make_idea(call, author, status=IdeaStatus.DRAFT)
    make_idea(call, author, status=IdeaStatus.COLLECTING)
    assert can.can_submit_idea(author, call)
    make_idea(call, author, status=IdeaStatus.REJECTED)
    assert not can.can_submit_idea(author, call)
    # Another call of the town has its own count.
    assert can.can_submit_idea(author, make_call(town.municipality, max_ideas_per_person=2))


def test_drafts_are_their_authors_alone(app, town):
    call = make_call(town.municipality)
    author = make_user()
    draft = make_idea(call, author, status=IdeaStatus.DRAFT)
    moderator = make_user(municipality=town.municipality, roles=(Role.ADMIN,))
    assert can.can_view_idea(author, draft)
    assert not can.can_view_idea(moderator, draft)
    assert not can.can_view_idea(None, draft)
    assert not can.can_follow(author, draft)
    assert not can.can_comment(author, draft)
    assert Browser(app, author).get(f"/lipnice/ideas/{draft.id}").status_code == 200
    assert Browser(app, moderator).get(f"/lipnice/ideas/{draft.id}").status_code == 403
    anonymous = Browser(app).get(f"/lipnice/ideas/{draft.id}")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/account/login")


def test_hidden_ideas_and_comments_take_no_supports_comments_or_reports(app, town):
    call = make_call(town.municipality)
    idea = make_idea(call, make_user())
    comment = Comment(idea_id=idea.id, author_id=idea.author_id, body="Text")
    db.session.add(comment)
    db.session.flush()
    resident = make_user()
    assert can.can_support(resident, idea) and can.can_report(resident, comment)
    idea.hidden_at = comment.hidden_at = utcnow()
    assert not can.can_support(resident, idea)
    assert not can.can_comment(resident, idea)
    assert not can.can_report(resident, idea)
    assert not can.can_report(resident, comment)
    assert not can.can_edit_comment(idea.author, comment)
    assert can.can_view_idea(None, idea)  # its page stays, with the reason


def test_a_support_deadline_in_the_past_ends_supporting(app, town):
    call = make_call(town.municipality, support_threshold=10)
    idea = make_idea(call, make_user())
    resident = make_user()
    assert can.can_support(resident, idea)
    call.support_deadline = utcnow() - timedelta(minutes=1)
    db.session.flush()
    assert not can.can_support(resident, idea)
    response = Browser(app, resident).post(f"/lipnice/ideas/{idea.id}/support")
    assert response.status_code == 403


# --- one town's things are not another's ----------------------------------------------------


def test_another_towns_idea_through_this_towns_url_is_not_found(app, town, other_town):
    elsewhere = make_call(other_town.municipality)
    idea = make_idea(elsewhere, make_user())
    comment = Comment(idea_id=idea.id, author_id=idea.author_id, body="Text")
    db.session.add(comment)
    db.session.flush()
    # Staff of both towns, so that only the town in the URL can refuse.
    user = make_user(municipality=town.municipality, roles=(Role.ADMIN,))
    for role in (Role.ADMIN, Role.RESIDENT):
        grant_role(other_town.municipality, user, role, by=None)
    browser = Browser(app, user)
    for url in (
        f"/lipnice/ideas/{idea.id}",
        f"/lipnice/ideas/{idea.id}/report",
        f"/lipnice/ideas/{idea.id}/comments/{comment.id}/report",
        f"/lipnice/ideas/calls/{elsewhere.id}",
        f"/lipnice/ideas/calls/{elsewhere.id}/export.csv",
        f"/lipnice/ideas/moderation/idea/{idea.id}/hide",
        f"/lipnice/ideas/moderation/comment/{comment.id}/hide",
        f"/api/v1/lipnice/ideas.geojson?call={elsewhere.id}",
    ):
        assert browser.get(url).status_code == 404, url
    for url in (f"/lipnice/ideas/{idea.id}/support", f"/lipnice/ideas/{idea.id}/follow"):
        assert browser.post(url).status_code == 404, url
    # Its own town's URLs work.
    assert browser.get(f"/jinde/ideas/{idea.id}").status_code == 200
    assert browser.get(f"/jinde/ideas/calls/{elsewhere.id}/export.csv").status_code == 200
    db.session.expire_all()
    assert idea.support_count == 0


def test_staff_of_one_town_are_residents_of_another(app, town, other_town):
    call = make_call(other_town.municipality)
    idea = make_idea(call, make_user(), status=IdeaStatus.UNDER_REVIEW)
    coordinator = make_user(municipality=town.municipality, roles=(Role.COORDINATOR, Role.ADMIN))
    browser = Browser(app, coordinator)
    for url in (
        "/jinde/ideas/moderation",
        "/jinde/ideas/review",
        f"/jinde/ideas/{idea.id}/review",
        f"/jinde/ideas/calls/{call.id}/export.xlsx",
        f"/jinde/ideas/calls/{call.id}/edit",
        "/jinde/ideas/calls/new",
    ):
        assert browser.get(url).status_code == 403, url

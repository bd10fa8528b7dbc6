"""Ideas in Chromium: submitting by the map, by the keyboard alone and without JavaScript;
supporting; hiding a comment; review, appeal and decision on the public history; the browse
map with its list; bad input; and axe-core on every ideas page in Czech and in Polish, with
nothing loaded from any host but ours and the tile server.

The browser database lives for the whole session and the demo must stay as loaded: every
test that changes something makes its own people and, where it changes much, its own call.
"""

from __future__ import annotations

import base64
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from PIL import Image
from playwright.sync_api import Page, expect

from participation.core import services as core_services
from participation.core.demo import DEMO_SLUG
from participation.core.models import Municipality, Role
from participation.extensions import db
from participation.ideas import services as idea_services
from participation.ideas.demo import CALL_TITLE, IDEAS
from participation.ideas.forms import TITLE_MAX
from participation.ideas.models import Idea, IdeaCall, Submitters
from participation.ideas.rules import IdeaStatus
from participation.maps.services import Place, locate
from tests.browser.helpers import log_in, mails_to, make_account
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser

TILE_HOST = "https://tile.openstreetmap.org"
# A 1 x 1 transparent PNG for every tile, so that nothing waits for a network there is none of.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII="
)
LANGUAGES = {"cs": "Čeština", "pl": "Polski"}
TOWN = "Lipová nad Lužnicí"
PICKER = re.compile(r"^Map: click to mark the place")
CATEGORIES = ["Greenery", "Transport"]
PRAGUE = ZoneInfo("Europe/Prague")  # the demo town's time zone


# --- the browser -----------------------------------------------------------------------------


def serve_tiles(context) -> None:
    context.route(
        f"{TILE_HOST}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=TILE_PNG),
    )


@pytest.fixture
def people(chromium, live_server):
    """Browser contexts of their own (one per person: their own cookies), in English, with
    the tiles answered locally; all their requests go into one list."""
    contexts = []
    requested: list[str] = []

    def open_page(javascript: bool = True) -> Page:
        context = chromium.new_context(
            base_url=live_server.url, locale="en-GB", java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        serve_tiles(context)
        contexts.append(context)
        pg = context.new_page()
        pg.requested_urls = requested
        pg.on("request", lambda request: requested.append(request.url))
        return pg

    open_page.requested = requested
    yield open_page
    for context in contexts:
        context.close()


def foreign_requests(requested: list[str], base_url: str) -> list[str]:
    """Requests to hosts other than ours (nor data: or about:), the tile server excepted."""
    return [
        url
        for url in requested
        if not (url.startswith(base_url + "/") or url == base_url)
        and not url.startswith(("data:", "about:", TILE_HOST + "/"))
    ]


def as_person(people, email: str, javascript: bool = True) -> Page:
    """A new browser (context) of its own, logged in as ``email``."""
    pg = people(javascript)
    log_in(pg, email)
    return pg


def the_map(page: Page):
    return page.locator(".leaflet-container")


def click_in_map(page: Page, fx: float, fy: float) -> None:
    """Click the map at a fraction of its width and height (scrolled into view first)."""
    the_map(page).scroll_into_view_if_needed()
    box = the_map(page).bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def tab_to(page: Page, target, limit: int = 60) -> list[str]:
    """Press Tab until ``target`` (a locator) has the focus; the path, for the message."""
    path = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        path.append(
            page.evaluate(
                "() => { const e = document.activeElement; return e.tagName"
                " + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 20); }"
            )
        )
        if target.evaluate("e => e === document.activeElement"):
            return path
    raise AssertionError(f"Tab never reached {target}; it went: {path}")


def switch_language(page: Page, lang: str) -> None:
    page.get_by_role("banner").get_by_role("button", name=LANGUAGES[lang]).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def history(page: Page):
    """The steps of the idea's public status history."""
    return page.get_by_role("region", name="What happened to this idea").get_by_role("listitem")


# --- data made directly, committed for the live server -----------------------------------------


def _town() -> Municipality:
    return db.session.scalar(db.select(Municipality).where(Municipality.slug == DEMO_SLUG))


def new_call(app, live_server, prefix: str = "Call", **rules) -> tuple[int, str]:
    """An open call of the demo town for one test: (id, title). Rules as in save_call."""
    now = datetime.now(UTC)
    title = f"{prefix} {uuid.uuid4().hex[:6]}"
    fields = {
        "description": "A call made by a browser test.",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "submitters": Submitters.CONFIRMED_EMAIL,
        "max_ideas_per_person": None,
        "location_required": False,
        "support_threshold": 3,
        "support_deadline": None,
        "max_images": 3,
        "appeal_days": 14,
        "duplicate_distance_m": 150,
    }
    fields.update(rules)
    with app.test_request_context(base_url=live_server.url):
        call = idea_services.save_call(
            None, _town(), None, district_ids=[], category_names=CATEGORIES, title=title, **fields
        )
        db.session.commit()
        return call.id, title


def new_idea(
    app,
    live_server,
    call_id: int,
    author: str,
    title: str,
    place: tuple[float, float] | None = (49.414, 14.658),
    submit: bool = True,
) -> int:
    with app.test_request_context(base_url=live_server.url):
        call = db.session.get(IdeaCall, call_id)
        user = core_services.find_user_by_email(author)
        located = None
        if place is not None:
            located = Place(place[0], place[1], locate(_town(), *place), None)
        idea = idea_services.save_idea(
            None, call, user, title, "Written by a browser test.", None, located, [], []
        )
        if submit:
            idea_services.submit_idea(idea, user)
        db.session.commit()
        return idea.id


def with_services(app, live_server, action) -> None:
    """Run ``action(find_user)`` against the database and commit."""
    with app.test_request_context(base_url=live_server.url):
        action(core_services.find_user_by_email)
        db.session.commit()


def png(width: int = 40, height: int = 30, padding: int = 0) -> bytes:
    """A real PNG image; ``padding`` bytes after its end make the file larger, not the image."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 60)).save(out, format="PNG")
    return out.getvalue() + b"\0" * padding


# --- 1. by clicking the map --------------------------------------------------------------------


def test_a_resident_submits_an_idea_by_clicking_the_map(people, browser_app, live_server):
    _call_id, call_title = new_call(browser_app, live_server, "Clicked")
    resident = make_account(browser_app, "clicker")
    page = as_person(people, resident)

    page.goto("/demo/ideas/")
    page.get_by_role("link", name=call_title).click()
    page.get_by_role("link", name="Submit an idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an idea")
    page.get_by_label("Title", exact=True).fill("Benches by the mill race")
    page.get_by_label("Description", exact=True).fill(
        "Three benches **in the shade**, facing the water."
    )
    page.get_by_label("Category").select_option(label="Greenery")

    expect(page.get_by_role("region", name=PICKER)).to_be_visible()
    expect(page.get_by_label("Latitude")).to_have_value("")
    click_in_map(page, 0.5, 0.5)
    expect(page.get_by_role("button", name="The place of the idea")).to_be_visible()
    expect(page.get_by_label("Latitude")).not_to_have_value("")
    lat = float(page.get_by_label("Latitude").input_value())
    lon = float(page.get_by_label("Longitude").input_value())
    expect(page.locator("#picker-status")).to_have_text(f"Place marked at {lat:.5f}, {lon:.5f}.")

    page.get_by_role("button", name="Submit the idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benches by the mill race")
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_contain_text(
        "Thank you, your idea is submitted."
    )
    meta = page.locator("main p.meta").first
    expect(meta).to_contain_text("Collecting supporters")
    expect(meta).to_contain_text("Střed")  # the middle of the town
    expect(meta).to_contain_text("Greenery")
    expect(page.locator(".prose strong")).to_have_text("in the shade")
    expect(page.get_by_role("heading", name="Place")).to_be_visible()
    place = page.get_by_role("region", name="Map of the idea's place")
    expect(place).to_be_visible()
    expect(place.locator(".leaflet-marker-icon")).to_have_attribute(
        "title", "Benches by the mill race"
    )
    expect(page.get_by_text(f"Coordinates: {lat:.5f}, {lon:.5f}")).to_be_visible()
    # The story of the idea starts with its submission.
    expect(history(page).first).to_contain_text("Submitted")

    first = page.url

    # A second idea like it at the same place: first a warning that links to the first one.
    page.get_by_role("link", name=call_title).click()
    expect(page.get_by_role("link", name="Benches by the mill race")).to_be_visible()
    page.get_by_role("link", name="Submit an idea").click()
    page.get_by_label("Title", exact=True).fill("Benches by the mill-race!")
    page.get_by_label("Description", exact=True).fill("More benches.")
    page.get_by_text("Coordinates", exact=True).click()
    page.get_by_label("Latitude").fill(f"{lat:.6f}")
    page.get_by_label("Longitude").fill(f"{lon:.6f}")
    page.get_by_role("button", name="Submit the idea").click()
    warning = page.get_by_role("alert").filter(has_text="Similar ideas already exist")
    expect(warning.get_by_role("link", name="Benches by the mill race")).to_have_attribute(
        "href", first.removeprefix(live_server.url)
    )
    expect(page.get_by_label("Title", exact=True)).to_have_value("Benches by the mill-race!")
    page.get_by_label("My idea is different from the similar ones").check()
    page.get_by_role("button", name="Submit the idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benches by the mill-race!")

    # Both are among the author's ideas.
    page.goto("/demo/ideas/mine")
    expect(page.get_by_role("link", name=re.compile("^Benches by the mill"))).to_have_count(2)
    assert foreign_requests(people.requested, live_server.url) == []


# --- 2. by the keyboard alone ------------------------------------------------------------------


def test_a_resident_submits_an_idea_by_keyboard_alone(people, browser_app, live_server):
    call_id, _title = new_call(browser_app, live_server, "Keyboard")
    resident = make_account(browser_app, "typist")
    page = as_person(people, resident)
    page.goto(f"/demo/ideas/calls/{call_id}/submit")
    expect(page.get_by_role("region", name=PICKER)).to_be_visible()

    tab_to(page, page.get_by_label("Title", exact=True))
    page.keyboard.type("A drinking fountain in the park")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Description", exact=True)).to_be_focused()
    page.keyboard.type("Water for children and dogs on hot days.")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Category")).to_be_focused()
    page.keyboard.press("ArrowDown")  # the first category after "No category"
    expect(page.get_by_label("Category")).to_have_value(
        page.get_by_label("Category").locator("option", has_text="Greenery").get_attribute("value")
    )

    # Past the map (its focus, zoom buttons and credits) without placing anything.
    district = page.get_by_label("District")
    path = tab_to(page, district)
    assert path[0].startswith("DIV#map_"), f"the map is not next in the tab order: {path}"
    expect(page.get_by_label("Latitude")).to_have_value("")
    page.keyboard.type("Sever")
    expect(district.locator("option:checked")).to_have_text("Sever")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Address or description of the place")).to_be_focused()
    page.keyboard.type("The park behind the post office")
    tab_to(page, page.get_by_role("button", name="Submit the idea"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("A drinking fountain in the park")
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_contain_text(
        "Thank you, your idea is submitted."
    )
    meta = page.locator("main p.meta").first
    expect(meta).to_contain_text("Collecting supporters")
    expect(meta).to_contain_text("Sever")
    expect(meta).to_contain_text("Greenery")
    expect(page.get_by_text("The park behind the post office")).to_be_visible()
    # No place was marked: no map and no coordinates.
    expect(page.get_by_role("region", name="Map of the idea's place")).to_have_count(0)
    expect(page.get_by_text("Coordinates:")).to_have_count(0)
    assert foreign_requests(people.requested, live_server.url) == []


# --- 3. support ----------------------------------------------------------------------------------


def test_a_second_resident_supports_an_idea_and_withdraws(people, browser_app, live_server):
    call_id, _title = new_call(browser_app, live_server, "Support", support_threshold=3)
    author = make_account(browser_app, "author")
    supporter = make_account(browser_app, "supporter")
    idea_id = new_idea(browser_app, live_server, call_id, author, "Lights on the footbridge")

    page = as_person(people, supporter)
    page.goto(f"/demo/ideas/{idea_id}")
    meta = page.locator("main p.meta").first
    expect(meta).to_contain_text("0 supporters")
    page.get_by_role("button", name="Support this idea").click()
    expect(page.get_by_role("status").filter(has_text="support")).to_contain_text(
        "Thank you for your support."
    )
    expect(meta).to_contain_text("1 supporter")
    expect(meta).to_contain_text("Collecting supporters")  # 1 of 3: still collecting

    page.get_by_role("button", name="Withdraw my support").click()
    expect(page.get_by_role("status").filter(has_text="withdrawn")).to_contain_text(
        "Your support is withdrawn."
    )
    expect(meta).to_contain_text("0 supporters")
    expect(page.get_by_role("button", name="Support this idea")).to_be_visible()

    # The author cannot support their own idea.
    own = as_person(people, author)
    own.goto(f"/demo/ideas/{idea_id}")
    expect(own.get_by_role("heading", level=1)).to_have_text("Lights on the footbridge")
    expect(own.get_by_role("button", name="Support this idea")).to_have_count(0)
    assert foreign_requests(people.requested, live_server.url) == []


# --- 4. moderation -------------------------------------------------------------------------------


def test_a_moderator_hides_a_comment_and_everyone_sees_the_reason(people, browser_app, live_server):
    call_id, _title = new_call(browser_app, live_server, "Moderation")
    author = make_account(browser_app, "idea-author")
    rude = make_account(browser_app, "rude")
    reporter = make_account(browser_app, "reporter")
    moderator = make_account(browser_app, "moderator", role=Role.MODERATOR)
    idea_id = new_idea(browser_app, live_server, call_id, author, "A skatepark by the river")
    rude_text = "Only idiots want a skatepark, buy our loans instead!"
    spam_text = "Cheap loans, call now!"

    # A resident comments; another reports the comment with a reason.
    commenter = as_person(people, rude)
    commenter.goto(f"/demo/ideas/{idea_id}")
    commenter.get_by_label("Your comment").fill(rude_text)
    commenter.get_by_role("button", name="Add comment").click()
    expect(commenter.get_by_role("status").filter(has_text="published")).to_be_visible()
    comment = commenter.locator(".comments > li").filter(has_text=rude_text)
    expect(comment).to_be_visible()
    comment_id = int((comment.get_attribute("id") or "c0")[1:])
    commenter.get_by_label("Your comment").fill(spam_text)
    commenter.get_by_role("button", name="Add comment").click()
    spam = commenter.locator(".comments > li").filter(has_text=spam_text)
    spam_id = int((spam.get_attribute("id") or "c0")[1:])

    page = as_person(people, reporter)
    page.goto(f"/demo/ideas/{idea_id}")
    page.get_by_role("link", name=f"Report comment {comment_id}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Report to a moderator")
    page.get_by_label("Why should a moderator look at this?").fill("Insults and advertising.")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status").filter(has_text="moderator")).to_contain_text(
        "Thank you. A moderator will look at it."
    )

    # The moderator finds it in the queue, with the reason, and hides it.
    page = as_person(people, moderator)
    page.goto("/demo/ideas/moderation")
    item = page.locator("main li").filter(has_text="Insults and advertising.")
    expect(item).to_contain_text("A skatepark by the river")
    expect(item).to_contain_text(rude_text)
    item.get_by_role("link", name=re.compile("^Hide")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hide this comment")
    page.get_by_role("button", name="Confirm").click()  # no reason yet
    expect(page.get_by_role("alert")).to_contain_text("Reason, shown publicly")
    reason = "Insults are not allowed here."
    page.get_by_label("Reason, shown publicly").fill(reason)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text="Hidden")).to_contain_text(
        "Hidden. The reason is shown in its place."
    )
    expect(page.locator("main").get_by_text("Insults and advertising.")).to_have_count(0)

    # The other comment, unreported, straight from the idea's page.
    page.goto(f"/demo/ideas/{idea_id}")
    page.get_by_role("link", name=f"Hide comment {spam_id}").click()
    expect(page.locator("main blockquote")).to_have_text(spam_text)
    page.get_by_label("Reason, shown publicly").fill("Advertising.")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status").filter(has_text="Hidden")).to_be_visible()

    # Everyone, signed in or not, the comment's writer too, sees the reason in its place.
    for viewer in (people(), commenter, page):
        viewer.goto(f"/demo/ideas/{idea_id}")
        expect(viewer.locator(f"#c{comment_id}")).to_contain_text(
            f"A moderator hid this comment: {reason}"
        )
        expect(viewer.locator(f"#c{spam_id}")).to_contain_text(
            "A moderator hid this comment: Advertising."
        )
        expect(viewer.get_by_text(rude_text)).to_have_count(0)
        expect(viewer.get_by_text(spam_text)).to_have_count(0)
    # The moderator may restore it from the same place; the writer was told why.
    expect(page.get_by_role("link", name=f"Restore comment {comment_id}")).to_be_visible()
    told = [m.body for m in mails_to(browser_app, rude)]
    assert any(reason in body and f"/demo/ideas/{idea_id}" in body for body in told), told
    assert foreign_requests(people.requested, live_server.url) == []


# --- 5. review, appeal and decision --------------------------------------------------------------


def test_a_rejection_is_appealed_and_decided_on_the_public_history(
    people, browser_app, live_server
):
    # No supporters needed: a submitted idea goes straight to review.
    call_id, _title = new_call(browser_app, live_server, "Review", support_threshold=None)
    author = make_account(browser_app, "appellant")
    reviewer = make_account(browser_app, "reviewer", role=Role.REVIEWER)
    coordinator = make_account(browser_app, "coordinator", role=Role.COORDINATOR)
    title = f"A lido in the old quarry {uuid.uuid4().hex[:4]}"
    idea_id = new_idea(browser_app, live_server, call_id, author, title)

    page = as_person(people, reviewer)
    page.goto("/demo/ideas/review")
    page.get_by_role("link", name=title).click()
    expect(page.locator("main p.meta").first).to_contain_text("Under review")
    page.get_by_role("link", name="Review this idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review the idea")
    page.get_by_role("group", name="Is it legal?").get_by_label("No").check()
    page.get_by_role("group", name="Is it technically feasible?").get_by_label("Yes").check()
    page.get_by_label("Estimated cost").fill("1200000")
    page.get_by_role("group", name="Outcome").get_by_label("Rejected").check()
    rejection = "The quarry is a protected nature site."
    page.get_by_label("Justification, shown publicly").fill(rejection)
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("status").filter(has_text="review is saved")).to_be_visible()
    expect(page.locator("main p.meta").first).to_contain_text("Rejected")
    expect(page.get_by_role("region", name="Assessment")).to_contain_text(rejection)

    page = as_person(people, author)
    page.goto(f"/demo/ideas/{idea_id}")
    expect(page.get_by_text("You may appeal until")).to_be_visible()
    page.get_by_role("link", name="Appeal the decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appeal the decision")
    expect(page.locator("main")).to_contain_text(rejection)
    appeal = "Only the northern edge is protected; the lido would be in the south."
    page.get_by_label("Why should the decision change?").fill(appeal)
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.get_by_role("status").filter(has_text="appeal is sent")).to_be_visible()
    expect(page.locator("main p.meta").first).to_contain_text("Appealed")
    expect(page.get_by_role("link", name="Appeal the decision")).to_have_count(0)

    page = as_person(people, coordinator)
    page.goto("/demo/ideas/review")
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Decide the appeal").click()
    expect(page.locator("main")).to_contain_text(appeal)
    page.get_by_role("group", name="Decision").get_by_label(re.compile("^Appeal upheld")).check()
    decision = "The southern part is outside the protected site."
    page.get_by_label("Reason, shown publicly").fill(decision)
    page.get_by_role("button", name="Decide the appeal").click()
    expect(page.get_by_role("status").filter(has_text="appeal is decided")).to_be_visible()
    expect(page.locator("main p.meta").first).to_contain_text("Accepted")
    # The author follows their idea and was told of the rejection and of the decision.
    told = [m.body for m in mails_to(browser_app, author)]
    assert len(told) >= 2 and all(f"/demo/ideas/{idea_id}" in body for body in told), told

    # Anyone sees every step, in order, each with its date and what was said.
    page = people()
    page.goto(f"/demo/ideas/{idea_id}")
    steps = history(page)
    expect(steps).to_have_count(5)
    labels = [s.locator("strong").inner_text() for s in steps.all()]
    assert labels == ["Submitted", "Under review", "Rejected", "Appealed", "Accepted"], labels
    now = datetime.now(UTC)
    for step, note in zip(steps.all(), ["", "", rejection, appeal, decision], strict=True):
        when = step.locator("time")
        at = datetime.fromisoformat(when.get_attribute("datetime"))
        at = at if at.tzinfo else at.replace(tzinfo=UTC)
        assert timedelta(0) <= now - at < timedelta(minutes=5), (at, now)
        # The date as a person in the town reads it (en: "11/23/26, 1:05 PM").
        expect(when).to_have_text(format_datetime(at, "short", tzinfo=PRAGUE, locale="en"))
        if note:
            expect(step).to_contain_text(note)
    assert foreign_requests(people.requested, live_server.url) == []


# --- 6. the browse map -------------------------------------------------------------------------


def test_the_browse_map_and_its_list_show_the_same_filtered_ideas(people, live_server):
    page = people()
    page.goto("/demo/ideas/")
    page.get_by_role("link", name=CALL_TITLE).click()
    region = page.get_by_role("region", name="Map of the ideas")
    items = page.locator("main .idea-list > li h3")

    def loaded(action) -> list[str]:
        """Do ``action``; the ideas the map then shows, checked against the list beside it."""
        with page.expect_response(re.compile(r"/api/v1/demo/ideas\.geojson\?")) as answer:
            action()
        features = answer.value.json()["features"]
        count = len(features)
        expect(region).to_have_attribute("data-loaded", str(count))
        expect(page.locator("#map-status")).to_have_text(f"{count} ideas on the map.")
        # Every idea is on the map, alone or in a cluster that counts it.
        page.wait_for_function(
            "n => { let s = 0; document.querySelectorAll('.marker-cluster')"
            ".forEach(c => s += parseInt(c.textContent, 10));"
            " return s + document.querySelectorAll("
            "'.leaflet-marker-icon:not(.marker-cluster)').length === n; }",
            arg=count,
        )
        titles = sorted(f["properties"]["title"] for f in features)
        expect(items).to_have_count(count)
        assert sorted(items.all_inner_texts()) == titles
        return titles

    everything = loaded(lambda: page.get_by_role("link", name="Show the ideas on a map").click())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Map of the ideas")
    assert everything == sorted(i[0] for i in IDEAS)  # every status but draft, all placed
    expect(region.locator(".marker-cluster").first).to_be_visible()  # close ones cluster

    filters = page.get_by_role("search", name="Filter the ideas")
    filters.get_by_label("Category").select_option(label="Doprava")
    transport = loaded(lambda: filters.get_by_role("button", name="Show").click())
    assert transport == sorted(i[0] for i in IDEAS if i[3] == "Doprava")

    filters.get_by_label("Status").select_option(label="Rejected")
    rejected = loaded(lambda: filters.get_by_role("button", name="Show").click())
    assert rejected == ["Heliport na náměstí"]
    # A lone marker, named by its idea, opens a link to the idea's page.
    marker = region.locator(".leaflet-marker-icon")
    expect(marker).to_have_attribute("title", "Heliport na náměstí")
    marker.click()
    region.locator(".leaflet-popup").get_by_role("link", name="Heliport na náměstí").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Heliport na náměstí")
    page.go_back()
    expect(region).to_have_attribute("data-loaded", "1")

    filters.get_by_label("Search").fill("nothing like this exists")
    assert loaded(lambda: filters.get_by_role("button", name="Show").click()) == []
    expect(page.get_by_text("No idea matches yet.")).to_be_visible()

    # The link back to the list keeps the filters.
    page.get_by_role("link", name="Back to the list").click()
    expect(filters.get_by_label("Status")).to_have_value("rejected")
    expect(page.get_by_role("status").filter(has_text="idea")).to_have_text("0 ideas")
    assert foreign_requests(page.requested_urls, live_server.url) == []


def test_the_map_page_lists_its_ideas_page_by_page(people, browser_app, live_server):
    """More ideas than fit on one page: the map shows them all, the list pages through them.
    (Page 2 answered 500 before: the pagination macro got ``page`` twice.)"""
    call_id, _title = new_call(browser_app, live_server, "Many")
    author = make_account(browser_app, "prolific")
    count = idea_services.PAGE_SIZE + 1

    def many(find):
        call, user = db.session.get(IdeaCall, call_id), find(author)
        for n in range(count):
            lat, lon = 49.409 + n * 0.0005, 14.646 + n * 0.001
            place = Place(lat, lon, locate(_town(), lat, lon), None)
            idea = idea_services.save_idea(
                None, call, user, f"Idea number {n:02d}", "One of many.", None, place, [], []
            )
            idea_services.submit_idea(idea, user)

    with_services(browser_app, live_server, many)
    page = people()
    page.goto(f"/demo/ideas/calls/{call_id}/map")
    region = page.get_by_role("region", name="Map of the ideas")
    items = page.locator("main .idea-list > li")
    expect(region).to_have_attribute("data-loaded", str(count))
    expect(items).to_have_count(idea_services.PAGE_SIZE)
    first_page = items.locator("h3").all_inner_texts()

    with page.expect_response(re.compile(r"/map\?page=2")) as answer:
        page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next").click()
    response = answer.value
    assert response.status == 200, f"page 2 of the map page answered {response.status}"
    expect(items).to_have_count(1)
    assert items.locator("h3").inner_text() not in first_page
    expect(region).to_have_attribute("data-loaded", str(count))  # the map still shows all
    assert foreign_requests(page.requested_urls, live_server.url) == []


# --- 7. bad input --------------------------------------------------------------------------------


@pytest.fixture
def upload_folder(browser_app, tmp_path, monkeypatch):
    """Uploaded images go to a temporary folder, not the instance folder."""
    monkeypatch.setitem(browser_app.config, "UPLOAD_FOLDER", str(tmp_path))
    return tmp_path


def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(
    people, browser_app, live_server, upload_folder
):
    call_id, _title = new_call(browser_app, live_server, "Bad input")
    resident = make_account(browser_app, "careless")
    page = as_person(people, resident)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"/demo/ideas/calls/{call_id}/submit")

    title = page.get_by_label("Title", exact=True)
    description = page.get_by_label("Description", exact=True)
    images = page.get_by_label(re.compile(r"^Images"))
    script = (
        "A **bold** plan <script>alert('description')</script>\n\n"
        "<img src=\"x\" onerror=\"alert('img')\"> [click me](javascript:alert('link'))"
    )

    def form_kept(expected_title: str, lat: str, lon: str) -> None:
        expect(title).to_have_value(expected_title)
        expect(description).to_have_value(script)
        expect(page.get_by_label("Category").locator("option:checked")).to_have_text("Transport")
        expect(page.get_by_label(re.compile("^Address or description"))).to_have_value(
            "By the school"
        )
        expect(page.get_by_label(re.compile("^What the images show"))).to_have_value("The crossing")
        expect(page.get_by_label("Latitude")).to_have_value(re.compile("^" + re.escape(lat)))
        expect(page.get_by_label("Longitude")).to_have_value(re.compile("^" + re.escape(lon)))

    # A title that is too long: the field stops at the limit, and the hint says so.
    long_title = "Very long title " + "x" * TITLE_MAX
    title.fill(long_title[: TITLE_MAX - 2])
    title.press_sequentially("abcde")  # the last three keys do nothing
    expect(title).to_have_value(long_title[: TITLE_MAX - 2] + "ab")
    expect(page.locator("#title-hint")).to_contain_text(f"at most {TITLE_MAX} characters")
    # A pasted (or older browser's) too long title reaches the server: a clear message.
    title.evaluate("(e, v) => { e.removeAttribute('maxlength'); e.value = v; }", long_title)
    description.fill(script)
    page.get_by_label("Category").select_option(label="Transport")
    page.get_by_label(re.compile("^Address or description")).fill("By the school")
    page.get_by_label(re.compile("^What the images show")).fill("The crossing")
    page.get_by_text("Coordinates", exact=True).click()  # opens the section
    page.get_by_label("Latitude").fill("50.08")  # Prague: outside the town
    page.get_by_label("Longitude").fill("14.42")
    page.get_by_role("button", name="Submit the idea").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(f"Title: Field cannot be longer than {TITLE_MAX} characters.")
    expect(title).to_have_attribute("aria-invalid", "true")
    form_kept(long_title, "50.08", "14.42")

    # A place outside the town.
    title.fill("A bold plan")
    page.get_by_role("button", name="Submit the idea").click()
    expect(summary).to_contain_text(f"This place is outside {TOWN}. Choose a place inside it.")
    expect(page.get_by_label("Latitude")).to_have_attribute("aria-invalid", "true")
    form_kept("A bold plan", "50.08", "14.42")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Latitude")).to_be_focused()

    # A text file called .png, inside the town this time.
    page.get_by_label("Latitude").fill("49.414")
    page.get_by_label("Longitude").fill("14.658")
    images.set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": b"just some words, no image"}
    )
    page.get_by_role("button", name="Submit the idea").click()
    expect(summary).to_contain_text("This file is not an image we can read.")
    expect(images).to_have_attribute("aria-invalid", "true")
    form_kept("A bold plan", "49.414", "14.658")

    # An image larger than the limit.
    big = png(padding=idea_services.IMAGE_MAX_BYTES + 1)
    images.set_input_files({"name": "big.png", "mimeType": "image/png", "buffer": big})
    page.get_by_role("button", name="Submit the idea").click()
    expect(summary).to_contain_text(
        f"The file is larger than {idea_services.IMAGE_MAX_BYTES // 1024} kB."
    )
    form_kept("A bold plan", "49.414", "14.658")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit an idea")

    # Fixed: the idea is saved, and the script in its description is harmless text.
    images.set_input_files({"name": "ok.png", "mimeType": "image/png", "buffer": png()})
    page.get_by_role("button", name="Submit the idea").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("A bold plan")
    prose = page.locator("main .prose")
    expect(prose.locator("strong")).to_have_text("bold")
    expect(prose.locator("script")).to_have_count(0)
    expect(prose.locator("img, [onerror]")).to_have_count(0)
    expect(prose.locator("a[href^='javascript']")).to_have_count(0)
    expect(prose).to_contain_text("<script>alert('description')</script>")
    expect(page.locator("main .gallery").get_by_role("img", name="The crossing")).to_be_visible()
    assert len(list(upload_folder.glob("ideas/*"))) == 2  # the image and its thumbnail
    page.wait_for_timeout(200)
    assert dialogs == [], f"the description ran a script: {dialogs}"
    assert foreign_requests(people.requested, live_server.url) == []


# --- 8. without JavaScript ---------------------------------------------------------------------


def test_submitting_works_without_javascript(people, browser_app, live_server):
    _call_id, call_title = new_call(browser_app, live_server, "No script")
    resident = make_account(browser_app, "nojs")
    page = as_person(people, resident, javascript=False)
    page.goto("/demo/ideas/")
    page.get_by_role("link", name=call_title).click()
    page.get_by_role("link", name="Submit an idea").click()
    expect(page.locator(".leaflet-container")).to_have_count(0)
    # No empty map frame in the way: the district and the address do its work.
    expect(page.locator(".map-frame")).to_be_hidden()

    page.get_by_label("Title", exact=True).fill("A bus shelter at the school")
    page.get_by_label("Description", exact=True).fill("Children wait in the rain.")
    page.get_by_label("District").select_option(label="Jih")
    page.get_by_label("Address or description of the place").fill("Školní 12")
    page.get_by_role("button", name="Submit the idea").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("A bus shelter at the school")
    expect(page.get_by_role("status").filter(has_text="Thank you")).to_be_visible()
    meta = page.locator("main p.meta").first
    expect(meta).to_contain_text("Collecting supporters")
    expect(meta).to_contain_text("Jih")
    expect(page.get_by_text("Školní 12")).to_be_visible()
    page.get_by_role("link", name=call_title).click()
    expect(page.get_by_role("link", name="A bus shelter at the school")).to_be_visible()
    assert foreign_requests(people.requested, live_server.url) == []


# --- 9. axe-core on every ideas page ----------------------------------------------------------


class Survey:
    """axe-core on each page shown, and the language it is in; violations kept per page."""

    def __init__(self, lang: str):
        self.lang = lang
        self.violations: dict[str, list] = {}
        self.checked: list[str] = []

    def check(self, page: Page, what: str) -> None:
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("lang", self.lang)
        found = axe_violations(page)
        if found:
            self.violations[what] = found
        self.checked.append(what)

    def visit(self, page: Page, path: str, what: str | None = None) -> None:
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        self.check(page, what or path)

    def send_empty(self, page: Page, what: str) -> None:
        """Send the page's form as it is and check the page with its errors."""
        page.locator("main form[method=post] button[type=submit]").first.click()
        expect(page.get_by_role("alert")).to_be_visible()
        self.check(page, what)

    def assert_clean(self, requested: list[str], base_url: str) -> None:
        assert not self.violations, "axe-core found violations:\n" + "\n".join(
            f"{what}: {found}" for what, found in self.violations.items()
        )
        assert foreign_requests(requested, base_url) == []
        assert any(u.startswith(TILE_HOST + "/") for u in requested)


def demo_ideas_by_status(page: Page) -> dict[str, str]:
    """On the demo call's page: each status shown in the list, with the link of its idea."""
    found = {}
    for item in page.locator("main .idea-list > li").all():
        status = item.locator(".status").get_attribute("class").split("status-")[-1]
        found[status] = item.get_by_role("link").first.get_attribute("href")
    assert set(found) == {s.value for s in IdeaStatus} - {"draft"}, found
    return found


REJECTED_PLACE = (49.4141, 14.6581)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_resident_pages_are_accessible(people, browser_app, live_server, lang):
    """Every page a resident sees (forms also with errors), in Czech and in Polish: no
    axe-core violation, and no request to any host but ours and the tiles. (The forms of
    reports and appeals show their errors as the comment form does: one is checked.)"""
    resident = make_account(browser_app, f"axe-{lang}")
    reviewer = make_account(browser_app, f"axe-{lang}-reviewer", role=Role.REVIEWER)
    call_id, _title = new_call(browser_app, live_server, f"Survey {lang}", support_threshold=None)
    draft = new_idea(browser_app, live_server, call_id, resident, "My draft", submit=False)
    past = datetime.now(UTC) - timedelta(days=10)
    closed, _title = new_call(
        browser_app, live_server, "Closed", opens_at=past, closes_at=past + timedelta(days=5)
    )
    rejected = new_idea(
        browser_app, live_server, call_id, resident, "My rejected idea", REJECTED_PLACE
    )

    def reject_and_comment(find):
        idea = db.session.get(Idea, rejected)
        idea_services.review(idea, find(reviewer), False, True, None, "Not allowed.", "rejected")
        idea_services.add_comment(idea, find(resident), "My own *comment*.", None)

    with_services(browser_app, live_server, reject_and_comment)

    survey = Survey(lang)
    page = as_person(people, resident)
    page.goto("/demo/ideas/")
    switch_language(page, lang)
    survey.check(page, "call list")

    page.locator("main").get_by_role("link", name=CALL_TITLE).click()
    call_url = page.url
    ideas = demo_ideas_by_status(page)
    search = page.get_by_role("search")
    search.locator("select[name=category]").select_option(label=IDEAS[0][3])
    search.locator("select[name=sort]").select_option("supported")
    search.locator("button[type=submit]").click()
    expect(page.locator("main .idea-list > li")).to_have_count(
        sum(1 for i in IDEAS if i[3] == IDEAS[0][3])
    )
    survey.check(page, "call page with filters")
    page.goto(call_url + "/map?status=collecting")
    expect(page.locator(".leaflet-container")).to_have_attribute(
        "data-loaded", str(sum(1 for i in IDEAS if i[4] == IdeaStatus.COLLECTING))
    )
    survey.check(page, "map page with filters")

    for status, href in ideas.items():
        survey.visit(page, href, f"idea page: {status}")
    survey.visit(page, f"/demo/ideas/{draft}", "idea page: draft")
    page.goto(ideas["collecting"])
    page.locator("main a[href$='/report']").first.click()
    survey.check(page, "report form")

    survey.visit(page, f"/demo/ideas/{rejected}", "idea page: rejected, own, commented")
    page.locator("main a[href$='/appeal']").click()
    survey.check(page, "appeal form")
    page.goto(f"/demo/ideas/{rejected}")
    page.locator("main a[href*='/comments/'][href$='/edit']").click()
    survey.check(page, "comment edit form")
    page.goto(f"/demo/ideas/{rejected}")
    page.locator("main form[action$='/comments'] button[type=submit]").last.click()  # empty
    expect(page.get_by_role("alert")).to_be_visible()
    survey.check(page, "comment form with an error")
    response = page.goto(f"/demo/ideas/calls/{closed}/submit")
    assert response.status == 403, response.status
    survey.check(page, "cannot submit: the call is closed")
    survey.visit(page, "/demo/ideas/mine", "my ideas")

    # The submit form: empty, with errors, and with the warning about similar ideas (in the
    # survey's own call, which nothing else counts, in case the idea were saved after all).
    survey.visit(page, f"/demo/ideas/calls/{call_id}/submit", "submit form")
    page.locator("main form button[name=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    survey.check(page, "submit form with errors")
    page.locator("#title").fill("My rejected idea!")
    page.locator("#description").fill("The same again.")
    page.locator("main details summary").click()  # the coordinates
    page.locator("#lat").fill(str(REJECTED_PLACE[0]))
    page.locator("#lon").fill(str(REJECTED_PLACE[1] + 0.0002))
    page.locator("main form button[name=submit]").click()
    expect(page.locator("#duplicates")).to_be_visible()
    survey.check(page, "submit form with similar ideas")

    assert len(survey.checked) == 21, survey.checked
    survey.assert_clean(people.requested, live_server.url)


def test_staff_pages_are_accessible(people, browser_app, live_server):
    """The moderator's, reviewer's and coordinator's pages, in Czech (the demo town's
    language), with and without errors."""
    staff = make_account(browser_app, "axe-staff", role=Role.MODERATOR)

    def more_roles(find):
        for role in (Role.REVIEWER, Role.COORDINATOR):
            core_services.grant_role(_town(), find(staff), role, by=None)

    with_services(browser_app, live_server, more_roles)
    survey = Survey("cs")
    page = as_person(people, staff)
    page.goto("/demo/ideas/moderation")
    switch_language(page, "cs")
    survey.check(page, "moderation queue")
    page.locator("main a[href*='/hide']").first.click()
    survey.check(page, "hide form")
    survey.send_empty(page, "hide form with an error")

    page.goto("/demo/ideas/")
    page.locator("main").get_by_role("link", name=CALL_TITLE).click()
    ideas = demo_ideas_by_status(page)
    survey.visit(page, "/demo/ideas/review", "review queue")
    survey.visit(page, ideas["under_review"], "idea page: under review, for a reviewer")
    page.locator("main a[href$='/review']").click()
    survey.check(page, "review form")
    survey.send_empty(page, "review form with errors")
    survey.visit(page, ideas["appealed"], "idea page: appealed, for a coordinator")
    page.locator("main a[href$='/appeal/decide']").click()
    survey.check(page, "decide-appeal form")
    survey.send_empty(page, "decide-appeal form with errors")
    survey.visit(page, ideas["collecting"], "idea page: collecting, for a moderator")
    survey.visit(page, "/demo/ideas/calls/new", "new call form")
    survey.send_empty(page, "new call form with errors")
    page.goto("/demo/ideas/")
    page.locator("main").get_by_role("link", name=CALL_TITLE).click()
    page.locator("main a[href$='/edit']").click()
    survey.check(page, "call edit form")
    survey.assert_clean(people.requested, live_server.url)

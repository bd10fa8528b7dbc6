"""Consultations in Chromium: a coordinator builds one (details, survey of every question
kind with a condition, draft text, a document) and opens it; residents answer with the
mouse and by keyboard alone and comment on a paragraph; the coordinator enters a paper
response, closes it, answers every input and publishes the report, which the resident
reads; the exports hold the responses. Bad input, no JavaScript, permissions, and
axe-core on every consultation page in Czech and in Polish, with nothing loaded from any
host but ours and the tile server.

The browser database lives for the whole session and the demo must stay as loaded: every
test that changes something makes its own people and consultations.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from participation.consultations import services as consultation_services
from participation.consultations.demo import CLOSED_TITLE, OPEN_TITLE
from participation.consultations.models import Consultation
from participation.consultations.rules import Kind, ReplyStatus, Value
from participation.core import services as core_services
from participation.core.demo import DEMO_SLUG
from participation.core.models import Municipality, Role
from participation.extensions import db
from participation.maps.models import District
from tests.browser.helpers import (
    TILE_HOST,
    foreign_requests,
    log_in,
    make_account,
    serve_tiles,
    tab_to,
)
from tests.conftest import axe_violations

pytestmark = pytest.mark.browser

LANGUAGES = {"cs": "Čeština", "pl": "Polski"}
PRAGUE = ZoneInfo("Europe/Prague")  # the demo town's time zone
BASE = f"/{DEMO_SLUG}/consultations"
# A minimal PDF: documents are checked by their content.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
DRAFT = """\
# Trees

Twelve new trees are planted on the **north side** of the square.

The trees get benches around them.

# Water

A drinking fountain stands by the town hall.
"""


# --- the browser -------------------------------------------------------------------------------


@pytest.fixture
def people(chromium, live_server):
    """Browser contexts of their own (one per person), in English, with the tiles answered
    locally; all their requests go into one list."""
    contexts = []
    requested: list[str] = []

    def open_page(javascript: bool = True, downloads: bool = False) -> Page:
        context = chromium.new_context(
            base_url=live_server.url,
            locale="en-GB",
            java_script_enabled=javascript,
            accept_downloads=downloads,
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


def as_person(people, email: str, javascript: bool = True, downloads: bool = False) -> Page:
    pg = people(javascript, downloads)
    log_in(pg, email)
    return pg


def flash(page: Page, text: str):
    return page.get_by_role("status").filter(has_text=text)


def group(page: Page, question: str):
    """A question asked with choices, found by its legend."""
    return page.get_by_role("group", name=re.compile(re.escape(question)))


def question_input(page: Page, question: str):
    """A text, number or date question's input, found by its label."""
    return page.get_by_label(re.compile(re.escape(question)))


def the_map(page: Page, name: str | re.Pattern):
    return page.get_by_role("region", name=name)


def click_in_map(page: Page, region, fx: float = 0.5, fy: float = 0.5) -> None:
    region.scroll_into_view_if_needed()
    box = region.bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def switch_language(page: Page, lang: str) -> None:
    page.get_by_role("banner").get_by_role("button", name=LANGUAGES[lang]).click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def local_input(moment: datetime) -> str:
    """A datetime-local input's value, in the town's time."""
    return moment.astimezone(PRAGUE).strftime("%Y-%m-%dT%H:%M")


# --- data made directly, committed for the live server -----------------------------------------


def _town() -> Municipality:
    return db.session.scalar(db.select(Municipality).where(Municipality.slug == DEMO_SLUG))


def _district(name: str) -> District:
    return db.session.scalar(
        db.select(District).where(District.municipality_id == _town().id, District.name == name)
    )


def demo_ids(app) -> dict[str, int]:
    with app.app_context():
        found = db.session.execute(
            db.select(Consultation.title, Consultation.id).where(
                Consultation.title.in_([OPEN_TITLE, CLOSED_TITLE])
            )
        ).all()
    return {"open": dict(found)[OPEN_TITLE], "closed": dict(found)[CLOSED_TITLE]}


def new_consultation(app, live_server, prefix: str, questions, **fields) -> tuple[int, str]:
    """An open consultation of the demo town, in the district Střed, with one survey
    section of ``questions`` ((kind, text, options, settings) each): (id, title)."""
    now = datetime.now(UTC)
    title = f"{prefix} {uuid.uuid4().hex[:6]}"
    details = {
        "title": title,
        "summary": "Made by a browser test.",
        "decision": "",
        "decision_maker": "",
        "area_kind": "districts",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=30),
        "has_survey": True,
        "has_draft": False,
        "open_comments": True,
        "anonymous_responses": False,
        "show_comments": True,
        "ask_demographics": False,
    }
    details.update(fields)
    with app.test_request_context(base_url=live_server.url):
        coordinator = core_services.find_user_by_email("coordinator@demo.test")
        consultation = consultation_services.save_consultation(
            _town(), None, coordinator, districts=[_district("Střed")], **details
        )
        consultation.published_at = now - timedelta(days=1)
        section = consultation_services.add_section(consultation, "Questions")
        made = {}
        for kind, text, options, settings in questions:
            condition = settings.pop("condition", None)
            if condition:
                settings["condition_question_id"] = made[condition[0]].id
                settings["condition_value"] = condition[1]
            made[text] = consultation_services.add_question(
                section, options=options, kind=kind, text=text, **settings
            )
        db.session.commit()
        return consultation.id, title


# --- 1-4. from building the consultation to reading its report ---------------------------------

SECTION_1, SECTION_2 = "Getting about", "The square to come"
Q_OFTEN = "How often do you cross the square?"
Q_DRIVE = "Do you drive to the square?"
Q_MINUTES = "How many minutes do you look for a parking place?"
Q_DO = "What do you do on the square?"
Q_TREES = "How important are trees on the square?"
Q_RANK = "Rank what matters most."
Q_WORD = "One word for the square?"
Q_CHANGE = "What would you change?"
Q_WHEN = "When should the works end?"
Q_PLACE = "Mark the place that needs a change most."


def add_question(page: Page, section: str, kind: str, text: str, **settings) -> None:
    """Fill the builder's question form as a coordinator does; settings by their label."""
    page.get_by_role("link", name=re.compile(f"^Add a question ?: {re.escape(section)}$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a question")
    page.get_by_label("Type of question").select_option(label=kind)
    page.get_by_label("Question", exact=True).fill(text)
    if settings.pop("required", False):
        page.get_by_label("An answer is required").check()
    condition = settings.pop("condition", None)
    for label, value in settings.items():
        page.get_by_label(re.compile("^" + re.escape(label))).fill(value)
    if condition:
        page.get_by_label("Show the question").select_option(label=condition)
    page.get_by_role("button", name="Save the question").click()
    expect(flash(page, "The question is added.")).to_be_visible()


def build_consultation(page: Page, title: str, upload_folder) -> int:
    """The coordinator's side, from the overview to an open consultation: its id."""
    page.goto(f"{BASE}/")
    page.get_by_role("link", name="Manage consultations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Consultations: staff overview")
    page.get_by_role("link", name="New consultation").click()
    page.get_by_label("Subject").fill(title)
    page.get_by_label(re.compile("^Summary")).fill("Trees, water and **benches** for the square.")
    page.get_by_label(re.compile("^The decision it feeds")).fill("The brief of the design contest.")
    page.get_by_label(re.compile("^Who takes the decision")).fill("The town council")
    page.get_by_role("group", name="Area", exact=True).get_by_label("Some districts").check()
    page.get_by_role("group", name="Districts").get_by_label("Střed").check()
    now = datetime.now(UTC)
    page.get_by_label("Opens").fill(local_input(now + timedelta(days=1)))
    page.get_by_label("Closes").fill(local_input(now + timedelta(days=30)))
    page.get_by_label("People comment on a draft text, paragraph by paragraph").check()
    expect(page.get_by_label("People answer a survey")).to_be_checked()
    page.get_by_label("Ask voluntary questions about the respondent").uncheck()
    page.get_by_label(re.compile("^Contact person$|^Contact person \\(")).fill("Karel Koudelka")
    page.get_by_role("button", name="Save the consultation").click()
    expect(flash(page, "The consultation is saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    consultation_id = int(re.search(r"/consultations/(\d+)/manage", page.url).group(1))

    # A document, checked by its content.
    page.get_by_role("link", name="Documents").click()
    page.get_by_label("File").set_input_files(
        {"name": "study.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label(re.compile("^Title")).fill("Traffic study")
    page.get_by_role("button", name="Upload the document").click()
    expect(flash(page, "is uploaded")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("study.pdf")
    assert len(list(upload_folder.rglob("*.pdf"))) == 1

    # The survey: two sections, every kind of question, one shown only on an answer.
    page.goto(f"{BASE}/{consultation_id}/manage")
    page.get_by_role("link", name="Survey", exact=True).click()
    for section in (SECTION_1, SECTION_2):
        page.get_by_label("Section title").fill(section)
        page.get_by_role("button", name="Save the section").click()
        expect(flash(page, "The section is added.")).to_be_visible()
    add_question(
        page, SECTION_1, "Single choice", Q_OFTEN, required=True, Options="Daily\nWeekly\nRarely"
    )
    add_question(page, SECTION_1, "Yes or no", Q_DRIVE, required=True)
    add_question(
        page,
        SECTION_1,
        "Number",
        Q_MINUTES,
        condition=f"when “{Q_DRIVE}” is answered “Yes”",
        **{"Smallest number allowed": "0", "Largest number allowed": "120"},
    )
    add_question(
        page,
        SECTION_1,
        "Multiple choice",
        Q_DO,
        Options="Shopping\nWalking\nParking\nSitting in a café",
        **{"Minimum number of choices": "1", "Maximum number of choices": "2"},
    )
    add_question(
        page,
        SECTION_2,
        "Scale",
        Q_TREES,
        **{
            "Scale from": "1",
            "Scale to": "5",
            "Label of the lowest point": "Not at all",
            "Label of the highest point": "Very much",
        },
    )
    add_question(page, SECTION_2, "Ranking", Q_RANK, Options="Shade\nBenches\nWater")
    add_question(page, SECTION_2, "Short text", Q_WORD, **{"Maximum length": "40"})
    add_question(page, SECTION_2, "Long text", Q_CHANGE)
    add_question(page, SECTION_2, "Date", Q_WHEN)
    add_question(page, SECTION_2, "A place on the map", Q_PLACE)
    builder = page.locator("main .builder-questions > li")
    expect(builder).to_have_count(10)
    expect(builder.filter(has_text=Q_MINUTES)).to_contain_text(
        "shown only when question 2 is answered"
    )

    # The preview shows the respondents' form, the condition with its hint.
    page.get_by_role("link", name="Preview the survey as respondents see it").click()
    for question in (Q_OFTEN, Q_DRIVE, Q_DO, Q_TREES, Q_RANK, Q_PLACE):
        expect(group(page, question)).to_be_visible()
    for question in (Q_WORD, Q_CHANGE, Q_WHEN):
        expect(question_input(page, question)).to_be_visible()
    expect(page.get_by_text(f"Answer only if you answered “Yes” to “{Q_DRIVE}”.")).to_be_attached()

    # The draft text, pasted as Markdown, with its numbering checked before saving.
    page.goto(f"{BASE}/{consultation_id}/manage")
    page.get_by_role("link", name="Draft text").click()
    page.get_by_label(re.compile("^Title of the draft")).fill("Plan of the square")
    page.get_by_label(re.compile("^Text of the draft")).fill(DRAFT)
    page.get_by_role("button", name="Show the numbering").click()
    expect(page.get_by_role("status").filter(has_text="sections")).to_contain_text(
        "2 sections, 3 paragraphs."
    )
    expect(page.locator(".builder-paragraph-label")).to_have_text(["1.1", "1.2", "2.1"])
    page.get_by_role("button", name="Save the draft").click()
    expect(flash(page, "The draft text is saved.")).to_be_visible()

    # Opened by hand.
    page.get_by_role("button", name="Open it now").click()
    expect(page.locator("main dl.facts")).to_contain_text("Open")
    expect(page.get_by_role("button", name="Close now")).to_be_visible()
    return consultation_id


def answer_with_the_mouse(page: Page, title: str) -> None:
    page.goto(f"{BASE}/")
    page.get_by_role("link", name=title).click()
    expect(the_map(page, "Map of the area of the consultation")).to_be_visible()
    expect(page.get_by_role("link", name="Traffic study")).to_be_visible()
    page.get_by_role("link", name="Answer the survey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Survey: {title}")

    group(page, Q_OFTEN).get_by_label("Daily").check()
    minutes = question_input(page, Q_MINUTES)
    expect(minutes).to_be_hidden()  # asked only of those who drive
    group(page, Q_DRIVE).get_by_label("Yes").check()
    expect(minutes).to_be_visible()
    minutes.fill("15")
    group(page, Q_DO).get_by_label("Shopping").check()
    group(page, Q_DO).get_by_label("Sitting in a café").check()
    group(page, Q_TREES).get_by_label("5 – Very much").check()
    ranking = group(page, Q_RANK)
    for option, rank in (("Water", "1"), ("Shade", "2"), ("Benches", "3")):
        ranking.get_by_label(option, exact=True).select_option(rank)
    question_input(page, Q_WORD).fill("Green")
    question_input(page, Q_CHANGE).fill("Mouse: more shade by the fountain.")
    question_input(page, Q_WHEN).fill("2028-05-31")
    place = group(page, Q_PLACE)
    picker = the_map(page, re.compile(r"^Map for question 10: click to mark the place"))
    expect(place.get_by_label("Latitude")).to_have_value("")
    click_in_map(page, picker)
    expect(place.get_by_label("Latitude")).not_to_have_value("")
    expect(place.get_by_role("status")).to_contain_text("Place marked at")
    page.get_by_role("button", name="Submit my response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your response is in")


def answer_by_keyboard_alone(page: Page, consultation_id: int) -> None:
    """Tab, Space, arrows, Enter and typing: no click at all."""
    page.goto(f"{BASE}/{consultation_id}/survey")
    keys = page.keyboard
    tab_to(page, group(page, Q_OFTEN).get_by_label("Daily"))  # focused, not chosen
    keys.press("ArrowDown")  # moves to and chooses "Weekly"
    expect(group(page, Q_OFTEN).get_by_label("Weekly")).to_be_checked()
    tab_to(page, group(page, Q_DRIVE).get_by_label("Yes"))
    keys.press("ArrowDown")
    expect(group(page, Q_DRIVE).get_by_label("No")).to_be_checked()
    expect(question_input(page, Q_MINUTES)).to_be_hidden()  # not asked: skipped by Tab
    tab_to(page, group(page, Q_DO).get_by_label("Walking"))
    keys.press("Space")
    expect(group(page, Q_DO).get_by_label("Walking")).to_be_checked()
    tab_to(page, group(page, Q_TREES).get_by_label("1 – Not at all"))
    for _ in range(3):
        keys.press("ArrowRight")
    expect(group(page, Q_TREES).get_by_label("4")).to_be_checked()
    ranking = group(page, Q_RANK)
    for option, rank in (("Shade", "1"), ("Benches", "3"), ("Water", "2")):
        tab_to(page, ranking.get_by_label(option, exact=True))
        keys.type(rank)
        expect(ranking.get_by_label(option, exact=True)).to_have_value(rank)
    keys.press("Tab")
    expect(question_input(page, Q_WORD)).to_be_focused()
    keys.type("Calm")
    keys.press("Tab")
    expect(question_input(page, Q_CHANGE)).to_be_focused()
    keys.type("Keyboard: benches in the shade.")
    keys.press("Tab")
    expect(question_input(page, Q_WHEN)).to_be_focused()
    # Chromium orders a date's parts by its own UI language (en-US here, whatever the
    # page's locale): month, day, year.
    keys.type("06302027")
    expect(question_input(page, Q_WHEN)).to_have_value("2027-06-30")
    # The picker's keyboard path: focus the map, Enter marks its centre.
    picker = the_map(page, re.compile(r"^Map for question 10"))
    tab_to(page, picker)
    keys.press("Enter")
    place = group(page, Q_PLACE)
    expect(place.get_by_role("status")).to_contain_text("Place marked at")
    expect(place.get_by_label("Latitude")).not_to_have_value("")
    tab_to(page, page.get_by_role("button", name="Submit my response"))
    keys.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your response is in")


def comment_on_a_paragraph(page: Page, title: str, text: str) -> None:
    page.goto(f"{BASE}/")
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Comment on the draft text").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan of the square")
    paragraph = page.get_by_role("article", name="Paragraph 1.2")
    expect(paragraph).to_contain_text("The trees get benches around them.")
    paragraph.get_by_role("link", name="Comment on paragraph 1.2").click()
    page.get_by_label("Your comment").fill(text)
    page.get_by_role("button", name="Send the comment").click()
    expect(flash(page, "Thank you")).to_contain_text(
        "Thank you, your comment on paragraph 1.2 is in."
    )
    expect(page.get_by_role("article", name="Paragraph 1.2")).to_contain_text(text)


def enter_paper_response(page: Page, consultation_id: int) -> None:
    page.goto(f"{BASE}/{consultation_id}/")
    page.get_by_role("link", name="Enter a paper response").click()
    page.get_by_label(re.compile("^Paper form reference")).fill("P-17")
    group(page, Q_OFTEN).get_by_label("Rarely").check()
    group(page, Q_DRIVE).get_by_label("No").check()
    question_input(page, Q_CHANGE).fill("Paper: a market every Saturday.")
    page.get_by_role("button", name="Save the paper response").click()
    expect(page.locator("main")).to_contain_text("3 responses")


def answer_every_input(page: Page, consultation_id: int, count: int) -> dict[str, str]:
    """Answer every input on the inputs page, each by the labels of its own form: each
    input's text with the justification given."""
    page.goto(f"{BASE}/{consultation_id}/results")
    page.get_by_role("link", name="Answer the inputs").click()
    page.get_by_role("navigation", name="Which inputs to show").get_by_role(
        "link", name=re.compile("^All inputs")
    ).click()
    items = page.locator("main").get_by_role("article")
    expect(items).to_have_count(count)
    statuses = ["Accepted", "Partly accepted", "Rejected", "Out of scope", "Noted"]
    given = {}
    for n in range(count):
        item, status = items.nth(n), statuses[n % len(statuses)]
        expect(item.locator(".reply-status")).to_have_text("Not answered yet")
        justification = f"Justification number {n + 1}."
        given[item.locator(".input-text").inner_text()] = justification
        item.get_by_label("Answer", exact=True).select_option(label=status)
        item.get_by_label(re.compile("^Justification")).fill(justification)
        item.get_by_role("button", name="Save the answer").click()
        # The page comes back with this input answered (and the others as they were).
        expect(items.nth(n).locator(".reply-status")).to_have_text(status)
        expect(items.nth(n).get_by_label(re.compile("^Justification"))).to_have_value(justification)
    expect(page.locator(".inputs-counter")).to_contain_text(f"{count} of {count} answered")
    return given


def test_a_consultation_from_building_to_its_report(
    people, browser_app, live_server, upload_folder
):
    coordinator = make_account(browser_app, "builder", role=Role.COORDINATOR)
    clicker = make_account(browser_app, "clicker")
    typist = make_account(browser_app, "typist")
    title = f"Benches on the square {uuid.uuid4().hex[:6]}"
    staff = as_person(people, coordinator, downloads=True)
    consultation_id = build_consultation(staff, title, upload_folder)

    mouse = as_person(people, clicker)
    answer_with_the_mouse(mouse, title)
    comment = "Benches need backs for older people."
    comment_on_a_paragraph(mouse, title, comment)
    answer_by_keyboard_alone(as_person(people, typist), consultation_id)

    enter_paper_response(staff, consultation_id)
    staff.goto(f"{BASE}/{consultation_id}/manage")
    staff.get_by_role("button", name="Close now").click()
    expect(flash(staff, "The consultation is closed.")).to_be_visible()
    # 3 long texts, 2 short ones (the paper response has none) and the comment.
    given = answer_every_input(staff, consultation_id, 6)
    staff.get_by_role("link", name="Publish the report").click()
    staff.get_by_label(re.compile("^Introduction to the report")).fill(
        "The contest brief asks for **shade** and benches with backs."
    )
    staff.get_by_label(re.compile("^I have checked the answers")).check()
    staff.get_by_role("button", name="Publish the report").click()
    expect(flash(staff, "The report is published")).to_be_visible()

    # The resident reads the report: their comment with its answer.
    mouse.goto(f"{BASE}/{consultation_id}/")
    mouse.get_by_role("link", name="Final report: what you said and what we did").click()
    expect(mouse.get_by_role("heading", level=1)).to_have_text(f"You said, we did: {title}")
    mine = mouse.locator("main li.report-input").filter(has_text=comment)
    expect(mine).to_contain_text("Our answer:")
    expect(mine).to_contain_text(given[comment])
    expect(mouse.get_by_role("region", name=re.compile("^Comments on the draft"))).to_contain_text(
        "Paragraph 1.2"
    )
    expect(mouse.locator("main")).to_contain_text("Paper: a market every Saturday.")

    # The exports, downloaded through the results page's links, hold all three responses.
    staff.goto(f"{BASE}/{consultation_id}/results")
    with staff.expect_download() as download:
        staff.get_by_role("link", name="CSV", exact=True).click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8-sig"))))
    assert sorted(r["channel"] for r in rows) == ["online", "online", "paper"], rows
    paper = next(r for r in rows if r["channel"] == "paper")
    assert paper["paper_reference"] == "P-17"
    texts = {v for r in rows for v in r.values()}
    assert {"Mouse: more shade by the fountain.", "Keyboard: benches in the shade."} <= texts
    with staff.expect_download() as download:
        staff.get_by_role("link", name="XLSX with a codebook").click()
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    assert book.sheetnames == ["responses", "codebook"]
    sheet = list(book["responses"].iter_rows(values_only=True))
    assert len(sheet) == 4, sheet  # a header and three responses
    assert any("Paper: a market every Saturday." in row for row in sheet)
    assert any(Q_PLACE in str(row) for row in book["codebook"].iter_rows(values_only=True))
    book.close()
    assert foreign_requests(people.requested, live_server.url) == []


@pytest.fixture
def upload_folder(browser_app, tmp_path, monkeypatch):
    """Uploaded documents go to a temporary folder, not the instance folder."""
    monkeypatch.setitem(browser_app.config, "UPLOAD_FOLDER", str(tmp_path))
    return tmp_path


# --- 5. bad input ------------------------------------------------------------------------------

Q_ENTRANCE = "Which entrance do you use?"
Q_HAVE = "What should the square have?"
Q_NAME = "A name for the square?"
Q_ELSE = "Anything else?"
Q_WHERE = "Where exactly?"
NAME_MAX = 20


def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(people, browser_app, live_server):
    consultation_id, _title = new_consultation(
        browser_app,
        live_server,
        "Bad input",
        [
            (Kind.SINGLE, Q_ENTRANCE, ["North", "South"], {"required": True}),
            (Kind.MULTIPLE, Q_HAVE, ["Trees", "Benches", "Fountain", "Stage"], {"max_choices": 2}),
            (Kind.SHORT_TEXT, Q_NAME, [], {"max_length": NAME_MAX}),
            (Kind.LONG_TEXT, Q_ELSE, [], {}),
            (Kind.POINT, Q_WHERE, [], {}),
        ],
    )
    page = as_person(people, make_account(browser_app, "careless"))
    page.goto(f"{BASE}/{consultation_id}/survey")
    have, name, other = (
        group(page, Q_HAVE),
        question_input(page, Q_NAME),
        question_input(page, Q_ELSE),
    )
    where = group(page, Q_WHERE)
    lat, lon = where.get_by_label("Latitude"), where.get_by_label("Longitude")
    long_name = "The Square of Many Fountains"  # 28 characters
    for option in ("Trees", "Benches", "Fountain"):
        have.get_by_label(option).check()
    name.fill(long_name)
    other.fill("Keep the old **linden** trees.")
    lat.fill("49.43")  # in Sever: in the town, not in the consultation's district Střed
    lon.fill("14.66")
    page.get_by_role("button", name="Submit my response").click()

    summary = page.get_by_role("alert")
    required = "Choose an answer: this question is required."
    too_many = "Choose at most 2 options."
    too_long = f"Your answer has {len(long_name)} characters; at most {NAME_MAX} are allowed."
    outside = "This place is outside the area of the consultation. Choose a place inside it."
    expect(summary.get_by_role("listitem")).to_have_count(4)
    for message, where_it_is in (
        (required, group(page, Q_ENTRANCE)),
        (too_many, have),
        (too_long, name),
        (outside, where),
    ):
        expect(summary).to_contain_text(message)
        # Shown by the field, and read with it (aria-describedby).
        block = page.locator("main [data-question]").filter(has=where_it_is)
        expect(block.locator(".error")).to_contain_text(message)
        expect(where_it_is).to_have_accessible_description(re.compile(re.escape(message)))
    for field in (name, lat, lon, group(page, Q_ENTRANCE).get_by_label("North")):
        expect(field).to_have_attribute("aria-invalid", "true")

    def kept() -> None:
        for option in ("Trees", "Benches", "Fountain"):
            expect(have.get_by_label(option)).to_be_checked()
        expect(name).to_have_value(long_name)
        expect(other).to_have_value("Keep the old **linden** trees.")
        # (The picker writes the place back with six decimals: the same place.)
        expect(lat).to_have_value(re.compile(r"^49\.430*$"))
        expect(lon).to_have_value(re.compile(r"^14\.660*$"))

    kept()
    # The summary's links take the keyboard to the field.
    summary.get_by_role("link", name=re.compile("^Question 3")).click()
    expect(name).to_be_focused()

    # One problem fixed at a time: the rest stay, and so does everything typed.
    group(page, Q_ENTRANCE).get_by_label("South").check()
    page.get_by_role("button", name="Submit my response").click()
    expect(summary.get_by_role("listitem")).to_have_count(3)
    expect(group(page, Q_ENTRANCE).get_by_label("South")).to_be_checked()
    kept()

    have.get_by_label("Fountain").uncheck()
    name.fill("Linden Square")
    lat.fill("49.414")
    lon.fill("14.658")
    page.get_by_role("button", name="Submit my response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your response is in")
    page.get_by_role("link", name="Change my answers").click()
    expect(group(page, Q_ENTRANCE).get_by_label("South")).to_be_checked()
    expect(name).to_have_value("Linden Square")
    assert foreign_requests(people.requested, live_server.url) == []


# --- 6. without JavaScript -------------------------------------------------------------------

Q_CYCLE = "Do you cycle to the square?"
Q_RACKS = "How many bicycle racks are needed?"


def test_the_survey_works_without_javascript(people, browser_app, live_server):
    consultation_id, title = new_consultation(
        browser_app,
        live_server,
        "No script",
        [
            (Kind.YES_NO, Q_CYCLE, [], {"required": True}),
            (Kind.NUMBER, Q_RACKS, [], {"number_min": 0, "condition": (Q_CYCLE, "yes")}),
            (Kind.POINT, Q_WHERE, [], {}),
        ],
    )
    page = as_person(people, make_account(browser_app, "nojs"), javascript=False)
    page.goto(f"{BASE}/")
    page.get_by_role("link", name=title).click()
    page.get_by_role("link", name="Answer the survey").click()
    # No map: the coordinates do its work. The conditional question is there, with its hint.
    expect(page.locator(".leaflet-container")).to_have_count(0)
    expect(page.locator(".consultation-map")).to_be_hidden()
    racks = question_input(page, Q_RACKS)
    expect(racks).to_be_visible()
    expect(racks).to_have_accessible_description(
        re.compile(re.escape(f"Answer only if you answered “Yes” to “{Q_CYCLE}”."))
    )
    group(page, Q_CYCLE).get_by_label("Yes").check()
    racks.fill("12")
    group(page, Q_WHERE).get_by_label("Latitude").fill("49.415")
    group(page, Q_WHERE).get_by_label("Longitude").fill("14.66")
    page.get_by_role("button", name="Submit my response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your response is in")
    page.get_by_role("link", name="Change my answers").click()
    expect(group(page, Q_CYCLE).get_by_label("Yes")).to_be_checked()
    expect(racks).to_have_value("12")
    expect(group(page, Q_WHERE).get_by_label("Latitude")).to_have_value(re.compile(r"^49\.415"))
    assert foreign_requests(people.requested, live_server.url) == []


# --- 7. permissions by role and status ----------------------------------------------------------


def test_who_sees_what_by_role_and_status(people, browser_app, live_server):
    ids = demo_ids(browser_app)
    draft_id, draft_title = new_consultation(
        browser_app, live_server, "Not yet public", [(Kind.YES_NO, Q_CYCLE, [], {})]
    )
    with browser_app.app_context():
        db.session.get(Consultation, draft_id).published_at = None
        db.session.commit()
    staff_urls = [
        f"{BASE}/manage",
        f"{BASE}/new",
        f"{BASE}/{ids['open']}/manage",
        f"{BASE}/{ids['open']}/manage/survey",
        f"{BASE}/{ids['open']}/manage/draft",
        f"{BASE}/{ids['open']}/paper",
        f"{BASE}/{ids['open']}/inputs",
        f"{BASE}/{ids['open']}/export.csv",
    ]

    # A resident sees no staff links and is refused every staff page.
    resident = as_person(people, make_account(browser_app, "curious"))
    resident.goto(f"{BASE}/")
    expect(resident.get_by_role("link", name=OPEN_TITLE)).to_be_visible()
    expect(resident.get_by_role("link", name="Manage consultations")).to_have_count(0)
    expect(resident.get_by_role("link", name=draft_title)).to_have_count(0)
    resident.get_by_role("link", name=OPEN_TITLE).click()
    expect(resident.get_by_role("region", name="For staff")).to_have_count(0)
    expect(resident.get_by_role("link", name="Enter a paper response")).to_have_count(0)
    # Results are not public before the close.
    expect(resident.get_by_role("link", name="Results of the survey")).to_have_count(0)
    assert resident.goto(staff_urls[2]).status == 403
    expect(resident.get_by_role("heading", level=1)).to_contain_text("Access denied")
    # The rest asked with the same browser's cookies, without drawing each refusal.
    for url in [*staff_urls, f"{BASE}/{ids['open']}/results"]:
        assert resident.request.get(url, max_redirects=0).status == 403, url
    assert resident.request.get(f"{BASE}/{draft_id}/").status == 404
    # A moderator is staff, but not of consultations.
    moderator = as_person(people, make_account(browser_app, "mod", role=Role.MODERATOR))
    for url in staff_urls[:3]:
        assert moderator.request.get(url, max_redirects=0).status == 403, url

    # Nobody logged in: results of the open one are refused; the closed one's are public.
    visitor = people()
    visitor.goto(f"{BASE}/{ids['open']}/results")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Log in")
    visitor.goto(f"{BASE}/{ids['closed']}/")
    expect(visitor.get_by_role("link", name="Answer the survey")).to_have_count(0)
    visitor.get_by_role("link", name="Results of the survey").click()
    expect(visitor.get_by_role("heading", level=1)).to_contain_text(CLOSED_TITLE)
    expect(visitor.locator("svg.bar-chart").first).to_be_visible()
    expect(visitor.get_by_role("link", name="CSV", exact=True)).to_have_count(0)
    visitor.goto(f"{BASE}/{ids['closed']}/")
    visitor.get_by_role("link", name="Final report: what you said and what we did").click()
    expect(visitor.locator("main")).to_contain_text("Průchod jsme rozšířili na 2 metry.")
    # A closed survey takes no responses, with a reason.
    resident.goto(f"{BASE}/{ids['closed']}/survey")
    expect(resident.locator("main")).to_contain_text("no longer takes responses")

    # The coordinator sees the draft and the staff links; results of an open one too.
    staff = as_person(people, make_account(browser_app, "boss", role=Role.COORDINATOR))
    staff.goto(f"{BASE}/")
    staff.get_by_role("link", name="Manage consultations").click()
    expect(staff.get_by_role("link", name=draft_title)).to_be_visible()
    staff.goto(f"{BASE}/{ids['open']}/")
    staff.get_by_role("link", name="Manage this consultation").click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(OPEN_TITLE)
    staff.goto(f"{BASE}/{ids['open']}/results")
    expect(staff.get_by_text("only staff see these results")).to_be_visible()
    # ... but the report of a consultation that is still open cannot be published.
    assert staff.goto(f"{BASE}/{ids['open']}/report/publish").status == 403
    assert foreign_requests(people.requested, live_server.url) == []


# --- 8. axe-core on every consultation page -----------------------------------------------------


class Sweep:
    """axe-core on each page shown, in the language expected; violations kept per page."""

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

    def visit(self, page: Page, path: str, what: str, status: int = 200) -> None:
        response = page.goto(path)
        assert response.status == status, f"{path} answered {response.status}"
        self.check(page, what)

    def send(self, page: Page, button: str, what: str) -> None:
        """Send the page's main form (by its button's name attribute or position) and check
        the page with its errors."""
        page.locator(f"main form[method=post] {button}").first.click()
        expect(page.get_by_role("alert").first).to_be_visible()
        self.check(page, what)


def closed_with_inputs(app, live_server, lang: str) -> int:
    """A consultation closed a moment ago, with an answer and a comment to answer."""
    consultation_id, _title = new_consultation(
        app,
        live_server,
        f"Closed {lang}",
        [(Kind.LONG_TEXT, Q_ELSE, [], {})],
        has_draft=True,
    )
    with app.test_request_context(base_url=live_server.url):
        consultation = db.session.get(Consultation, consultation_id)
        consultation_services.replace_draft(
            consultation, "Rules", [consultation_services.DraftPart("Rules", ["Be kind."])]
        )
        resident = core_services.find_user_by_email("resident@demo.test")
        question = consultation.questions[0]
        consultation_services.save_response(
            consultation, {question.id: Value(text="More trees.")}, True, respondent=resident
        )
        paragraph = consultation.draft_sections[0].paragraphs[0]
        comment = consultation_services.add_comment(
            consultation, "Kinder still.", author=resident, paragraph=paragraph
        )
        consultation_services.reply_to(
            consultation,
            comment,
            ReplyStatus.NOTED,
            "Thank you.",
            core_services.find_user_by_email("coordinator@demo.test"),
        )
        consultation.closes_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    return consultation_id


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_consultation_page_is_accessible(people, browser_app, live_server, lang):
    """Every consultation page, public and staff, in Czech and in Polish (forms also with
    their errors): no axe-core violation, and nothing requested from any host but ours and
    the tile server. Nothing is saved: the demo stays as it is."""
    ids = demo_ids(browser_app)
    opened, closed = ids["open"], ids["closed"]
    draft_id, _title = new_consultation(
        browser_app, live_server, f"Draft {lang}", [(Kind.YES_NO, Q_CYCLE, [], {})], has_draft=True
    )
    with browser_app.app_context():
        draft = db.session.get(Consultation, draft_id)
        draft.published_at = None
        draft.opens_at = datetime.now(UTC) + timedelta(days=3)
        section_id = draft.sections[0].id
        db.session.commit()
    ended = closed_with_inputs(browser_app, live_server, lang)
    sweep = Sweep(lang)

    # A resident's pages.
    page = as_person(people, make_account(browser_app, f"axe-{lang}"))
    page.goto(f"{BASE}/")
    switch_language(page, lang)
    sweep.check(page, "list")
    sweep.visit(page, f"{BASE}/{opened}/", "open consultation with the map of its area")
    expect(page.locator(".consultation-map .leaflet-container")).to_be_visible()
    sweep.visit(page, f"{BASE}/{closed}/", "closed consultation")
    sweep.visit(page, f"{BASE}/{opened}/survey", "survey")
    expect(page.locator("main .leaflet-container")).to_be_visible()
    sweep.send(page, "button[value=submit]", "survey with errors")
    sweep.visit(page, f"{BASE}/{opened}/survey/done", "survey done")
    sweep.visit(page, f"{BASE}/{opened}/draft", "draft with comments")
    page.locator("main .paragraph a[href$='/comment']").first.click()
    sweep.check(page, "comment form")
    sweep.send(page, "button[type=submit]", "comment form with an error")
    sweep.visit(page, f"{BASE}/{opened}/comments", "open comments")
    sweep.send(page, "button[type=submit]", "open comments with an error")
    sweep.visit(page, f"{BASE}/{closed}/survey", "survey of a closed consultation", 403)
    sweep.visit(page, f"{BASE}/{closed}/draft", "closed draft with comments")
    sweep.visit(page, f"{BASE}/{closed}/results", "results, public")
    sweep.visit(page, f"{BASE}/{closed}/report", "report")

    # The staff pages.
    page = as_person(people, make_account(browser_app, f"axe-{lang}-staff", role=Role.COORDINATOR))
    page.goto(f"{BASE}/manage")
    switch_language(page, lang)
    sweep.check(page, "overview")
    sweep.visit(page, f"{BASE}/new", "new consultation form")
    sweep.send(page, "button[type=submit]", "new consultation form with errors")
    sweep.visit(page, f"{BASE}/{opened}/manage/edit", "edit form with the drawn area")
    expect(page.locator("main .leaflet-container")).to_be_visible()
    sweep.visit(page, f"{BASE}/{opened}/manage", "manage page, open")
    sweep.visit(page, f"{BASE}/{draft_id}/manage", "manage page, draft")
    sweep.visit(page, f"{BASE}/{draft_id}/manage/documents", "documents")
    sweep.send(page, "button[type=submit]", "documents with an error")
    sweep.visit(page, f"{BASE}/{opened}/manage/survey", "survey builder")
    page.locator("main .builder-questions a[href$='/edit']").first.click()
    sweep.check(page, "question form, with responses in")
    sweep.visit(
        page, f"{BASE}/{draft_id}/manage/survey/sections/{section_id}/questions/new", "new question"
    )
    sweep.send(page, "button[type=submit]", "question form with errors")
    sweep.visit(page, f"{BASE}/{opened}/manage/survey/preview", "preview")
    sweep.visit(page, f"{BASE}/{opened}/manage/draft", "draft text, open")
    sweep.visit(page, f"{BASE}/{draft_id}/manage/draft", "draft editor")
    page.locator("main textarea[name=text]").fill(DRAFT)
    page.locator("main button[name=preview]").click()
    expect(page.locator("main .builder-paragraph-label")).to_have_count(3)
    sweep.check(page, "draft editor with the numbering")
    sweep.visit(page, f"{BASE}/{opened}/paper", "paper response")
    sweep.visit(page, f"{BASE}/{opened}/paper-comment", "paper comment")
    sweep.visit(page, f"{BASE}/{opened}/results", "results with charts and the maps")
    # The point question has two maps: the places marked, and districts coloured by them.
    maps = page.locator("main .results-map .leaflet-container")
    expect(maps).to_have_count(2)
    expect(maps.first).to_be_visible()
    expect(maps.last).to_be_visible()
    sweep.visit(page, f"{BASE}/{opened}/inputs?show=all", "inputs")
    page.locator("main form.reply-form button[type=submit]").first.click()
    expect(page.get_by_role("alert").first).to_be_visible()
    sweep.check(page, "inputs with an error")
    sweep.visit(page, f"{BASE}/{ended}/manage", "manage page, closed")
    sweep.visit(page, f"{BASE}/{ended}/report", "report preview")
    sweep.visit(page, f"{BASE}/{ended}/report/publish", "publish report")
    sweep.send(page, "button[type=submit]", "publish report refused")

    assert not sweep.violations, "axe-core found violations:\n" + "\n".join(
        f"{what}: {found}" for what, found in sweep.violations.items()
    )
    assert len(sweep.checked) == 40, sweep.checked
    assert foreign_requests(people.requested, live_server.url) == []
    assert any(u.startswith(TILE_HOST + "/") for u in people.requested)

"""The public list of consultations and a consultation's page: what a visitor reads, what
staff see besides, drafts hidden, other towns kept apart, documents downloaded."""

from __future__ import annotations

from datetime import timedelta

from shapely.geometry import box

from participation.consultations import documents, services
from participation.consultations.models import Document
from participation.core.models import Role, utcnow
from participation.extensions import db
from tests.consultations.public_helpers import url
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import Browser, text

LIST = "/lipnice/consultations/"


def test_the_list_groups_open_upcoming_and_closed(app, town):
    m = town.municipality
    soon = make_consultation(m, status="open", title="Zavírá brzy")
    soon.closes_at = utcnow() + timedelta(days=2)
    later = make_consultation(m, status="open", title="Zavírá později")
    make_consultation(m, status="scheduled", title="Teprve bude")
    make_consultation(m, status="closed", title="Už skončila")
    make_consultation(m, status="report_published", title="Se zprávou")
    make_consultation(m, status="draft", title="Rozpracovaná")
    make_survey(later, kinds=("yes_no",))
    db.session.flush()
    page = Browser(app).page(LIST)
    assert "Consultations" in page
    open_part = page[page.index("Open now") : page.index("Coming next")]
    assert open_part.index("Zavírá brzy") < open_part.index("Zavírá později")
    assert "How to take part: a survey, open comments" in open_part
    assert "The whole of Lipnice" in open_part
    upcoming = page[page.index("Coming next") : page.index(">Closed<")]
    assert "Teprve bude" in upcoming and "Upcoming" in upcoming
    closed = page[page.index(">Closed<") :]
    assert "Už skončila" in closed and "Se zprávou" in closed
    assert "The final report is published." in closed
    assert "Rozpracovaná" not in page
    assert "Log in to follow all consultations of Lipnice" in page
    assert "Manage consultations" not in page


def test_an_empty_list_says_so(app, town):
    page = Browser(app).page(LIST)
    assert "Lipnice has no consultations yet." in page
    assert 'href="/lipnice/consultations/"' in page  # the main navigation links here


def test_staff_see_the_way_to_the_overview(app, town):
    coordinator = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    page = Browser(app, coordinator).page(LIST)
    if "consultations_admin.overview" in app.view_functions:
        assert "Manage consultations" in page


def test_a_consultation_page_tells_everything_needed_to_take_part(app, town):
    consultation = make_consultation(
        town.municipality,
        status="open",
        title="Park u řeky",
        summary="Jak **upravit** park.",
        decision="Úprava parku v rozpočtu 2026",
        decision_maker="Zastupitelstvo města",
        contact_name="Jana Nováková",
        contact_email="jana@lipnice.test",
        districts=(town.districts["Sever"], town.districts["Jih"]),
        has_draft=True,
    )
    make_survey(consultation, kinds=("yes_no",))
    services.replace_draft(consultation, "Návrh", [services.DraftPart("Úvod", ["Text."])])
    response = Browser(app).get(url(consultation))
    assert response.status_code == 200
    page = text(response)
    assert "<strong>upravit</strong>" in response.get_data(as_text=True)  # Markdown
    for words in (
        "Úprava parku v rozpočtu 2026",
        "Zastupitelstvo města",
        "Jana Nováková",
        "jana@lipnice.test",
        "Districts: Jih, Sever",
        "This consultation is open: you can take part until",
        "Log in to answer the survey",
        "Comment on the draft text",
        "Send an open comment",
        "Log in to follow this consultation",
    ):
        assert words in page, words
    assert "map of the area" in page.lower()  # the districts outlined on a map
    assert "For staff" not in page


def test_the_page_in_each_status(app, town):
    m = town.municipality
    scheduled = make_consultation(m, status="scheduled")
    make_survey(scheduled, kinds=("yes_no",))
    closed = make_consultation(m, status="closed")
    published = make_consultation(m, status="report_published")
    browser = Browser(app)
    page = browser.page(url(scheduled))
    assert "This consultation opens on" in page and "You can take part from" in page
    assert "Answer the survey" not in page
    page = browser.page(url(closed))
    assert "This consultation closed on" in page
    assert "takes no more responses or comments" in page
    page = browser.page(url(published))
    assert "Its final report was published on" in page
    if "consultations_report.report" in app.view_functions:
        assert url(published, "report") in page


def test_a_drawn_area_is_shown_on_a_map_with_words(app, town):
    consultation = make_consultation(
        town.municipality, status="open", area=box(14.65, 49.41, 14.66, 49.415)
    )
    page = Browser(app).page(url(consultation))
    assert "An area of Lipnice marked on the map" in page
    assert "Participation.plain(" in page
    assert "The outline on the map is the area of the consultation" in page


def test_a_draft_consultation_is_not_found_by_the_public(app, town):
    draft = make_consultation(town.municipality, status="draft")
    resident = make_user(municipality=town.municipality, roles=(Role.RESIDENT,))
    assert Browser(app).get(url(draft)).status_code == 404
    assert Browser(app, resident).get(url(draft)).status_code == 404
    assert Browser(app, resident).get(url(draft, "survey")).status_code == 404
    coordinator = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    page = Browser(app, coordinator).page(url(draft))
    assert "This consultation is a draft" in page


def test_another_towns_consultation_is_not_found(app, town, other_town):
    theirs = make_consultation(other_town.municipality, status="open")
    browser = Browser(app)
    assert browser.get(f"/lipnice/consultations/{theirs.id}/").status_code == 404
    assert browser.get(f"/lipnice/consultations/{theirs.id}/survey").status_code == 404
    assert browser.get(f"/jinde/consultations/{theirs.id}/").status_code == 200


def test_documents_download_with_their_name_and_type(app, town, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    consultation = make_consultation(town.municipality, status="open")
    (documents.folder() / "a1b2c3.pdf").write_bytes(b"%PDF-1.4 test")
    doc = Document(
        consultation_id=consultation.id,
        title="Studie parku",
        filename="a1b2c3.pdf",
        original_name="Studie parku 2025.pdf",
        content_type="application/pdf",
        size=13,
    )
    db.session.add(doc)
    db.session.flush()
    browser = Browser(app)
    page = browser.page(url(consultation))
    assert "Studie parku" in page and "(PDF, 1 kB)" in page
    response = browser.get(url(consultation, f"documents/{doc.id}"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.get_data() == b"%PDF-1.4 test"
    response.close()
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Studie%20parku%202025.pdf" in disposition or "Studie parku 2025.pdf" in disposition
    # Only through its own consultation.
    other = make_consultation(town.municipality, status="open")
    assert browser.get(url(other, f"documents/{doc.id}")).status_code == 404

"""The draft text: pasted as Markdown or uploaded (.md, .txt, .docx), previewed with its
numbering, saved; refused once people have commented on its paragraphs."""

from __future__ import annotations

from io import BytesIO

import pytest

from participation.consultations.models import ConsultationComment
from participation.core.models import Role
from participation.extensions import db
from tests.consultations.test_drafts import docx_bytes
from tests.factories import make_consultation, make_user
from tests.ideas.helpers import Browser, field_value, text

MARKDOWN = """# Obecná ustanovení

Tato vyhláška upravuje **veřejnou zeleň**.

Platí na celém území města.

## Povinnosti

Vlastník:

- seče trávu,
- hrabe listí.
"""


@pytest.fixture
def prepared(app, town):
    user = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    consultation = make_consultation(town.municipality, status="draft", by=user)
    return Browser(app, user), consultation, f"/lipnice/consultations/{consultation.id}/manage"


def test_a_pasted_markdown_draft_is_previewed_then_saved(app, town, prepared):
    browser, consultation, url = prepared
    page = browser.page(f"{url}/draft")
    assert "Enter the draft" in page
    response = browser.post(
        f"{url}/draft", {"title": "Vyhláška o zeleni", "text": MARKDOWN, "preview": "1"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "2 sections, 4 paragraphs." in page
    assert "1. Obecná ustanovení" in page and "2. Povinnosti" in page
    assert "1.2" in page and "2.1" in page
    assert "<strong>veřejnou zeleň</strong>" in page
    assert field_value(response, "text").replace("\r\n", "\n") == MARKDOWN
    assert consultation.draft_sections == []  # nothing saved by the preview

    response = browser.post(
        f"{url}/draft", {"title": "Vyhláška o zeleni", "text": MARKDOWN, "save": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == url
    db.session.expire_all()
    assert consultation.draft_title == "Vyhláška o zeleni"
    assert consultation.has_draft is True
    sections = consultation.draft_sections
    assert [(s.number, s.title) for s in sections] == [(1, "Obecná ustanovení"), (2, "Povinnosti")]
    assert [p.label for p in sections[0].paragraphs] == ["1.1", "1.2"]
    assert [p.text for p in sections[1].paragraphs] == [
        "Vlastník:",
        "- seče trávu,\n- hrabe listí.",
    ]

    # The page shows the saved draft, and the form holds it again to edit.
    response = browser.get(f"{url}/draft")
    assert "Replace the draft" in text(response)
    assert "Tato vyhláška upravuje" in field_value(response, "text")


def test_a_word_document_is_read_into_the_text_box_and_numbered(app, town, prepared):
    browser, consultation, url = prepared
    response = browser.post(
        f"{url}/draft",
        {"title": "", "text": "", "file": (BytesIO(docx_bytes()), "navrh.docx"), "save": "1"},
        content_type="multipart/form-data",
    )
    # An upload is always shown first, even when "save" was pressed.
    assert response.status_code == 200
    page = text(response)
    assert "3 sections, 4 paragraphs." in page
    assert "2. Předmět úpravy" in page
    typed = field_value(response, "text")
    assert typed.startswith("## Návrh vyhlášky o veřejné zeleni")
    assert consultation.draft_sections == []

    response = browser.post(f"{url}/draft", {"title": "Z Wordu", "text": typed, "save": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.title for s in consultation.draft_sections] == [
        "Návrh vyhlášky o veřejné zeleni",
        "Předmět úpravy",
        "Povinnosti",
    ]
    assert consultation.draft_sections[1].paragraphs[1].text == "Zeleň je veřejná."


def test_a_markdown_file_upload(app, town, prepared):
    browser, _consultation, url = prepared
    response = browser.post(
        f"{url}/draft",
        {"file": (BytesIO(MARKDOWN.encode()), "navrh.md"), "preview": "1"},
        content_type="multipart/form-data",
    )
    assert "2 sections, 4 paragraphs." in text(response)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"%PDF-1.4 not a word file", "navrh.docx", "is not a Word (.docx) document"),
        (docx_bytes(), "navrh.md", "is not plain text in UTF-8"),
        (b"%PDF-1.4", "navrh.pdf", "Upload a Markdown or text file"),
        (b"# Jen nadpis", "navrh.txt", "The file has no paragraphs to comment on."),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused(app, town, prepared, data, name, message):
    browser, consultation, url = prepared
    response = browser.post(
        f"{url}/draft",
        {"title": "Můj návrh", "file": (BytesIO(data), name), "preview": "1"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = text(response)
    assert message in page
    assert 'href="#file"' in page
    assert field_value(response, "title") == "Můj návrh"
    assert consultation.draft_sections == []


def test_an_empty_text_is_explained(app, town, prepared):
    browser, _consultation, url = prepared
    response = browser.post(f"{url}/draft", {"title": "T", "text": "# Jen nadpis", "save": "1"})
    assert response.status_code == 422
    assert "Paste the text of the draft, or upload a file." in text(response)
    assert field_value(response, "text") == "# Jen nadpis"


def test_the_draft_is_not_replaced_once_paragraphs_have_comments(app, town, prepared):
    browser, consultation, url = prepared
    browser.post(f"{url}/draft", {"title": "V1", "text": MARKDOWN, "save": "1"})
    db.session.expire_all()
    paragraph = consultation.draft_sections[0].paragraphs[0]
    db.session.add(
        ConsultationComment(
            consultation_id=consultation.id,
            paragraph_id=paragraph.id,
            author_id=make_user().id,
            body="Souhlasím.",
        )
    )
    db.session.flush()
    assert "can no longer be replaced" in browser.page(f"{url}/draft")
    response = browser.post(f"{url}/draft", {"title": "V2", "text": "# Nové\n\nJiné.", "save": "1"})
    assert response.status_code == 422
    page = text(response)
    assert (
        "People have commented on the paragraphs, so the draft can no longer be replaced." in page
    )
    assert field_value(response, "text") == "# Nové\n\nJiné."
    db.session.expire_all()
    assert consultation.draft_title == "V1"
    assert consultation.draft_sections[0].title == "Obecná ustanovení"

"""Documents of a consultation: checked by content and size, listed, retitled, reordered
and deleted by coordinators."""

from __future__ import annotations

import zipfile
from io import BytesIO

import pytest
from sqlalchemy import select

from participation.consultations import documents
from participation.consultations.models import Document
from participation.core.models import Role
from participation.extensions import db
from tests.consultations.test_drafts import docx_bytes
from tests.factories import make_consultation, make_user
from tests.ideas.helpers import Browser, field_value, png_with_text, text

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def _zip(entries: dict[str, str]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def _ooxml(main: str) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                f'<Override PartName="/x.xml" ContentType="application/vnd.openxmlformats-'
                f'officedocument.{main}.main+xml"/></Types>'
            )
        }
    )


def _ole2(stream: str) -> bytes:
    header = documents.OLE2_MAGIC + b"\x00" * 504
    return header + stream.encode("utf-16-le") + b"\x00" * 64


# --- the content check (pure) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF, "pdf"),
        (docx_bytes(), "docx"),
        (_ooxml("spreadsheetml.sheet"), "xlsx"),
        (_ooxml("presentationml.presentation"), "pptx"),
        (_zip({"mimetype": "application/vnd.oasis.opendocument.text"}), "odt"),
        (_zip({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), "ods"),
        (_ole2("WordDocument"), "doc"),
        (_ole2("Workbook"), "xls"),
    ],
)
def test_documents_are_recognised_by_their_content(data, kind):
    assert documents.detect(data) == kind


@pytest.mark.parametrize(
    "data",
    [
        EXE,
        png_with_text((10, 10)),
        b"",
        b"just text %PDF- later",
        _zip({"readme.txt": "a zip of something else"}),
        _zip({"mimetype": "application/vnd.oasis.opendocument.presentation"}),
        _ooxml("wordprocessingml.template"),  # not one of ours (e.g. macro files)
        b"PK\x03\x04 broken",
        _ole2("PowerPoint Document"),
    ],
)
def test_anything_else_is_not_a_document(data):
    assert documents.detect(data) is None


def test_the_download_name_is_cleaned_and_ends_as_its_content():
    assert documents.clean_name("C:\\Users\\x\\Studie zeleně.PDF", "pdf") == "Studie zeleně.pdf"
    assert documents.clean_name("../../etc/passwd", "pdf") == "passwd.pdf"
    assert documents.clean_name("zpráva.pdf", "docx") == "zpráva.docx"
    assert documents.clean_name("", "xlsx") == "document.xlsx"
    assert documents.clean_name("a\x00b\nc.odt", "odt") == "abc.odt"


# --- the page ---------------------------------------------------------------------------


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    return tmp_path / documents.FOLDER


@pytest.fixture
def prepared(app, town):
    user = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    consultation = make_consultation(town.municipality, status="draft", by=user)
    return Browser(app, user), consultation, f"/lipnice/consultations/{consultation.id}/manage"


def upload(browser, url, data: bytes, name: str, title: str = ""):
    return browser.post(
        f"{url}/documents",
        {"file": (BytesIO(data), name), "title": title},
        content_type="multipart/form-data",
    )


def test_a_coordinator_uploads_a_pdf_and_a_word_document(app, town, prepared, uploads):
    browser, consultation, url = prepared
    page = browser.page(f"{url}/documents")
    assert "No document yet." in page
    assert "at most 20 MB" in page
    response = upload(browser, url, PDF, "Studie.pdf", "Studie proveditelnosti")
    assert response.status_code == 302
    response = upload(browser, url, docx_bytes(), "navrh vyhlasky.docx")
    assert response.status_code == 302
    stored = db.session.scalars(select(Document).order_by(Document.position)).all()
    assert [(d.title, d.original_name, d.content_type, d.position) for d in stored] == [
        ("Studie proveditelnosti", "Studie.pdf", "application/pdf", 0),
        (
            "navrh vyhlasky",
            "navrh vyhlasky.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            1,
        ),
    ]
    # Random names under the uploads folder, with the content as sent.
    assert stored[0].filename != "Studie.pdf" and stored[0].filename.endswith(".pdf")
    assert (uploads / stored[0].filename).read_bytes() == PDF
    assert stored[0].size == len(PDF)
    page = browser.page(f"{url}/documents")
    assert "2 documents" in page
    assert "“navrh vyhlasky” is uploaded." in page
    assert "Studie.pdf" in page and "navrh vyhlasky.docx" in page


@pytest.mark.parametrize(
    ("data", "name"),
    [(EXE, "program.pdf"), (png_with_text((20, 20)), "obrazek.pdf"), (b"%PD", "kratky.docx")],
)
def test_a_renamed_file_is_refused_with_a_message(app, town, prepared, uploads, data, name):
    browser, _consultation, url = prepared
    response = upload(browser, url, data, name, "Můj titul")
    assert response.status_code == 422
    page = text(response)
    assert "This file is not a PDF or an office document" in page
    assert "whatever its name says" in page
    assert field_value(response, "title") == "Můj titul"
    assert db.session.scalar(select(Document)) is None
    assert not uploads.exists() or not any(uploads.iterdir())


def test_an_oversize_or_empty_file_is_refused(app, town, prepared, uploads, monkeypatch):
    browser, _consultation, url = prepared
    monkeypatch.setitem(app.config, "CONSULTATION_DOCUMENT_MAX_BYTES", 100)
    response = upload(browser, url, PDF + b" " * 200, "velky.pdf")
    assert response.status_code == 422
    assert "The file is larger than" in text(response)
    response = upload(browser, url, b"", "prazdny.pdf")
    assert response.status_code == 422
    assert db.session.scalar(select(Document)) is None
    # No file at all.
    response = browser.post(f"{url}/documents", {"title": "x"})
    assert response.status_code == 422
    assert "Choose a file." in text(response)


def test_documents_are_retitled_reordered_and_deleted(app, town, prepared, uploads):
    browser, consultation, url = prepared
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        upload(browser, url, PDF, name)
    a, b, c = db.session.scalars(select(Document).order_by(Document.position)).all()

    response = browser.post(f"{url}/documents/{b.id}/title", {f"doc{b.id}-title": "  Bé  "})
    assert response.status_code == 302
    db.session.refresh(b)
    assert b.title == "Bé"
    response = browser.post(f"{url}/documents/{b.id}/title", {f"doc{b.id}-title": ""})
    assert response.status_code == 422
    assert "This field is required." in text(response)

    browser.post(f"{url}/documents/{c.id}/move", {"direction": "up"})
    browser.post(f"{url}/documents/{a.id}/move", {"direction": "down"})
    db.session.expire_all()
    assert [d.original_name for d in consultation.documents] == ["c.pdf", "a.pdf", "b.pdf"]
    browser.post(f"{url}/documents/{c.id}/move", {"direction": "up"})  # already first
    assert browser.post(f"{url}/documents/{c.id}/move", {"direction": "x"}).status_code == 400

    page = browser.page(f"{url}/documents/{a.id}/delete")
    assert "Delete the document “a”?" in page
    stored = uploads / a.filename
    assert stored.exists()
    response = browser.post(f"{url}/documents/{a.id}/delete", {}, follow_redirects=True)
    assert "“a” is deleted." in text(response)
    db.session.expire_all()
    assert [(d.original_name, d.position) for d in consultation.documents] == [
        ("c.pdf", 0),
        ("b.pdf", 1),
    ]
    assert not stored.exists()


def test_the_public_download_serves_the_original_name(app, town, prepared, uploads):
    browser, consultation, url = prepared
    data = docx_bytes()
    upload(browser, url, data, "Návrh.docx")
    document = db.session.scalar(select(Document))
    consultation.published_at = consultation.created_at
    db.session.flush()
    response = Browser(app).get(f"/lipnice/consultations/{consultation.id}/documents/{document.id}")
    assert response.status_code == 200
    body, disposition = response.data, response.headers["Content-Disposition"]
    response.close()
    assert body == data
    assert "N%C3%A1vrh.docx" in disposition

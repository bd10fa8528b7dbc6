"""Documents attached to a consultation: PDF and office files, checked by their content
(not their name) and size, stored under a random name, and their use cases.

``detect`` is pure. ``store``/``remove``/``folder`` handle the files (the public download
serves ``folder() / document.filename`` with ``document.original_name``); the use cases
flush and the request commits.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from participation.consultations.models import Consultation, Document
from participation.core.uploads import UploadError, upload_folder
from participation.extensions import db

FOLDER = "consultation-documents"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
ALLOWED_EXTENSIONS = ("pdf", "docx", "xlsx", "pptx", "odt", "ods", "doc", "xls")

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# [Content_Types].xml of an OOXML package names its main part's type.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
}
KIND_NAMES = {
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "pptx": "PowerPoint",
    "odt": "OpenDocument Text",
    "ods": "OpenDocument Spreadsheet",
    "doc": "Word 97–2003",
    "xls": "Excel 97–2003",
}


def _zip_kind(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if info.file_size > 200:
                return None
            mimetype = archive.read(info).decode("ascii", "replace").strip()
            return ODF_MIMETYPES.get(mimetype)
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 1024 * 1024:
                return None
            types = archive.read(info).decode("utf-8", "replace")
            found = {
                kind
                for part_type, kind in OOXML_MAIN_PARTS.items()
                if f'ContentType="{part_type}"' in types
            }
            return found.pop() if len(found) == 1 else None
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        return None
    return None


def _ole2_kind(data: bytes) -> str | None:
    # The compound file's directory holds the stream names in UTF-16: a Word file has a
    # "WordDocument" stream, an Excel file a "Workbook" (or the older "Book").
    if "WordDocument".encode("utf-16-le") in data:
        return "doc"
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return "xls"
    return None


def detect(data: bytes) -> str | None:
    """The document's kind by its content (an extension from ``ALLOWED_EXTENSIONS``),
    or None for anything else, whatever its name says."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(ZIP_MAGIC):
        return _zip_kind(data)
    if data.startswith(OLE2_MAGIC):
        return _ole2_kind(data)
    return None


def max_bytes() -> int:
    return int(current_app.config.get("CONSULTATION_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def folder() -> Path:
    return upload_folder(FOLDER)


def clean_name(original: str, extension: str) -> str:
    """The name the file is downloaded as: the uploaded name without a path or control
    characters, ending with the extension its content has."""
    name = Path((original or "").replace("\\", "/")).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", name).strip(" .") or "document"
    return f"{stem[:150]}.{extension}"


@dataclass
class StoredFile:
    filename: str
    original_name: str
    content_type: str
    size: int


def store(upload: FileStorage) -> StoredFile:
    """Check the uploaded file by size and content and store it under a random name.
    Raises ``UploadError`` with a message for the person."""
    limit = max_bytes()
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadError(
            _(
                "The file is larger than %(size)s MB. Choose a smaller one.",
                size=f"{limit / (1024 * 1024):g}",
            )
        )
    if not data:
        raise UploadError(_("The file is empty."))
    kind = detect(data)
    if kind is None:
        raise UploadError(
            _(
                "This file is not a PDF or an office document (Word, Excel, PowerPoint, "
                "OpenDocument), whatever its name says."
            )
        )
    name = f"{secrets.token_hex(16)}.{kind}"
    (folder() / name).write_bytes(data)
    return StoredFile(name, clean_name(upload.filename or "", kind), CONTENT_TYPES[kind], len(data))


def remove(name: str | None) -> None:
    if name:
        (folder() / Path(name).name).unlink(missing_ok=True)


# --- use cases ------------------------------------------------------------------------


def add_document(consultation: Consultation, upload: FileStorage, title: str) -> Document:
    stored = store(upload)
    position = db.session.scalar(
        select(func.coalesce(func.max(Document.position) + 1, 0)).where(
            Document.consultation_id == consultation.id
        )
    )
    document = Document(
        consultation=consultation,
        title=(title or "").strip() or stored.original_name.rsplit(".", 1)[0],
        filename=stored.filename,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        position=position,
    )
    db.session.add(document)
    db.session.flush()
    return document


def retitle(document: Document, title: str) -> Document:
    document.title = title.strip()
    db.session.flush()
    return document


def move_document(document: Document, step: int) -> None:
    """Move a document up (-1) or down (+1) in the consultation's list."""
    siblings = list(document.consultation.documents)
    index = siblings.index(document)
    target = index + step
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for i, item in enumerate(siblings):
        item.position = i
    db.session.flush()
    db.session.expire(document.consultation, ["documents"])


def delete_document(document: Document) -> None:
    consultation = document.consultation
    name = document.filename
    consultation.documents.remove(document)
    for i, item in enumerate(consultation.documents):
        item.position = i
    db.session.flush()
    remove(name)

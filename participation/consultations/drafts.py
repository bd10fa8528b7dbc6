"""Reading a draft text into numbered sections and paragraphs, from Markdown or DOCX.

Pure: no Flask and no database. A problem is raised as ``DraftFileError`` with a code
(``DraftProblem``); the web layer turns it into a translated message.

- Markdown: ``#`` and ``##`` headings (and underlined ``===``/``---`` headings) start a
  section; blocks separated by blank lines are paragraphs; a list stays one paragraph
  even when its items are separated by blank lines, and so does a fenced code block.
- DOCX: ``word/document.xml`` is read with ``zipfile`` and ``xml.etree``; paragraphs
  in a Heading or Title style start a section, other non-empty paragraphs are
  paragraphs, and consecutive list items (numbered or bulleted) form one paragraph.
"""

from __future__ import annotations

import enum
import re
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from xml.etree import ElementTree

MAX_DOCUMENT_XML = 20 * 1024 * 1024  # unpacked size of word/document.xml we accept
TEXT_EXTENSIONS = frozenset({"md", "markdown", "txt"})
DOCX_EXTENSIONS = frozenset({"docx"})

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DraftProblem(enum.StrEnum):
    UNSUPPORTED = "unsupported"  # neither .md/.txt nor .docx
    NOT_TEXT = "not_text"  # a .md/.txt that is not UTF-8 text
    NOT_DOCX = "not_docx"  # a .docx that is not a Word document
    EMPTY = "empty"  # nothing to comment on


class DraftFileError(ValueError):
    def __init__(self, problem: DraftProblem):
        super().__init__(problem.value)
        self.problem = problem


@dataclass
class Part:
    """One section: its title (may be empty before the first heading) and paragraphs."""

    title: str
    paragraphs: list[str] = field(default_factory=list)


# --- Markdown ---------------------------------------------------------------------------

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _blocks(lines: list[str]) -> list[list[str]]:
    """Blank-line separated blocks; a fenced code block is one block, blanks and all."""
    blocks: list[list[str]] = []
    current: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            current.append(line)
            if line.strip().startswith(fence):
                fence = None
            continue
        match = _FENCE.match(line)
        if match:
            fence = match.group(1)[0] * 3
            current.append(line)
            continue
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        # A heading is a block of its own even without blank lines around it.
        if _ATX.match(line):
            if current:
                blocks.append(current)
            blocks.append([line])
            current = []
            continue
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _heading(block: list[str]) -> tuple[int, str] | None:
    """(level, title) when the block is a heading."""
    if len(block) == 1:
        match = _ATX.match(block[0])
        if match:
            return len(match.group(1)), (match.group(2) or "").strip()
    if len(block) == 2 and _SETEXT.match(block[1]) and not _LIST_ITEM.match(block[0]):
        return (1 if block[1].strip().startswith("=") else 2), block[0].strip()
    return None


def _is_list(block: list[str]) -> bool:
    return bool(_LIST_ITEM.match(block[0]))


def _is_list_continuation(block: list[str]) -> bool:
    """An indented block after a list item belongs to that item (a loose list)."""
    return block[0].startswith(("  ", "\t")) and not _FENCE.match(block[0])


def parse_markdown(source: str) -> list[Part]:
    """Sections and paragraphs of a Markdown text, in order. Sections without paragraphs
    are kept (the caller decides); text before the first heading is an untitled section.
    ``###`` and deeper headings are paragraphs of their section."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    lines = [line.rstrip() for line in lines]
    parts: list[Part] = []
    current: Part | None = None
    last_was_list = False
    for block in _blocks(lines):
        heading = _heading(block)
        if heading is not None and heading[0] <= 2:
            current = Part(heading[1])
            parts.append(current)
            last_was_list = False
            continue
        if current is None:
            current = Part("")
            parts.append(current)
        text = "\n".join(block).strip("\n")
        continues = _is_list(block) or _is_list_continuation(block)
        if last_was_list and current.paragraphs and continues:
            current.paragraphs[-1] += "\n\n" + text
            continue
        current.paragraphs.append(_dedent(text))
        last_was_list = _is_list(block)
    return parts


def _dedent(text: str) -> str:
    # Indentation of a whole paragraph would make it a code block; lists keep theirs.
    lines = text.split("\n")
    if _LIST_ITEM.match(lines[0]) or _FENCE.match(lines[0]):
        return text
    return "\n".join(line.strip() for line in lines)


# --- DOCX -------------------------------------------------------------------------------


def _style(paragraph) -> str:
    properties = paragraph.find(f"{W}pPr")
    if properties is None:
        return ""
    style = properties.find(f"{W}pStyle")
    return (style.get(f"{W}val") or "") if style is not None else ""


def _outline_level(paragraph) -> int | None:
    properties = paragraph.find(f"{W}pPr")
    if properties is None:
        return None
    level = properties.find(f"{W}outlineLvl")
    if level is None:
        return None
    try:
        return int(level.get(f"{W}val") or "")
    except ValueError:
        return None


def _is_heading(paragraph) -> bool:
    style = _style(paragraph).replace(" ", "").lower()
    if style.startswith(("heading", "title", "nadpis", "naglowek", "nagłówek")):
        return True
    level = _outline_level(paragraph)
    return level is not None and level < 9


def _is_list_item(paragraph) -> bool:
    properties = paragraph.find(f"{W}pPr")
    if properties is not None and properties.find(f"{W}numPr") is not None:
        return True
    return _style(paragraph).replace(" ", "").lower().startswith("listparagraph")


def _text_of(paragraph) -> str:
    pieces = []
    for node in paragraph.iter():
        if node.tag == f"{W}t" and node.text:
            pieces.append(node.text)
        elif node.tag == f"{W}tab":
            pieces.append(" ")
        elif node.tag in (f"{W}br", f"{W}cr"):
            pieces.append("\n")
    return re.sub(r"[ \t]+", " ", "".join(pieces)).strip()


def _markdown_safe(text: str) -> str:
    """Plain text from Word as Markdown that shows the same text: a line that would start
    a heading, a list, a quote or a code block is escaped."""
    lines = []
    for line in text.split("\n"):
        line = line.strip()
        if re.match(r"^(#|>|[-+*][ \t]|\d{1,9}[.)][ \t]|={3,}$|-{3,}$|`{3,}|~{3,})", line):
            match = re.match(r"^(\d{1,9})([.)])", line)
            line = f"{match.group(1)}\\{line[len(match.group(1)) :]}" if match else "\\" + line
        lines.append(line)
    return "  \n".join(lines)  # a line break in Word stays a line break


def read_docx(data: bytes) -> list[Part]:
    """Sections and paragraphs of a Word (.docx) document."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        info = archive.getinfo("word/document.xml")
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DraftFileError(DraftProblem.NOT_DOCX) from error
    if info.file_size > MAX_DOCUMENT_XML:
        raise DraftFileError(DraftProblem.NOT_DOCX)
    try:
        xml = archive.read(info)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError) as error:
        raise DraftFileError(DraftProblem.NOT_DOCX) from error
    # Word never writes a DTD; refusing one rules out entity tricks.
    if b"<!DOCTYPE" in xml[:4096].upper() or b"<!ENTITY" in xml.upper():
        raise DraftFileError(DraftProblem.NOT_DOCX)
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as error:
        raise DraftFileError(DraftProblem.NOT_DOCX) from error
    body = root.find(f"{W}body")
    if root.tag != f"{W}document" or body is None:
        raise DraftFileError(DraftProblem.NOT_DOCX)
    parts: list[Part] = []
    current: Part | None = None
    in_list = False
    for paragraph in body.iter(f"{W}p"):
        text = _text_of(paragraph)
        if not text:
            continue
        if _is_heading(paragraph):
            current = Part(text.replace("\n", " "))
            parts.append(current)
            in_list = False
            continue
        if current is None:
            current = Part("")
            parts.append(current)
        if _is_list_item(paragraph):
            item = "- " + _markdown_safe(text).replace("  \n", "  \n  ")
            if in_list and current.paragraphs:
                current.paragraphs[-1] += "\n" + item
            else:
                current.paragraphs.append(item)
            in_list = True
            continue
        current.paragraphs.append(_markdown_safe(text))
        in_list = False
    return parts


# --- files and back to Markdown ---------------------------------------------------------


def read_file(filename: str, data: bytes) -> list[Part]:
    """A draft from an uploaded file, by its extension, checked by its content."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in DOCX_EXTENSIONS:
        parts = read_docx(data)
    elif extension in TEXT_EXTENSIONS:
        if b"\x00" in data or data.startswith(b"PK\x03\x04"):
            raise DraftFileError(DraftProblem.NOT_TEXT)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise DraftFileError(DraftProblem.NOT_TEXT) from error
        parts = parse_markdown(text)
    else:
        raise DraftFileError(DraftProblem.UNSUPPORTED)
    if not any(part.paragraphs for part in parts):
        raise DraftFileError(DraftProblem.EMPTY)
    return parts


def to_markdown(parts: list[Part]) -> str:
    """Markdown that ``parse_markdown`` reads back as the same parts (``##`` headings)."""
    blocks = []
    for part in parts:
        if part.title or blocks:
            blocks.append(f"## {part.title}".rstrip())
        blocks.extend(part.paragraphs)
    return "\n\n".join(blocks) + ("\n" if blocks else "")

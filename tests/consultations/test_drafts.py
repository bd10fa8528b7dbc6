"""Reading a draft text into numbered sections and paragraphs (pure, no app)."""

from __future__ import annotations

import zipfile
from io import BytesIO
from xml.sax.saxutils import escape

import pytest

from participation.consultations.drafts import (
    DraftFileError,
    DraftProblem,
    Part,
    parse_markdown,
    read_docx,
    read_file,
    to_markdown,
)

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/>'
    "</Relationships>"
)


def _paragraph(text: str, style: str | None = None, numbered: bool = False) -> str:
    properties = ""
    if style or numbered:
        properties = "<w:pPr>"
        if style:
            properties += f'<w:pStyle w:val="{style}"/>'
        if numbered:
            properties += '<w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr>'
        properties += "</w:pPr>"
    runs = "<w:br/>".join(
        f'<w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in text.split("\n")
    )
    return f"<w:p>{properties}{runs}</w:p>"


def docx_bytes(paragraphs: list[tuple[str | None, str]] | None = None, numbered=()) -> bytes:
    """A small real Word document: (style, text) paragraphs; indexes in ``numbered`` are
    list items."""
    paragraphs = paragraphs or [
        ("Title", "Návrh vyhlášky o veřejné zeleni"),
        (None, "Úvodní ustanovení platí pro celé město."),
        ("Heading1", "Předmět úpravy"),
        (None, "Tato vyhláška upravuje péči o zeleň."),
        (None, "Zeleň je veřejná."),
        ("Heading2", "Povinnosti"),
        (None, "Vlastník pozemku udržuje trávník."),
    ]
    body = "".join(
        _paragraph(text, style, i in numbered) for i, (style, text) in enumerate(paragraphs)
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


# --- Markdown ---------------------------------------------------------------------------


def test_headings_start_sections_and_blank_lines_separate_paragraphs():
    parts = parse_markdown(
        "# Obecná ustanovení\n\nPrvní odstavec\npokračuje zde.\n\nDruhý odstavec.\n\n"
        "## Povinnosti\n\nTřetí odstavec.\n"
    )
    assert parts == [
        Part("Obecná ustanovení", ["První odstavec\npokračuje zde.", "Druhý odstavec."]),
        Part("Povinnosti", ["Třetí odstavec."]),
    ]


def test_text_before_the_first_heading_is_an_untitled_section():
    parts = parse_markdown("Preambule.\n\n# Část první\nOdstavec hned pod nadpisem.")
    assert parts == [Part("", ["Preambule."]), Part("Část první", ["Odstavec hned pod nadpisem."])]


def test_windows_line_ends_trailing_spaces_and_many_blank_lines():
    parts = parse_markdown("# A  \r\n\r\n\r\n\r\nJedna.   \r\n\r\n\r\nDvě.\r\n")
    assert parts == [Part("A", ["Jedna.", "Dvě."])]


def test_a_list_stays_one_paragraph_tight_or_loose():
    parts = parse_markdown(
        "# Seznam\n\nÚvod:\n\n- první\n- druhá\n\n1. jedna\n\n2. dvě\n\n   pokračování dvojky\n\n"
        "Závěr."
    )
    assert parts[0].paragraphs == [
        "Úvod:",
        "- první\n- druhá\n\n1. jedna\n\n2. dvě\n\n   pokračování dvojky",
        "Závěr.",
    ]


def test_deeper_headings_and_underlined_headings():
    parts = parse_markdown(
        "Název\n=====\n\nText.\n\n### Podnadpis\n\nDalší text.\n\nDruhá\n-----\n\nKonec."
    )
    assert parts == [
        Part("Název", ["Text.", "### Podnadpis", "Další text."]),
        Part("Druhá", ["Konec."]),
    ]


def test_a_fenced_block_keeps_its_blank_lines_and_hashes():
    parts = parse_markdown("# Kód\n\n```\n# není nadpis\n\nstále kód\n```\n\nPo kódu.")
    assert parts == [Part("Kód", ["```\n# není nadpis\n\nstále kód\n```", "Po kódu."])]


def test_hash_without_space_is_text_and_empty_heading_is_an_untitled_section():
    parts = parse_markdown("#hashtag je text\n\n##\n\nOdstavec.")
    assert parts == [Part("", ["#hashtag je text"]), Part("", ["Odstavec."])]


def test_indented_paragraphs_are_not_code_blocks():
    assert parse_markdown("    odsazený\n    text")[0].paragraphs == ["odsazený\ntext"]


def test_empty_text_has_no_parts_and_headings_alone_have_no_paragraphs():
    assert parse_markdown("") == []
    assert parse_markdown("\n\n  \n") == []
    assert parse_markdown("# A\n## B") == [Part("A"), Part("B")]


def test_to_markdown_reads_back_as_the_same_parts():
    parts = [
        Part("", ["Preambule."]),
        Part("První", ["- a\n- b", "Text **tučně**."]),
        Part("Druhá", ["Jeden."]),
    ]
    assert parse_markdown(to_markdown(parts)) == parts
    assert to_markdown([]) == ""


# --- DOCX -------------------------------------------------------------------------------


def test_a_word_document_gives_sections_by_heading_styles():
    parts = read_docx(docx_bytes())
    assert parts == [
        Part("Návrh vyhlášky o veřejné zeleni", ["Úvodní ustanovení platí pro celé město."]),
        Part("Předmět úpravy", ["Tato vyhláška upravuje péči o zeleň.", "Zeleň je veřejná."]),
        Part("Povinnosti", ["Vlastník pozemku udržuje trávník."]),
    ]


def test_word_list_items_form_one_paragraph_and_markdown_characters_are_escaped():
    data = docx_bytes(
        [
            (None, "Před seznamem."),
            ("ListParagraph", "první položka"),
            (None, "druhá položka"),
            (None, "# není nadpis"),
            (None, "1. ne seznam"),
            (None, "řádek\nzalomený"),
            (None, "   "),
        ],
        numbered={1, 2},
    )
    parts = read_docx(data)
    assert parts == [
        Part(
            "",
            [
                "Před seznamem.",
                "- první položka\n- druhá položka",
                "\\# není nadpis",
                "1\\. ne seznam",
                "řádek  \nzalomený",
            ],
        )
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"not a zip at all",
        b"PK\x03\x04 broken",
        b"",
    ],
)
def test_a_file_that_is_not_a_word_document_is_refused(data):
    with pytest.raises(DraftFileError) as error:
        read_docx(data)
    assert error.value.problem == DraftProblem.NOT_DOCX


def test_a_zip_without_a_document_or_with_a_dtd_is_refused():
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    with pytest.raises(DraftFileError):
        read_docx(out.getvalue())
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>',
        )
    with pytest.raises(DraftFileError):
        read_docx(out.getvalue())
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<not-closed>")
    with pytest.raises(DraftFileError):
        read_docx(out.getvalue())


# --- files ------------------------------------------------------------------------------


def test_read_file_by_extension_checked_by_content():
    assert read_file("návrh.MD", b"# A\n\nText.")[0].paragraphs == ["Text."]
    assert read_file("navrh.txt", "\ufeffText s BOM.".encode())[0].paragraphs == ["Text s BOM."]
    assert read_file("navrh.docx", docx_bytes())[1].title == "Předmět úpravy"


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("navrh.pdf", b"%PDF-1.4", DraftProblem.UNSUPPORTED),
        ("navrh", b"text", DraftProblem.UNSUPPORTED),
        ("navrh.txt", "latin-2 text: ř".encode("iso-8859-2"), DraftProblem.NOT_TEXT),
        ("navrh.md", b"binary\x00data", DraftProblem.NOT_TEXT),
        ("navrh.md", docx_bytes(), DraftProblem.NOT_TEXT),  # a Word file renamed
        ("navrh.docx", b"# Markdown\n\ntext", DraftProblem.NOT_DOCX),
        ("navrh.md", b"# Jen nadpis\n", DraftProblem.EMPTY),
        ("navrh.docx", docx_bytes([("Heading1", "Jen nadpis")]), DraftProblem.EMPTY),
    ],
)
def test_read_file_refuses_what_is_not_what_it_says(name, data, problem):
    with pytest.raises(DraftFileError) as error:
        read_file(name, data)
    assert error.value.problem == problem

"""Downloads open safely in a spreadsheet and hold exactly what was given."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from participation.core import exports

ROWS = [
    {
        "id": 1,
        "title": '=HYPERLINK("http://x")',
        "note": "Lavička u řeky",
        "latitude": 49.4,
        "longitude": 14.6,
    },
    {"id": 2, "title": "+420 123", "note": "-", "latitude": None, "longitude": None},
]


def test_csv_makes_formulas_inert_and_keeps_letters():
    text = exports.to_csv(ROWS, ["id", "title", "note"])
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0]["title"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["note"] == "Lavička u řeky"
    assert rows[1]["title"] == "'+420 123" and rows[1]["note"] == "'-"


def test_xlsx_keeps_values_as_text_not_formulas():
    book = load_workbook(
        io.BytesIO(
            exports.to_xlsx(
                [
                    ("ideas", ["id", "title"], ROWS),
                    ("codebook", ["column"], [{"column": "title"}]),
                ]
            )
        )
    )
    assert book.sheetnames == ["ideas", "codebook"]
    sheet = book["ideas"]
    assert [c.value for c in sheet[1]] == ["id", "title"]
    assert sheet["B2"].value == '=HYPERLINK("http://x")' and sheet["B2"].data_type == "s"
    assert sheet["A3"].value == 2


def test_points_geojson_has_a_null_geometry_without_a_place():
    data = json.loads(exports.points_geojson(ROWS))
    assert data["features"][0]["geometry"] == {"type": "Point", "coordinates": [14.6, 49.4]}
    assert data["features"][1]["geometry"] is None
    assert data["features"][1]["properties"]["title"] == "+420 123"

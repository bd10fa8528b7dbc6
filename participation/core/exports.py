"""Tables for download: CSV and XLSX that spreadsheets open safely, and GeoJSON of points.

Every module's exports go through here, so text that residents wrote is made inert
for spreadsheets (CSV injection) in one place.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

# A cell starting with one of these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_text(value):
    """Text that residents wrote, made inert for spreadsheets by a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Iterable[dict], columns: Sequence[str]) -> str:
    """UTF-8 CSV with a byte-order mark, so spreadsheets read Czech and Polish letters."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows({key: csv_text(value) for key, value in row.items()} for row in rows)
    return "\ufeff" + buffer.getvalue()


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[dict]]]) -> bytes:
    """A workbook with one sheet per (title, columns, rows); values stay values, never formulas."""
    book = Workbook()
    book.remove(book.active)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(columns))
        for row in rows:
            sheet.append([row.get(column) for column in columns])
            for cell in sheet[sheet.max_row]:
                # openpyxl stores a string that starts with "=" as a formula: keep it text.
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def points_geojson(rows: Iterable[dict], lat: str = "latitude", lon: str = "longitude") -> str:
    """Each row as a Feature; rows without a place get a null geometry."""
    features = [
        {
            "type": "Feature",
            "id": row.get("id"),
            "geometry": (
                {"type": "Point", "coordinates": [row[lon], row[lat]]}
                if row.get(lat) is not None and row.get(lon) is not None
                else None
            ),
            "properties": row,
        }
        for row in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)

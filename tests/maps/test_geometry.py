"""Reading district files: what is refused, what is repaired, on real boundaries too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Point, Polygon

from participation.maps import geometry
from participation.maps.locator import DistrictIndex

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "districts"


def square(x: float, y: float, size: float = 0.01) -> list:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def collection(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def feature(ring, **properties) -> dict:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def test_a_good_file_gives_multipolygons_with_names_and_codes():
    parsed = geometry.parse_districts(
        collection(
            feature(square(14.0, 50.0), name="Sever", kod="1", obyv="120"),
            feature(square(14.01, 50.0), name="Jih", kod="2", obyv="x"),
        ),
        "name",
        code_property="kod",
        population_property="obyv",
    )
    assert parsed.ok and parsed.errors == []
    assert [(d.name, d.code, d.population) for d in parsed.districts] == [
        ("Sever", "1", 120),
        ("Jih", "2", None),
    ]
    assert all(isinstance(d.boundary, MultiPolygon) for d in parsed.districts)


@pytest.mark.parametrize(
    "data, code, feature_number",
    [
        ("this is not json", "not_json", None),
        (json.dumps({"hello": "world"}), "not_geojson", None),
        (json.dumps({"type": "FeatureCollection", "features": []}), "no_polygons", None),
        (
            collection(
                {
                    "type": "Feature",
                    "properties": {"name": "A"},
                    "geometry": {"type": "Point", "coordinates": [14, 50]},
                }
            ),
            "not_polygon",
            1,
        ),
        (
            collection(
                feature(square(14.0, 50.0), name="A"),
                feature(square(470000, 5500000, 100), name="B"),
            ),
            "not_wgs84",
            2,
        ),
        (collection(feature(square(14.0, 50.0), nazev="A")), "missing_name", 1),
        (
            collection(
                feature(square(14.0, 50.0), name="A"), feature(square(14.1, 50.0), name="A")
            ),
            "duplicate_name",
            2,
        ),
        (
            collection(
                feature(square(14.0, 50.0), name="A"), feature(square(14.005, 50.0), name="B")
            ),
            "overlap",
            1,
        ),
        (
            collection(
                {
                    "type": "Feature",
                    "properties": {"name": "A"},
                    "geometry": {"type": "Polygon", "coordinates": "nonsense"},
                }
            ),
            "bad_geometry",
            1,
        ),
    ],
)
def test_problems_say_what_and_where(data, code, feature_number):
    parsed = geometry.parse_districts(data, "name")
    assert not parsed.ok
    assert parsed.errors[0].code == code
    assert parsed.errors[0].feature == feature_number


def test_missing_name_lists_the_properties_the_feature_has():
    parsed = geometry.parse_districts(collection(feature(square(14, 50), nazev="A", kod=1)), "name")
    assert parsed.errors[0].detail == {"property": "name", "available": ["kod", "nazev"]}


def test_a_self_intersecting_polygon_is_repaired_and_reported():
    bowtie = [[14.0, 50.0], [14.01, 50.01], [14.01, 50.0], [14.0, 50.01], [14.0, 50.0]]
    parsed = geometry.parse_districts(collection(feature(bowtie, name="Motýlek")), "name")
    assert parsed.ok
    [district] = parsed.districts
    assert district.repaired and district.boundary.is_valid and district.boundary.area > 0
    assert parsed.repairs[0].code == "repaired" and parsed.repairs[0].feature == 1


def test_real_boundaries_parse_with_the_known_repair_and_overlap():
    krakow = geometry.parse_districts((FIXTURES / "krakow-districts.geojson").read_bytes(), "name")
    assert krakow.ok and len(krakow.districts) == 18
    assert [r.detail["name"] for r in krakow.repairs] == ["Podgórze"]
    prague = geometry.parse_districts(
        (FIXTURES / "prague-mestske-casti.geojson").read_bytes(), "name"
    )
    assert prague.ok and len(prague.districts) == 57 and prague.repairs == []
    warsaw_bytes = (FIXTURES / "warszawa-dzielnice.geojson").read_bytes()
    whole_city_inside = geometry.parse_districts(warsaw_bytes, "name")
    assert {p.code for p in whole_city_inside.errors} == {"overlap"}
    warsaw = geometry.parse_districts(warsaw_bytes, "name", municipality_feature="Warszawa")
    assert warsaw.ok and len(warsaw.districts) == 18
    assert warsaw.municipality_boundary is not None


def test_district_index_agrees_with_brute_force_on_prague():
    parsed = geometry.parse_districts(
        (FIXTURES / "prague-mestske-casti.geojson").read_bytes(), "name"
    )
    shapes = [(i + 1, d.boundary) for i, d in enumerate(parsed.districts)]
    index = DistrictIndex(shapes)
    import random

    rng = random.Random(7)
    min_x, min_y, max_x, max_y = geometry.municipality_outline([s for _, s in shapes]).bounds
    points = [(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y)) for _ in range(3000)]
    expected = [next((i for i, s in shapes if s.covers(Point(x, y))), None) for x, y in points]
    assert index.locate_many(points) == expected
    assert [index.locate(x, y) for x, y in points[:300]] == expected[:300]
    assert sum(e is not None for e in expected) > 1500  # most points fall inside


def test_a_point_on_a_shared_border_belongs_to_the_smaller_id():
    left = MultiPolygon([Polygon(square(14.0, 50.0))])
    right = MultiPolygon([Polygon(square(14.01, 50.0))])
    index = DistrictIndex([(7, right), (3, left)])
    assert index.locate(14.01, 50.005) == 3
    assert index.locate_many([(14.01, 50.005), (14.015, 50.005), (13, 50)]) == [3, 7, None]
    assert DistrictIndex([]).locate(14, 50) is None

"""The pure rules of idea calls: phases, statuses, windows, distances and duplicates."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

import pytest

from participation.ideas import rules
from participation.ideas.rules import IdeaStatus, Phase

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


# --- phases and statuses -----------------------------------------------------------------


@pytest.mark.parametrize(
    "now, expected",
    [
        (T0 - SECOND, Phase.UPCOMING),
        (T0, Phase.OPEN),  # opens at the very moment
        (T0 + timedelta(days=30) - SECOND, Phase.OPEN),
        (T0 + timedelta(days=30), Phase.CLOSED),  # closed at the very moment
        (T0 + timedelta(days=365), Phase.CLOSED),
    ],
)
def test_call_phase_at_the_boundaries(now, expected):
    assert rules.call_phase(T0, T0 + timedelta(days=30), now) == expected


def test_submission_collects_supporters_only_with_a_threshold():
    assert rules.status_on_submission(50) == IdeaStatus.COLLECTING
    assert rules.status_on_submission(None) == IdeaStatus.UNDER_REVIEW
    assert rules.status_on_submission(0) == IdeaStatus.UNDER_REVIEW


@pytest.mark.parametrize(
    "status, supports, threshold, expected",
    [
        (IdeaStatus.COLLECTING, 2, 3, IdeaStatus.COLLECTING),
        (IdeaStatus.COLLECTING, 3, 3, IdeaStatus.UNDER_REVIEW),
        (IdeaStatus.COLLECTING, 4, 3, IdeaStatus.UNDER_REVIEW),
        (IdeaStatus.COLLECTING, 100, None, IdeaStatus.COLLECTING),
        # Supports move only collecting ideas: nothing reopens or skips a decision.
        (IdeaStatus.UNDER_REVIEW, 10, 3, IdeaStatus.UNDER_REVIEW),
        (IdeaStatus.REJECTED, 10, 3, IdeaStatus.REJECTED),
        (IdeaStatus.EXPIRED, 10, 3, IdeaStatus.EXPIRED),
        (IdeaStatus.DRAFT, 10, 3, IdeaStatus.DRAFT),
    ],
)
def test_status_after_supports(status, supports, threshold, expected):
    assert rules.status_after_supports(status, supports, threshold) == expected


def test_public_and_decided_statuses():
    assert IdeaStatus.DRAFT not in rules.PUBLIC_STATUSES
    assert rules.PUBLIC_STATUSES | {IdeaStatus.DRAFT} == set(IdeaStatus)
    assert rules.DECIDED_STATUSES == {IdeaStatus.ACCEPTED, IdeaStatus.REJECTED, IdeaStatus.MERGED}


# --- supports and expiry -------------------------------------------------------------------


def test_support_window_closes_at_the_deadline():
    deadline = T0 + timedelta(days=10)
    assert rules.support_open(IdeaStatus.COLLECTING, deadline, deadline - SECOND)
    assert not rules.support_open(IdeaStatus.COLLECTING, deadline, deadline)
    assert rules.support_open(IdeaStatus.COLLECTING, None, T0 + timedelta(days=9999))
    for status in set(IdeaStatus) - {IdeaStatus.COLLECTING}:
        assert not rules.support_open(status, deadline, T0), status


def test_expiry_only_of_collecting_ideas_below_the_threshold_after_the_deadline():
    deadline = T0 + timedelta(days=10)
    assert rules.expired(IdeaStatus.COLLECTING, 2, 3, deadline, deadline)
    assert not rules.expired(IdeaStatus.COLLECTING, 2, 3, deadline, deadline - SECOND)
    assert not rules.expired(IdeaStatus.COLLECTING, 3, 3, deadline, deadline)
    assert not rules.expired(IdeaStatus.COLLECTING, 0, None, deadline, deadline)
    assert not rules.expired(IdeaStatus.COLLECTING, 0, 3, None, deadline)
    assert not rules.expired(IdeaStatus.UNDER_REVIEW, 0, 3, deadline, deadline)


# --- appeals and comments ------------------------------------------------------------------


def test_appeal_window():
    decided = T0
    deadline = rules.appeal_deadline(decided, 14)
    assert deadline == T0 + timedelta(days=14)
    assert rules.appeal_open(IdeaStatus.REJECTED, decided, 14, deadline - SECOND, False)
    assert not rules.appeal_open(IdeaStatus.REJECTED, decided, 14, deadline, False)
    assert not rules.appeal_open(IdeaStatus.REJECTED, decided, 14, T0, already_appealed=True)
    assert not rules.appeal_open(IdeaStatus.REJECTED, None, 14, T0, False)
    # No days to appeal: no appeal at all.
    assert not rules.appeal_open(IdeaStatus.REJECTED, decided, 0, T0, False)
    for status in set(IdeaStatus) - {IdeaStatus.REJECTED}:
        assert not rules.appeal_open(status, decided, 14, T0, False), status


def test_comment_edit_window():
    assert rules.comment_editable(T0, T0)
    limit = T0 + timedelta(minutes=rules.COMMENT_EDIT_MINUTES)
    assert rules.comment_editable(T0, limit - SECOND)
    assert not rules.comment_editable(T0, limit)
    assert rules.comment_editable(T0, T0 + timedelta(minutes=59), minutes=60)


# --- distances -------------------------------------------------------------------------------


def test_distance_of_known_places():
    assert rules.distance_m(49.4144, 14.6578, 49.4144, 14.6578) == 0
    # One degree of latitude is about 111.2 km on the haversine sphere.
    assert rules.distance_m(49.0, 14.0, 50.0, 14.0) == pytest.approx(111_195, rel=1e-4)
    # Praha (Staroměstské náměstí) to Kraków (Rynek Główny): about 394 km in a line.
    assert rules.distance_m(50.0875, 14.4213, 50.0617, 19.9373) == pytest.approx(394_000, rel=0.01)
    # Antipodes: half the circumference, without a math domain error.
    assert rules.distance_m(0, 0, 0, 180) == pytest.approx(math.pi * rules.EARTH_RADIUS_M)


def _random_point(rng: random.Random) -> tuple[float, float]:
    return rng.uniform(-80, 80), rng.uniform(-180, 180)


def test_distance_is_a_metric_on_random_points():
    rng = random.Random(4)
    for _ in range(500):
        a, b, c = _random_point(rng), _random_point(rng), _random_point(rng)
        ab = rules.distance_m(*a, *b)
        assert ab >= 0
        assert ab == pytest.approx(rules.distance_m(*b, *a), abs=1e-6)
        assert rules.distance_m(*a, *a) == pytest.approx(0, abs=1e-6)
        # The triangle inequality, with room for rounding.
        assert ab <= rules.distance_m(*a, *c) + rules.distance_m(*c, *b) + 1e-6


def test_bbox_around_contains_every_point_within_the_radius():
    rng = random.Random(2027)
    for _ in range(300):
        lat, lon = rng.uniform(-70, 70), rng.uniform(-170, 170)
        radius = rng.choice([10, 150, 1000, 25_000])
        min_lat, max_lat, min_lon, max_lon = rules.bbox_around(lat, lon, radius)
        assert min_lat < lat < max_lat and min_lon < lon < max_lon
        for _ in range(20):
            # A point at a random bearing and a random distance up to the radius.
            bearing = rng.uniform(0, 2 * math.pi)
            d = rng.uniform(0, radius) / rules.EARTH_RADIUS_M
            p1, l1 = math.radians(lat), math.radians(lon)
            p2 = math.asin(
                math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(bearing)
            )
            l2 = l1 + math.atan2(
                math.sin(bearing) * math.sin(d) * math.cos(p1),
                math.cos(d) - math.sin(p1) * math.sin(p2),
            )
            plat, plon = math.degrees(p2), math.degrees(l2)
            assert rules.distance_m(lat, lon, plat, plon) <= radius * (1 + 1e-9)
            assert min_lat <= plat <= max_lat, (lat, lon, radius, plat)
            assert min_lon <= plon <= max_lon, (lat, lon, radius, plon)


def test_bbox_around_is_not_much_larger_than_the_circle():
    min_lat, max_lat, min_lon, max_lon = rules.bbox_around(49.41, 14.66, 150)
    # The box's half-sides are about the radius, north-south and east-west.
    assert rules.distance_m(49.41, 14.66, max_lat, 14.66) == pytest.approx(150, rel=0.01)
    assert rules.distance_m(49.41, 14.66, 49.41, max_lon) == pytest.approx(150, rel=0.01)


# --- titles and duplicates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Lavička u řeky!", "lavicka u reky"),
        ("  Přechod   pro CHODCE — u školy ", "prechod pro chodce u skoly"),
        ("Ścieżka rowerowa: Łódź–Żółkiewskiego", "sciezka rowerowa lodz zolkiewskiego"),
        ("ŽLUŤOUČKÝ KŮŇ úpěl ďábelské ódy", "zlutoucky kun upel dabelske ody"),
        ("Zażółć gęślą jaźń", "zazolc gesla jazn"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_normalise_title(title, expected):
    assert rules.normalise_title(title) == expected


def test_similar_titles_in_either_language_match_across_accents_and_case():
    assert rules.title_similarity("Lavička u řeky", "LAVICKA U REKY") == 1.0
    assert rules.title_similarity("Nowa ławka w parku", "NOWA LAWKA W PARKU") == 1.0
    assert rules.title_similarity("Lavičky podél Lužnice", "Nové lavičky u Lužnice") >= 0.6
    assert rules.title_similarity("Lavička u řeky", "Přechod u školy") < 0.6
    assert rules.title_similarity("", "Lavička") == 0.0


def test_likely_duplicates_best_first_within_the_distance():
    here = (49.4144, 14.6578)
    # About 100 m and about 500 m north of here.
    near = (here[0] + 0.0009, here[1])
    far = (here[0] + 0.0045, here[1])
    others = [
        (1, "Lavičky u řeky a v parku", *near),
        (2, "Lavička u řeky", *near),
        (3, "Lavička u řeky", *far),  # same title, too far
        (4, "Přechod u školy", *near),  # near, another idea
        (5, "Lavicka u reky!", None, None),  # no place: the title decides
        (6, "Lavička u řeky", *near),
    ]
    found = rules.likely_duplicates("Lavička u řeky", *here, others, within_m=150)
    assert found[:3] == [2, 5, 6]  # equally similar: by id
    assert found[3:] == [1]
    assert 3 not in found and 4 not in found
    # Without a place of its own, only the title counts.
    assert 3 in rules.likely_duplicates("Lavička u řeky", None, None, others, within_m=150)
    # A larger distance takes the far one too.
    assert 3 in rules.likely_duplicates("Lavička u řeky", *here, others, within_m=1000)


def test_likely_duplicates_cut_off_exactly_at_the_distance():
    here = (49.4144, 14.6578)
    other = (here[0] + 0.001, here[1])
    d = rules.distance_m(*here, *other)
    others = [(7, "Lavička", *other)]
    assert rules.likely_duplicates("Lavička", *here, others, within_m=d + 0.01) == [7]
    assert rules.likely_duplicates("Lavička", *here, others, within_m=d - 0.01) == []
